"""Certificate services (`services/certificates.py`): checked by content, stored privately, linked."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import Certificate, Purity
from apps.inventory.services import (
    bis_registration_update,
    certificate_link,
    certificate_upload,
    hallmark_batch_send,
    stock_item_create,
)
from tests.inventory.conftest import PDF, PNG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificates_in_tmp")]


def _item(tenant, owner):
    return stock_item_create(
        tenant=tenant, actor=owner, name="Ring", purity=Purity.objects.get(karat="22K"), gross_weight="4"
    )


NOT_PDF = "starts like a PDF but can't be read as one"


NOT_ACCEPTED = "must be a PDF, PNG or JPEG"


def test_each_kind_attaches_to_its_owner_and_is_served_only_by_link(client, tenant, owner, other_owner):
    item = _item(tenant, owner)
    batch = hallmark_batch_send(
        tenant=tenant,
        actor=owner,
        centre_name="AHC",
        request_number="R1",
        sent_on=timezone.localdate(),
        item_ids=[item.pk],
    )
    bis = certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="bis_registration",
        upload=SimpleUploadedFile("bis.pdf", PDF, "application/pdf"),
    )
    ahc = certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="ahc_report",
        batch_id=batch.pk,
        upload=SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
    )
    stone = certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="stone",
        item_id=item.pk,
        upload=SimpleUploadedFile("gia.png", PNG, "image/png"),
    )
    assert (bis.content_type, ahc.batch, stone.item, stone.content_type) == (
        "application/pdf",
        batch,
        item,
        "image/png",
    )
    assert bis.file.name.startswith(f"bis_registration/t{tenant.pk}/") and "bis" not in bis.stored_name
    assert AuditEvent.objects.filter(action="certificate.upload").count() == 3
    link = certificate_link(certificate=ahc, user=owner)
    client.force_login(owner)
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(other_owner)
    assert client.get(link).status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("fake.pdf", b"MZ\x90\x00 executable", "PDF, PNG or JPEG"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "the limit is"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(tenant, owner, tmp_path, name, content, message):
    with pytest.raises(ValidationError) as exc:
        certificate_upload(
            tenant=tenant,
            actor=owner,
            kind="bis_registration",
            upload=SimpleUploadedFile(name, content, "application/pdf"),
        )
    assert message in str(exc.value)
    assert not Certificate.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_refused_certificate_stores_no_file(tenant, owner, tmp_path):
    item = _item(tenant, owner)
    with pytest.raises(ValidationError) as refused:  # an AHC report needs a batch, not an article
        certificate_upload(
            tenant=tenant,
            actor=owner,
            kind="ahc_report",
            item_id=item.pk,
            upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
        )
    assert refused.value.message_dict == {
        "batch": ["Name the hallmarking batch this certificate is for."],
        "item": ["Leave this out: a Hallmarking centre (AHC) report is not attached to any article."],
    }
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="stone",
        item_id=item.pk,
        upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
    )
    assert sum(p.is_file() for p in tmp_path.rglob("*")) == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"%PDF-1.7\n<html><script>fetch('/api/v1/me')</script></html>", NOT_PDF),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", NOT_PDF),  # no pages
        (PDF[: len(PDF) // 2], NOT_PDF),  # cut short
        (b"\x89PNG\r\n\x1a\n<html><script>fetch('/api/v1/me')</script></html>", NOT_ACCEPTED),
        (b"\xff\xd8\xff<html></html>", NOT_ACCEPTED),
    ],
    ids=["pdf-html", "pdf-no-pages", "pdf-cut-short", "png-html", "jpeg-html"],
)
def test_a_file_that_only_starts_like_an_accepted_type_is_refused(tenant, owner, tmp_path, content, message):
    with pytest.raises(ValidationError) as exc:
        certificate_upload(
            tenant=tenant,
            actor=owner,
            kind="bis_registration",
            upload=SimpleUploadedFile("bis.pdf", content, "application/pdf"),
        )
    assert message in str(exc.value)
    assert not Certificate.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.parametrize(
    "name, content, kind, extension",
    [("poc.html", PNG, "image/png", "png"), ("scan.png", PDF, "application/pdf", "pdf")],
    ids=["png-named-html", "pdf-named-png"],
)
def test_stored_name_is_ours_with_the_extension_of_what_the_file_is(
    client, tenant, owner, name, content, kind, extension
):
    item = _item(tenant, owner)
    certificate = certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="stone",
        item_id=item.pk,
        upload=SimpleUploadedFile(name, content, "text/html"),
    )
    assert certificate.content_type == kind and certificate.original_name == name
    assert re.fullmatch(rf"stone/t{tenant.pk}/[0-9a-f]{{32}}\.{extension}", certificate.file.name)
    client.force_login(owner)
    served = client.get(certificate_link(certificate=certificate, user=owner))
    assert served.status_code == 200 and served["Content-Type"] == kind
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    stem = name.rsplit(".", 1)[0]
    assert served["Content-Disposition"] == f'attachment; filename="{stem}.{extension}"'


def test_a_bis_registration_number_longer_than_the_shops_record_holds_is_refused_on_its_field(tenant, owner):
    with pytest.raises(ValidationError) as refused:
        bis_registration_update(
            tenant=tenant,
            actor=owner,
            number="HM/C-" + "1" * 36,
            valid_until=timezone.localdate() + timedelta(days=400),
        )
    assert list(refused.value.message_dict) == ["number"]
    tenant.refresh_from_db()
    assert (tenant.bis_registration_number, tenant.bis_registration_valid_until) == ("", None)
    assert not AuditEvent.objects.for_tenant(tenant).filter(action="tenant.bis_registration").exists()
