"""The certificate API (`apps/inventory/api/certificates.py`): upload, list, download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from apps.audit.models import AuditEvent
from apps.inventory.models import Certificate, HallmarkBatch, StockItem
from apps.inventory.services import (
    certificate_upload,
)
from tests.inventory.conftest import PDF, PNG
from tests.inventory.factories import HallmarkBatchFactory, StockItemFactory

pytestmark = pytest.mark.django_db


def make_item(tenant, user, name="Chain", **values) -> StockItem:
    return StockItemFactory(tenant=tenant, actor=user, name=name, **values)


def send(tenant, user, items, request_number="REQ-1", **values) -> HallmarkBatch:
    return HallmarkBatchFactory(
        tenant=tenant, actor=user, items=items, request_number=request_number, **values
    )


def upload(api, **fields):
    return api.post("/api/v1/certificates", fields, content_type=MULTIPART_CONTENT)


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def test_upload_retrieve_list_and_download(api, tenant, owner, certificates_dir):
    item = make_item(tenant, owner)
    created = upload(
        api, kind="stone", item=item.pk, file=SimpleUploadedFile("gia report.png", PNG, "image/png")
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["kind"],
        body["item"],
        body["batch"],
        body["content_type"],
        body["original_name"],
        body["size"],
    ) == (
        "stone",
        item.pk,
        None,
        "image/png",
        "gia report.png",
        len(PNG),
    )
    assert body["download_url"] == f"http://testserver/api/v1/certificates/{body['id']}/download"
    assert api.get(f"/api/v1/certificates/{body['id']}").json() == body
    assert [c["id"] for c in api.get("/api/v1/certificates", {"item": item.pk}).json()["results"]] == [
        body["id"]
    ]
    assert api.get("/api/v1/certificates", {"kind": "ahc_report"}).json()["count"] == 0

    download = api.get(body["download_url"], HTTP_ACCEPT="image/png")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and "gia report.png" in download["Content-Disposition"]
    )
    assert "no-store" in download["Cache-Control"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    assert len(files_in(certificates_dir)) == 1


def test_an_upload_named_html_is_stored_and_downloaded_as_what_it_is(api, tenant, owner):
    item = make_item(tenant, owner)
    created = upload(api, kind="stone", item=item.pk, file=SimpleUploadedFile("poc.html", PNG, "text/html"))
    assert created.status_code == 201, created.json()
    certificate = Certificate.objects.get(pk=created.json()["id"])
    assert certificate.file.name.endswith(".png") and "poc" not in certificate.file.name
    download = api.get(created.json()["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="poc.png"'
    assert download["Content-Security-Policy"] == "sandbox"


def test_ahc_report_for_a_batch(api, tenant, owner):
    batch = send(tenant, owner, [make_item(tenant, owner)])
    created = upload(api, kind="ahc_report", batch=batch.pk, file=pdf())
    assert created.status_code == 201, created.json()
    assert created.json()["batch"] == batch.pk
    listed = api.get("/api/v1/certificates", {"batch": batch.pk}).json()
    assert [c["id"] for c in listed["results"]] == [created.json()["id"]]


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"kind": "ahc_report", "batch": "theirs"}, "batch", "no such hallmarking batch"),
        ({"kind": "ahc_report", "batch": 999999}, "batch", "no such hallmarking batch"),
        ({"kind": "ahc_report", "batch": 2**70}, "batch", "less than or equal to"),
        ({"kind": "ahc_report", "batch": "B-1"}, "batch", "valid integer"),
        ({"kind": "ahc_report"}, "batch", "Name the hallmarking batch"),
        ({"kind": "ahc_report", "batch": "mine", "item": "mine"}, "item", "not attached to any article"),
        ({"kind": "stone", "item": "theirs"}, "item", "no such article"),
        ({"kind": "stone", "item": 999999}, "item", "no such article"),
        ({"kind": "stone", "batch": "mine"}, "item", "Name the article"),
        ({"kind": "bis_registration", "item": "mine"}, "item", "not attached to any article"),
        ({"kind": "warranty"}, "kind", "not a valid choice"),
        ({"kind": "bis_registration", "file": "fake"}, "file", "PDF, PNG or JPEG"),
        ({"kind": "bis_registration", "file": "not_pdf"}, "file", "can't be read as one"),
        ({"kind": "bis_registration", "file": "not_png"}, "file", "PDF, PNG or JPEG"),
        ({"kind": "bis_registration", "file": "empty"}, "file", "empty"),
        ({"kind": "bis_registration", "file": "big"}, "file", "the limit is"),
        ({"kind": "bis_registration", "file": None}, "file", "No file was submitted"),
    ],
)
def test_bad_upload_is_400_on_its_field_and_keeps_nothing(
    api, tenant, owner, other_tenant, other_owner, certificates_dir, fields, field, message
):
    mine = {"batch": send(tenant, owner, [make_item(tenant, owner)]), "item": make_item(tenant, owner)}
    theirs = {
        "batch": send(other_tenant, other_owner, [make_item(other_tenant, other_owner)]),
        "item": make_item(other_tenant, other_owner),
    }
    files = {
        "fake": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 executable", "application/pdf"),
        "not_pdf": SimpleUploadedFile("x.pdf", b"%PDF-1.7\n<script>alert(1)</script>", "application/pdf"),
        "not_png": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "image/png"),
        "empty": SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
        "big": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf"),
    }
    data = {"file": pdf()}
    for name, value in fields.items():
        if name in ("batch", "item") and value in ("mine", "theirs"):
            value = {"mine": mine, "theirs": theirs}[value][name].pk
        elif name == "file":
            value = files.get(value)
            if value is None:
                continue
        data[name] = value
    if fields.get("file", "") is None:
        del data["file"]
    events = AuditEvent.objects.count()
    response = upload(api, **data)
    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["fields"][field]), response.json()
    assert not Certificate.objects.exists()
    assert not files_in(certificates_dir)
    assert AuditEvent.objects.count() == events


def test_a_request_over_the_upload_limit_is_a_400(api, certificates_dir):
    huge = SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "application/pdf")
    response = api.post(
        "/api/v1/certificates",
        {"kind": "bis_registration", "file": huge},
        content_type=MULTIPART_CONTENT,
        HTTP_IDEMPOTENCY_KEY="huge-1",  # keyed or not, the answer names the file's limit
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "the limit is 5120 KB" in response.json()["fields"]["file"][0]
    assert not Certificate.objects.exists() and not files_in(certificates_dir)


def test_a_json_upload_is_refused_on_the_file_field(api):
    response = api.post("/api/v1/certificates", {"kind": "bis_registration", "file": "JVBERi0xLjQ="})
    assert response.status_code == 400 and "not a file" in response.json()["fields"]["file"][0]


def test_upload_is_idempotent_with_a_key(api):
    first = api.post(
        "/api/v1/certificates",
        {"kind": "bis_registration", "file": pdf("bis.pdf")},
        content_type=MULTIPART_CONTENT,
        HTTP_IDEMPOTENCY_KEY="bis-1",
    )
    replay = api.post(
        "/api/v1/certificates",
        {"kind": "bis_registration", "file": pdf("bis.pdf")},
        content_type=MULTIPART_CONTENT,
        HTTP_IDEMPOTENCY_KEY="bis-1",
    )
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert Certificate.objects.count() == 1


def test_staff_upload_article_certificates_but_only_admins_the_bis_registration(
    tenant, owner, staff_api, admin_api, certificates_dir
):
    item = make_item(tenant, owner)
    assert upload(staff_api, kind="stone", item=item.pk, file=pdf()).status_code == 201
    refused = upload(staff_api, kind="bis_registration", file=pdf("bis.pdf"))
    assert refused.status_code == 403 and "owners and admins" in refused.json()["message"]
    assert Certificate.objects.count() == 1 and len(files_in(certificates_dir)) == 1
    assert upload(admin_api, kind="bis_registration", file=pdf("bis.pdf")).status_code == 201
    assert staff_api.get("/api/v1/certificates").json()["count"] == 2


def test_another_tenants_certificate_is_not_found(api, other_tenant, other_owner):
    theirs = certificate_upload(
        tenant=other_tenant,
        actor=other_owner,
        kind="stone",
        item_id=make_item(other_tenant, other_owner).pk,
        upload=pdf(),
    )
    for url in (f"/api/v1/certificates/{theirs.pk}", f"/api/v1/certificates/{theirs.pk}/download"):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get("/api/v1/certificates", {"item": theirs.item_id}).json()["count"] == 0


def test_download_of_a_missing_file_is_404(api, tenant, owner):
    certificate = certificate_upload(tenant=tenant, actor=owner, kind="bis_registration", upload=pdf())
    certificate.file.storage.delete(certificate.file.name)
    response = api.get(f"/api/v1/certificates/{certificate.pk}/download")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.usefixtures("certificates_in_s3")
def test_download_from_s3_redirects_to_a_presigned_link(api, tenant, owner):
    certificate = certificate_upload(
        tenant=tenant, actor=owner, kind="bis_registration", upload=pdf("bis.pdf")
    )
    response = api.get(f"/api/v1/certificates/{certificate.pk}/download")
    assert response.status_code == 302
    assert "tijori-test-certificates" in response["Location"] and "X-Amz-Signature=" in response["Location"]


def test_certificate_list_query_count_is_flat(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    item = make_item(tenant, owner)
    for n in range(3):
        certificate_upload(tenant=tenant, actor=owner, kind="stone", item_id=item.pk, upload=pdf(f"{n}.pdf"))
    api.get("/api/v1/certificates")
    with django_assert_max_num_queries(10) as first:
        api.get("/api/v1/certificates")
    for n in range(3, 30):
        certificate_upload(tenant=tenant, actor=owner, kind="stone", item_id=item.pk, upload=pdf(f"{n}.pdf"))
    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get("/api/v1/certificates")
    assert response.json()["count"] == 30
