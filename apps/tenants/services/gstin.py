"""A shop's GSTIN is claimed by verification, not by typing.

Any shop may type any valid GSTIN, even one another shop typed, and nothing said to it reveals that
the GSTIN is known here. The shop uploads its GST registration certificate (kept in the private
`certificates` storage); a super admin compares it with the GSTIN and verifies or rejects it. A
verified GSTIN is unique among verified shops (a partial unique index), and issuing GST invoices
needs one. Changing the GSTIN withdraws the verification.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.files import certificate_type, private_file_url, upload_name
from apps.tenants import selectors
from apps.tenants.exceptions import GstinReviewError
from apps.tenants.models import Tenant

if TYPE_CHECKING:
    from apps.accounts.models import User

REJECTION_REASON_MAX = Tenant._meta.get_field("gstin_rejection_reason").max_length


@transaction.atomic
def tenant_gstin_certificate_upload(*, tenant: Tenant, actor: User | None, upload: UploadedFile) -> Tenant:
    """Store the shop's GST registration certificate for review, replacing an earlier one.

    A rejected GSTIN goes back to "awaiting review". A verified one needs no new certificate (the
    shop changes its GSTIN first, which withdraws the verification). Who may upload (owners and
    admins) is the caller's to check.
    """
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if not tenant.is_shop:
        raise ValidationError({"certificate": ["Only a jewellery shop has a GSTIN to verify."]})
    if not tenant.gstin:
        raise ValidationError(
            {
                "certificate": [
                    "Enter the shop's GSTIN in the profile first: the certificate is checked against it."
                ]
            }
        )
    if tenant.gstin_verified_at:
        raise ValidationError(
            {
                "certificate": [
                    f"GSTIN {tenant.gstin} is already verified. A new certificate is needed only when the "
                    "GSTIN changes."
                ]
            }
        )
    content_type = certificate_type(upload, field="certificate")
    storage = tenant.gstin_certificate.storage
    old_name = tenant.gstin_certificate.name
    tenant.gstin_certificate.save(upload_name(content_type), upload, save=False)
    new_name = tenant.gstin_certificate.name
    tenant.gstin_certificate_name = posixpath.basename((upload.name or "").replace("\\", "/"))[-200:]
    tenant.gstin_certificate_uploaded_at = timezone.now()
    tenant.gstin_rejection_reason = ""
    try:
        tenant.full_clean(validate_unique=False, validate_constraints=False)
        tenant.save(
            update_fields=[
                "gstin_certificate",
                "gstin_certificate_name",
                "gstin_certificate_uploaded_at",
                "gstin_rejection_reason",
                "updated_at",
            ]
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tenant.gstin_certificate",
            target=tenant,
            summary=f"Uploaded the GST registration certificate “{tenant.gstin_certificate_name or 'file'}” "
            f"for GSTIN {tenant.gstin}",
        )
    except BaseException:
        storage.delete(new_name)  # no orphan file for a change that was never saved
        raise
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return tenant


def tenant_gstin_certificate_link(*, tenant: Tenant, user: User) -> str:
    """An expiring link to the certificate, for a member the caller has checked may see it."""
    return private_file_url(
        alias="certificates",
        name=tenant.gstin_certificate.name,
        user_id=user.pk,
        tenant_id=tenant.pk,
        filename=tenant.gstin_certificate_name or "gst-registration-certificate",
    )


@transaction.atomic
def tenant_gstin_verify(*, tenant: Tenant, actor: User) -> Tenant:
    """A super admin confirms, from the uploaded certificate, that the GSTIN is the shop's.

    Refused when another shop's verification of the same GSTIN stands: the message names that shop,
    for the super admin only; the shop itself is never told.
    """
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if not tenant.gstin:
        raise GstinReviewError(f"{tenant.name} has no GSTIN to verify.")
    if tenant.gstin_verified_at:
        raise GstinReviewError(f"GSTIN {tenant.gstin} of {tenant.name} is already verified.")
    if not tenant.gstin_certificate:
        raise GstinReviewError(
            f"{tenant.name} has not uploaded its GST registration certificate: there is nothing to "
            "verify the GSTIN against yet."
        )
    holder = selectors.tenant_gstin_holder(gstin=tenant.gstin, exclude_id=tenant.pk)
    if holder is not None:
        raise _held_elsewhere(tenant, holder)
    tenant.gstin_verified_at = timezone.now()
    tenant.gstin_verified_by = actor
    tenant.gstin_rejection_reason = ""
    try:
        with transaction.atomic():
            tenant.save(
                update_fields=[
                    "gstin_verified_at",
                    "gstin_verified_by",
                    "gstin_rejection_reason",
                    "updated_at",
                ]
            )
    except IntegrityError:  # another shop's GSTIN was verified at the same moment
        holder = selectors.tenant_gstin_holder(gstin=tenant.gstin, exclude_id=tenant.pk)
        raise _held_elsewhere(tenant, holder) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        action="tenant.gstin_verify",
        target=tenant,
        summary=f"GSTIN {tenant.gstin} verified from the GST registration certificate",
    )
    return tenant


def _held_elsewhere(tenant: Tenant, holder: Tenant | None) -> GstinReviewError:
    other = f"{holder.name} (tenant #{holder.pk})" if holder else "Another shop"
    return GstinReviewError(
        f"{other} already holds GSTIN {tenant.gstin} verified, so it can't be verified for {tenant.name} "
        "as well. Reject this one with the reason, or first withdraw the other shop's verification if "
        "that one was a mistake.",
        extra={"holder_id": holder.pk if holder else None},
    )


@transaction.atomic
def tenant_gstin_reject(*, tenant: Tenant, actor: User, reason: str) -> Tenant:
    """A super admin refuses the GSTIN (or withdraws its verification), saying why; the shop sees the reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": ["Say why the GSTIN can't be verified: the shop reads this on its dashboard."]}
        )
    if len(reason) > REJECTION_REASON_MAX:
        raise ValidationError(
            {"reason": [f"Keep the reason within {REJECTION_REASON_MAX} characters; it has {len(reason)}."]}
        )
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if not tenant.gstin:
        raise GstinReviewError(f"{tenant.name} has no GSTIN to reject.")
    was_verified = tenant.gstin_verified_at is not None
    tenant.gstin_verified_at = None
    tenant.gstin_verified_by = None
    tenant.gstin_rejection_reason = reason
    tenant.save(
        update_fields=["gstin_verified_at", "gstin_verified_by", "gstin_rejection_reason", "updated_at"]
    )
    verb = "Verification of GSTIN {} withdrawn" if was_verified else "GSTIN {} not verified"
    audit_record(
        tenant=tenant,
        actor=actor,
        action="tenant.gstin_reject",
        target=tenant,
        summary=f"{verb.format(tenant.gstin)}: {reason}",
    )
    return tenant


def tenant_gstin_review_reset(*, tenant: Tenant, actor: User | None, old_gstin: str) -> None:
    """The GSTIN changed (unsaved): the review was of the old one, so it starts again from the certificate.

    Part of `tenant_update`, inside its transaction; a withdrawn verification is audited on its own.
    """
    was_verified = tenant.gstin_verified_at is not None
    tenant.gstin_verified_at = None
    tenant.gstin_verified_by = None
    tenant.gstin_rejection_reason = ""
    if was_verified:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tenant.gstin_unverify",
            target=tenant,
            summary=f"GSTIN changed from {old_gstin} to {tenant.gstin or 'none'}: the verification of "
            f"{old_gstin} no longer applies, and the new GSTIN needs verifying",
        )
