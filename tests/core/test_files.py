import time

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.signing import TimestampSigner
from storages.backends.s3 import S3Storage

from apps.core.files import FILE_SALT, private_file_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_file(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    storages._storages = {}  # the handler caches backends; settings changed
    name = storages["certificates"].save("ahc/report.pdf", ContentFile(b"%PDF-1.4 report"))
    yield name
    storages._storages = {}


def test_private_file_link_serves_the_file_to_its_user(client, owner, stored_file):
    client.force_login(owner)
    url = private_file_url(
        alias="certificates", name=stored_file, user_id=owner.pk, filename="AHC report.pdf"
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="AHC report.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_private_file_link_is_useless_to_anyone_else(client, owner, stored_file):
    url = private_file_url(alias="certificates", name=stored_file, user_id=owner.pk)
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_private_file_link_expires(client, owner, stored_file, settings):
    settings.PRIVATE_FILE_URL_EXPIRY_SECONDS = 1
    url = private_file_url(alias="certificates", name=stored_file, user_id=owner.pk)
    client.force_login(owner)
    time.sleep(2.1)
    assert client.get(url).status_code == 404


def test_forged_link_is_refused(client, owner, stored_file):
    client.force_login(owner)
    forged = TimestampSigner(salt="wrong").sign_object(
        {"a": "certificates", "n": stored_file, "u": owner.pk, "f": ""}
    )
    assert client.get(f"/files/{forged}").status_code == 404
    # A genuine signature for a public alias is refused too.
    public = TimestampSigner(salt=FILE_SALT).sign_object({"a": "public", "n": "x", "u": owner.pk, "f": ""})
    assert client.get(f"/files/{public}").status_code == 404


def test_public_alias_cannot_be_handed_out_as_private():
    with pytest.raises(ValueError):
        private_file_url(alias="public", name="logo.png", user_id=1)


def test_s3_storage_presigned_url_against_moto(certificates_in_s3):
    """The S3 path: django-storages writes to a bucket and hands out an expiring presigned URL."""
    storage = certificates_in_s3
    assert isinstance(storage, S3Storage)
    name = storage.save("ahc/report.pdf", ContentFile(b"%PDF-1.4 in s3"))
    url = private_file_url(alias="certificates", name=name, user_id=7, filename="report.pdf")
    assert url.startswith("https://tijori-test-certificates.s3") or "tijori-test-certificates" in url
    assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    assert "response-content-disposition" in url
    with storage.open(name) as fh:
        assert fh.read() == b"%PDF-1.4 in s3"
    body = boto3.client("s3", region_name="ap-south-1").get_object(
        Bucket="tijori-test-certificates", Key=name
    )
    assert body["Body"].read() == b"%PDF-1.4 in s3"


def test_storage_aliases_match_the_design(settings):
    assert {"default", "public", "certificates", "invoices", "exports", "backups"} <= set(settings.STORAGES)
