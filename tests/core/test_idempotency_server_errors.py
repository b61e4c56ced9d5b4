"""A request that failed on our side (5xx) is not remembered under its Idempotency-Key: the client's
retry with the same key does the work, instead of being handed the failure again for 24 hours."""

import io
import uuid

import pytest
from django.test.client import encode_multipart
from PIL import Image

from apps.core.models import IdempotencyKey
from apps.inventory.models import Certificate
from tests.api_helpers import ApiClient, make_key

pytestmark = pytest.mark.django_db


def _upload(client: ApiClient, *, key: str):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 150, 20)).save(buffer, format="PNG")
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "bis-certificate.png"
    boundary = uuid.uuid4().hex
    return client.generic(
        "POST",
        "/api/v1/certificates",
        encode_multipart(boundary, {"kind": "bis_registration", "file": upload}),
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY=key,
        **client._headers({}),
    )


def test_a_retry_after_a_server_error_does_the_work_instead_of_replaying_the_error(
    certificates_in_tmp, tenant, owner
):
    client = ApiClient(make_key(tenant, owner))
    certificates_in_tmp.parent.mkdir(parents=True, exist_ok=True)
    certificates_in_tmp.write_text("a file where the certificates folder should be")  # the disk fails

    failed = _upload(client, key="upload-after-outage")

    assert failed.status_code == 500
    assert failed.json()["code"] == "server_error"
    assert not Certificate.objects.exists()
    assert not IdempotencyKey.objects.exists()

    certificates_in_tmp.unlink()  # the disk is back
    retried = _upload(client, key="upload-after-outage")

    assert retried.status_code == 201, retried.content
    assert retried["Idempotent-Replayed"] == "false"
    assert Certificate.objects.for_tenant(tenant).count() == 1
    again = _upload(client, key="upload-after-outage")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Certificate.objects.for_tenant(tenant).count() == 1
