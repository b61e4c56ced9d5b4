"""A GSTIN is claimed by verification, not by typing: the certificate, the review, and what clears it."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from pypdf import PdfWriter

from apps.audit.models import AuditEvent
from apps.tenants import services
from apps.tenants.exceptions import GstinReviewError
from apps.tenants.models import Tenant
from tests.tenants.factories import certificate_png, gstin_for, gstin_verified, platform_admin

pytestmark = pytest.mark.django_db

GSTIN = gstin_for("27")


@pytest.fixture
def shop(tenant, owner, certificates_in_tmp):
    """Shop A with a GSTIN typed in, nothing uploaded yet."""
    return services.tenant_update(
        tenant=tenant, actor=owner, name=tenant.name, state_code="27", gstin=GSTIN, address="1 Zaveri Bazaar"
    )


@pytest.fixture
def twin(other_tenant, other_owner, certificates_in_tmp):
    """Shop B, which typed the same GSTIN as shop A."""
    other_tenant = services.tenant_update(
        tenant=other_tenant,
        actor=other_owner,
        name=other_tenant.name,
        state_code="27",
        gstin=GSTIN,
        address="",
    )
    return services.tenant_gstin_certificate_upload(
        tenant=other_tenant, actor=other_owner, upload=certificate_png()
    )


def _actions(tenant) -> list[str]:
    return list(AuditEvent.objects.filter(tenant=tenant).order_by("pk").values_list("action", flat=True))


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the certificate ---------------------------------------------------------------------------------


def test_uploading_the_certificate_stores_it_privately_under_our_name_and_awaits_review(
    shop, owner, certificates_in_tmp
):
    shop = services.tenant_gstin_certificate_upload(
        tenant=shop, actor=owner, upload=SimpleUploadedFile("REG-06 <script>.pdf", _pdf())
    )
    assert shop.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW
    assert shop.gstin_certificate_name == "REG-06 <script>.pdf"  # shown back, never used to store
    stored = shop.gstin_certificate.name
    assert stored.startswith(f"gst_registration/t{shop.pk}/") and stored.endswith(".pdf")
    assert (certificates_in_tmp / stored).read_bytes()[:5] == b"%PDF-"
    assert _actions(shop)[-1] == "tenant.gstin_certificate"


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("cert.pdf", b"<html>not a pdf</html>"), "must be a PDF, PNG or JPEG"),
        (SimpleUploadedFile("cert.pdf", b"%PDF-1.7 broken"), "can't be read as one"),
        (SimpleUploadedFile("cert.png", b""), "empty"),
        (SimpleUploadedFile("cert.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)), "the limit is 5120 KB"),
    ],
)
def test_a_certificate_is_checked_by_content_and_size(shop, owner, certificates_in_tmp, upload, message):
    before = _actions(shop)
    with pytest.raises(ValidationError) as caught:
        services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=upload)
    assert message in " ".join(caught.value.message_dict["certificate"])
    shop.refresh_from_db()
    assert not shop.gstin_certificate and _actions(shop) == before
    assert not any(certificates_in_tmp.rglob("*.*"))  # nothing half-written


def test_no_certificate_without_a_gstin_or_for_a_personal_workspace(tenant, owner, certificates_in_tmp):
    with pytest.raises(ValidationError, match="Enter the shop's GSTIN"):
        services.tenant_gstin_certificate_upload(tenant=tenant, actor=owner, upload=certificate_png())
    personal = services.tenant_create(owner=owner, kind="personal", name="Builds")
    with pytest.raises(ValidationError, match="Only a jewellery shop"):
        services.tenant_gstin_certificate_upload(tenant=personal, actor=owner, upload=certificate_png())


def test_a_new_certificate_replaces_the_old_file_and_reopens_a_rejected_review(
    shop, owner, certificates_in_tmp, django_capture_on_commit_callbacks
):
    shop = services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    first = shop.gstin_certificate.name
    shop = services.tenant_gstin_reject(tenant=shop, actor=platform_admin(), reason="Blurred photo")
    assert shop.gstin_status == Tenant.GstinStatus.REJECTED
    with django_capture_on_commit_callbacks(execute=True):
        shop = services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    assert shop.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW and shop.gstin_rejection_reason == ""
    assert (
        not (certificates_in_tmp / first).exists()
        and (certificates_in_tmp / shop.gstin_certificate.name).exists()
    )


def test_a_verified_gstin_needs_no_new_certificate(shop, certificates_in_tmp, owner):
    shop = gstin_verified(shop)
    stored = shop.gstin_certificate.name
    with pytest.raises(ValidationError, match="already verified"):
        services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    shop.refresh_from_db()
    assert shop.gstin_certificate.name == stored and shop.gstin_status == Tenant.GstinStatus.VERIFIED


# --- the review --------------------------------------------------------------------------------------


def test_a_super_admin_verifies_from_the_certificate_and_it_is_audited(shop, owner, certificates_in_tmp):
    shop = services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    root = platform_admin()
    shop = services.tenant_gstin_verify(tenant=shop, actor=root)
    assert shop.gstin_status == Tenant.GstinStatus.VERIFIED and shop.gstin_verified_by == root
    event = AuditEvent.objects.filter(tenant=shop).latest("pk")
    assert (event.action, event.actor) == ("tenant.gstin_verify", root)
    assert GSTIN in event.summary


def test_nothing_to_verify_without_a_certificate(shop):
    with pytest.raises(GstinReviewError, match="has not uploaded"):
        services.tenant_gstin_verify(tenant=shop, actor=platform_admin())
    shop.refresh_from_db()
    assert shop.gstin_verified_at is None


def test_a_gstin_verified_for_one_shop_blocks_its_verification_for_another(shop, twin, owner):
    shop = services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    gstin_verified(twin)
    before = _actions(shop)

    with pytest.raises(GstinReviewError) as caught:
        services.tenant_gstin_verify(tenant=shop, actor=platform_admin())

    # The super admin is told who holds it; the shop itself is told nothing (its status is unchanged).
    assert twin.name in caught.value.message and GSTIN in caught.value.message
    assert caught.value.extra == {"holder_id": twin.pk}
    shop.refresh_from_db()
    assert shop.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW and _actions(shop) == before


def test_the_database_keeps_a_verified_gstin_unique_among_verified_shops(shop, twin):
    gstin_verified(twin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenant.objects.filter(pk=shop.pk).update(gstin_verified_at=timezone.now())
    Tenant.objects.filter(pk=twin.pk).update(gstin_verified_at=None)
    Tenant.objects.filter(pk=shop.pk).update(gstin_verified_at=timezone.now())  # once the other's is gone


def test_a_rejection_needs_a_reason_the_shop_can_read(shop, owner):
    shop = services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    before = _actions(shop)
    for reason in ("", "   ", "x" * 301):
        with pytest.raises(ValidationError) as caught:
            services.tenant_gstin_reject(tenant=shop, actor=platform_admin(), reason=reason)
        assert "reason" in caught.value.message_dict
    assert _actions(shop) == before

    shop = services.tenant_gstin_reject(
        tenant=shop, actor=platform_admin(), reason="  The certificate is\n  for another GSTIN. "
    )
    assert shop.gstin_status == Tenant.GstinStatus.REJECTED
    assert shop.gstin_rejection_reason == "The certificate is for another GSTIN."
    event = AuditEvent.objects.filter(tenant=shop).latest("pk")
    assert event.action == "tenant.gstin_reject" and "for another GSTIN" in event.summary


def test_rejecting_a_verified_gstin_withdraws_the_verification(shop, twin):
    shop = gstin_verified(shop)
    shop = services.tenant_gstin_reject(tenant=shop, actor=platform_admin(), reason="Verified by mistake")
    assert shop.gstin_verified_at is None and shop.gstin_verified_by is None
    assert "withdrawn" in AuditEvent.objects.filter(tenant=shop).latest("pk").summary
    assert services.tenant_gstin_verify(tenant=twin, actor=platform_admin()).gstin_is_verified  # now free


# --- changing the GSTIN ------------------------------------------------------------------------------


def test_changing_a_verified_gstin_clears_the_verification_and_audits_it(shop, owner):
    shop = gstin_verified(shop)
    new = gstin_for("27", pan="AAACB1234C")
    shop = services.tenant_update(
        tenant=shop, actor=owner, name=shop.name, state_code="27", gstin=new, address=shop.address
    )
    shop.refresh_from_db()
    assert shop.gstin == new and shop.gstin_verified_at is None and shop.gstin_verified_by is None
    assert shop.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW  # the certificate is checked again
    event = AuditEvent.objects.get(tenant=shop, action="tenant.gstin_unverify")
    assert GSTIN in event.summary and new in event.summary


def test_saving_the_profile_with_the_same_gstin_keeps_the_verification(shop, owner):
    shop = gstin_verified(shop)
    services.tenant_update(
        tenant=shop,
        actor=owner,
        name="Shop A Gold",
        state_code="27",
        gstin=GSTIN.lower(),
        address=shop.address,
    )
    shop.refresh_from_db()
    assert shop.gstin_status == Tenant.GstinStatus.VERIFIED
    assert not AuditEvent.objects.filter(tenant=shop, action="tenant.gstin_unverify").exists()


def test_correcting_a_rejected_gstin_clears_the_reason_for_a_new_review(shop, owner):
    shop = services.tenant_gstin_certificate_upload(tenant=shop, actor=owner, upload=certificate_png())
    services.tenant_gstin_reject(tenant=shop, actor=platform_admin(), reason="The certificate shows 27AAACB…")
    shop = services.tenant_update(
        tenant=shop, actor=owner, name=shop.name, state_code="27", gstin=gstin_for("27", pan="AAACB1234C"),
        address=shop.address,
    )  # fmt: skip
    assert shop.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW and shop.gstin_rejection_reason == ""
