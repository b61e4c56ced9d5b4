"""Idempotency keys belong to their caller, never keep a secret, and survive a multipart retry."""

import io
import json
import uuid

import pytest
from django.test import Client
from django.test.client import encode_multipart
from django.urls import reverse
from PIL import Image

from apps.core.models import IdempotencyKey
from apps.inventory.models import Certificate
from apps.tenants.models import ApiKey, Invitation, Role
from tests.accounts.factories import UserFactory
from tests.api_helpers import ApiClient, make_key
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _session_api(user, tenant) -> ApiClient:
    """The API with a browser session instead of a key."""
    return login(ApiClient(), user, tenant)


@pytest.fixture
def admin_channels(tenant, admin_user):
    return {
        "api_key": ApiClient(make_key(tenant, admin_user, Role.ADMIN)),
        "session": _session_api(admin_user, tenant),
    }


@pytest.mark.parametrize("channel", ["api_key", "session"])
def test_another_caller_sending_the_same_key_and_body_gets_its_own_answer(api, admin_channels, channel):
    body = {"name": "Owner tool", "role": "owner"}
    first = api.post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="shared-key")
    assert first.status_code == 201

    response = admin_channels[channel].post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="shared-key")

    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"
    assert "secret" not in response.json()
    assert response.get("Idempotent-Replayed") != "true"
    assert ApiKey.objects.filter(role=Role.OWNER, name="Owner tool").count() == 1


def test_same_key_from_two_callers_does_the_work_for_each(api, admin_channels, tenant):
    body = {"email": "twice@example.in", "role": "staff"}
    first = api.post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="k-1")
    second = admin_channels["session"].post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first["Idempotent-Replayed"] == second["Idempotent-Replayed"] == "false"
    assert first.json()["id"] != second.json()["id"]
    assert Invitation.objects.for_tenant(tenant).count() == 2
    # and each caller still gets its own replay
    again = admin_channels["session"].post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again["Idempotent-Replayed"] == "true" and again.json() == second.json()


def test_a_person_and_their_own_api_key_are_different_callers(tenant, owner):
    key_client = ApiClient(make_key(tenant, owner, Role.OWNER))
    session = _session_api(owner, tenant)
    body = {"email": "each@example.in", "role": "staff"}
    assert (
        key_client.post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="mine")["Idempotent-Replayed"]
        == "false"
    )
    assert (
        session.post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="mine")["Idempotent-Replayed"] == "false"
    )


def test_api_key_secret_is_never_stored_and_a_repeat_says_it_was_shown_once(api, tenant):
    body = {"name": "Tally sync", "role": "staff"}
    created = api.post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="make-key-1")
    assert created.status_code == 201
    secret = created.json()["secret"]

    stored = json.dumps(list(IdempotencyKey.objects.values()), default=str)
    assert secret not in stored
    assert secret.split("_", 2)[2] not in stored

    repeat = api.post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="make-key-1")
    assert repeat.status_code == 409
    answer = repeat.json()
    assert set(answer) == {"code", "message", "fields"}
    assert answer["code"] == "idempotency_secret_not_kept"
    assert "Tally sync" in answer["message"] and "shown only once" in answer["message"]
    assert secret not in repeat.content.decode()
    assert ApiKey.objects.filter(name="Tally sync").count() == 1


def test_a_refused_key_creation_is_still_replayed(tenant, admin_user):
    admin_api = ApiClient(make_key(tenant, admin_user, Role.ADMIN))
    body = {"name": "Too high", "role": "owner"}
    first = admin_api.post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="refused-1")
    second = admin_api.post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="refused-1")
    assert first.status_code == second.status_code == 403
    assert second["Idempotent-Replayed"] == "true" and first.json() == second.json()


def test_django_admin_never_shows_a_stored_answer(api):
    api.post("/api/v1/members", {"email": "hidden-person@example.in"}, HTTP_IDEMPOTENCY_KEY="k-admin")
    record = IdempotencyKey.objects.get()
    assert "hidden-person@example.in" in json.dumps(record.response_body)
    root = Client()
    root.force_login(UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True))
    for url in [
        reverse("admin:core_idempotencykey_changelist"),
        reverse("admin:core_idempotencykey_change", args=[record.pk]),
    ]:
        page = root.get(url)
        assert page.status_code == 200, url
        assert "hidden-person" not in page.content.decode(), url


# --- multipart -------------------------------------------------------------------------------------


def _png(colour=(200, 150, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _multipart(client, content: bytes, *, key: str):
    """What an HTTP library sends: a fresh random boundary on every request."""
    boundary = uuid.uuid4().hex
    upload = io.BytesIO(content)
    upload.name = "bis-certificate.png"
    body = encode_multipart(boundary, {"kind": "bis_registration", "file": upload})
    return client.generic(
        "POST",
        "/api/v1/certificates",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY=key,
        **client._headers({}),
    )


@pytest.fixture
def owner_channels(tenant, owner):
    return {"api_key": ApiClient(make_key(tenant, owner, Role.OWNER)), "session": _session_api(owner, tenant)}


@pytest.mark.parametrize("channel", ["api_key", "session"])
def test_identical_multipart_retry_replays(certificates_in_tmp, owner_channels, channel):
    client = owner_channels[channel]
    first = _multipart(client, _png(), key="upload-1")
    second = _multipart(client, _png(), key="upload-1")
    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("channel", ["api_key", "session"])
def test_multipart_with_another_file_under_the_same_key_is_422(certificates_in_tmp, owner_channels, channel):
    client = owner_channels[channel]
    assert _multipart(client, _png(), key="upload-2").status_code == 201
    other = _multipart(client, _png(colour=(1, 2, 3)), key="upload-2")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Certificate.objects.count() == 1
