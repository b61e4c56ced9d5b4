import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import Certificate, Purity
from apps.inventory.services import (
    certificate_link,
    certificate_upload,
    hallmark_batch_send,
    stock_item_create,
)
from tests.inventory.conftest import PDF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificates_in_tmp")]


def _item(tenant, owner):
    return stock_item_create(
        tenant=tenant, actor=owner, name="Ring", purity=Purity.objects.get(karat="22K"), gross_weight="4"
    )


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
        batch=batch,
        upload=SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
    )
    stone = certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="stone",
        item=item,
        upload=SimpleUploadedFile("gia.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, "image/png"),
    )
    assert (bis.content_type, ahc.batch, stone.item, stone.content_type) == (
        "application/pdf",
        batch,
        item,
        "image/png",
    )
    assert bis.file.name.startswith(f"t{tenant.pk}/bis_registration/") and "bis.pdf" not in bis.file.name
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
    with pytest.raises(ValueError):  # an AHC report needs a batch, not an article
        certificate_upload(
            tenant=tenant,
            actor=owner,
            kind="ahc_report",
            item=item,
            upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
        )
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    certificate_upload(
        tenant=tenant,
        actor=owner,
        kind="stone",
        item=item,
        upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
    )
    assert sum(p.is_file() for p in tmp_path.rglob("*")) == 1
