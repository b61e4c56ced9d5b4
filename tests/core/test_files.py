import re
import time

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.signing import TimestampSigner
from storages.backends.s3 import S3Storage

from apps.core.files import FILE_SALT, private_file_url, tenant_upload_path, upload_name
from apps.tenants.models import Membership
from apps.tenants.services import membership_remove
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificates_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    storages._storages = {}  # the handler caches backends; settings changed
    yield storages["certificates"]
    storages._storages = {}


@pytest.fixture
def stored_file(certificates_storage, tenant):
    return certificates_storage.save(f"ahc_report/t{tenant.pk}/report.pdf", ContentFile(b"%PDF-1.4 report"))


def _link(name, user, tenant, filename=None):
    return private_file_url(
        alias="certificates", name=name, user_id=user.pk, tenant_id=tenant.pk, filename=filename
    )


def test_private_file_link_serves_the_file_to_its_user(client, owner, tenant, stored_file):
    client.force_login(owner)
    response = client.get(_link(stored_file, owner, tenant, filename="AHC report.pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="AHC report.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_private_file_link_is_useless_to_anyone_else(client, owner, tenant, stored_file):
    url = _link(stored_file, owner, tenant)
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_private_file_link_stops_working_once_its_user_leaves_the_tenant(
    client, owner, staff_user, tenant, stored_file
):
    url = _link(stored_file, staff_user, tenant)
    client.force_login(staff_user)
    assert client.get(url).status_code == 200
    membership_remove(
        tenant=tenant,
        actor=owner,
        actor_membership=Membership.objects.get(tenant=tenant, user=owner),
        membership=Membership.objects.get(tenant=tenant, user=staff_user),
    )
    assert client.get(url).status_code == 404


def test_private_file_link_to_a_file_outside_the_tenant_folder_is_refused(
    client, owner, tenant, other_tenant, certificates_storage
):
    theirs = certificates_storage.save(f"ahc_report/t{other_tenant.pk}/r.pdf", ContentFile(b"%PDF-1.4 x"))
    client.force_login(owner)
    assert client.get(_link(theirs, owner, tenant)).status_code == 404


def test_private_file_link_expires(client, owner, tenant, stored_file, settings):
    settings.PRIVATE_FILE_URL_EXPIRY_SECONDS = 1
    url = _link(stored_file, owner, tenant)
    client.force_login(owner)
    time.sleep(2.1)
    assert client.get(url).status_code == 404


def test_forged_link_is_refused(client, owner, tenant, stored_file):
    client.force_login(owner)
    claims = {"a": "certificates", "n": stored_file, "u": owner.pk, "t": tenant.pk, "f": ""}
    forged = TimestampSigner(salt="wrong").sign_object(claims)
    assert client.get(f"/files/{forged}").status_code == 404
    # A genuine signature for a public alias is refused too.
    public = TimestampSigner(salt=FILE_SALT).sign_object({**claims, "a": "public"})
    assert client.get(f"/files/{public}").status_code == 404


def test_public_alias_cannot_be_handed_out_as_private():
    with pytest.raises(ValueError):
        private_file_url(alias="public", name="logo.png", user_id=1, tenant_id=1)


def test_s3_storage_presigned_url_against_moto(certificates_in_s3):
    """The S3 path: django-storages writes to a bucket and hands out an expiring presigned URL."""
    storage = certificates_in_s3
    assert isinstance(storage, S3Storage)
    name = storage.save("ahc/t7/report.pdf", ContentFile(b"%PDF-1.4 in s3"))
    url = private_file_url(alias="certificates", name=name, user_id=7, tenant_id=7, filename="report.pdf")
    assert url.startswith("https://tijori-test-certificates.s3") or "tijori-test-certificates" in url
    assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    assert "response-content-disposition=attachment" in url
    assert "response-content-type=application%2Fpdf" in url
    with storage.open(name) as fh:
        assert fh.read() == b"%PDF-1.4 in s3"
    body = boto3.client("s3", region_name="ap-south-1").get_object(
        Bucket="tijori-test-certificates", Key=name
    )
    assert body["Body"].read() == b"%PDF-1.4 in s3"


def test_storage_aliases_match_the_design(settings):
    assert {"default", "public", "certificates", "invoices", "exports", "backups"} <= set(settings.STORAGES)


def test_stored_names_are_random_in_the_tenant_folder_and_never_the_clients():
    names = {tenant_upload_path(folder="logos", tenant_id=3, filename=upload_name("image/png")) for _ in "ab"}
    assert len(names) == 2
    assert all(re.fullmatch(r"logos/t3/[0-9a-f]{32}\.png", name) for name in names)
    for client_name in ("poc.html", "poc.svg", "poc", "poc.png.html"):
        with pytest.raises(ValueError):
            tenant_upload_path(folder="logos", tenant_id=3, filename=client_name)


def test_a_public_file_stored_under_an_html_name_is_served_as_inert_bytes(client):
    """A logo stored before names were ours may end in .html: it must not run as a page of our site."""
    storage = storages["public"]
    name = storage.save("logos/2026/01/poc.html", ContentFile(b"<script>fetch('/api/v1/me')</script>"))
    try:
        response = client.get(f"/media/public/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"
    finally:
        storage.delete(name)


@pytest.mark.parametrize("path", ["../default/x.csv", "logos/", "logos/missing.png", "%2e%2e/secret"])
def test_public_media_outside_the_folder_or_missing_is_404(client, path):
    assert client.get(f"/media/public/{path}").status_code == 404
