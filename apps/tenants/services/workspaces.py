"""Creating and changing workspaces: tenants (shops and personal workspaces) and their profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from apps.audit.services import audit_record
from apps.billing.services import contract_start_trial
from apps.core.files import image_type, upload_name
from apps.core.rls import tenant_scope
from apps.gst.validators import gstin_validate
from apps.tenants.models import Membership, Role, Tenant
from apps.tenants.services.gstin import tenant_gstin_review_reset

if TYPE_CHECKING:
    from apps.accounts.models import User

LOGO_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:48] or "workspace"
    slug = base
    while Tenant.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def tenant_gst_fields_check(*, kind: str, state_code: str, gstin: str) -> str:
    """Validate a shop's state and GSTIN together; returns the canonical GSTIN ('' when none).

    A shop needs its state (it decides how GST is charged); a GSTIN must be valid and start with that
    state's code. Every writer of the profile (pages, API, admin) asks here. Whether another shop typed
    the same GSTIN is never checked nor told: typing claims nothing (see `services.gstin`).
    """
    errors: dict[str, list] = {}
    if kind == Tenant.Kind.SHOP and not state_code:
        errors["state_code"] = ["Choose the state the shop is in: it decides how GST is charged."]
    if gstin:
        try:
            gstin = gstin_validate(gstin, state_code=state_code or None)
        except ValidationError as exc:
            errors["gstin"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return gstin


def tenant_build(*, kind: str, name: str, state_code: str = "", gstin: str = "", address: str = "") -> Tenant:
    """A new tenant, checked exactly as `tenant_create` checks it, but not saved."""
    gstin = tenant_gst_fields_check(kind=kind, state_code=state_code, gstin=gstin)
    tenant = Tenant(
        kind=kind,
        name=name.strip(),
        slug=_unique_slug(name),
        state_code=state_code,
        gstin=gstin,
        address=address.strip(),
    )
    tenant.full_clean()
    return tenant


@transaction.atomic
def tenant_create(
    *,
    owner: User,
    kind: str,
    name: str,
    state_code: str = "",
    gstin: str = "",
    address: str = "",
) -> Tenant:
    """Create a tenant with `owner` as its first owner."""
    tenant = tenant_build(kind=kind, name=name, state_code=state_code, gstin=gstin, address=address)
    tenant.save()
    with tenant_scope(tenant.pk):  # the new tenant's first rows are written as that tenant
        membership = Membership(tenant=tenant, user=owner, role=Role.OWNER)
        membership.full_clean()
        membership.save()
        audit_record(
            tenant=tenant,
            actor=owner,
            action="tenant.create",
            target=tenant,
            summary=f"Created {tenant.get_kind_display().lower()} “{tenant.name}”",
        )
        contract_start_trial(tenant=tenant, actor=owner)  # a shop's AMC trial, or the free personal plan
    return tenant


def _logo_type(logo: UploadedFile) -> str:
    """The logo's image type, read by Pillow: it decides the stored name, never the uploaded one."""
    if logo.size > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            {
                "logo": [
                    f"The logo is {logo.size // 1024} KB; the limit is {settings.LOGO_MAX_BYTES // 1024} KB."
                ]
            }
        )
    content_type = image_type(logo, allowed=LOGO_CONTENT_TYPES)
    if content_type is None:
        raise ValidationError({"logo": ["The logo must be a PNG, JPEG or WebP image."]})
    return content_type


@transaction.atomic
def tenant_update(
    *,
    tenant: Tenant,
    actor: User,
    name: str,
    state_code: str,
    gstin: str,
    address: str,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> Tenant:
    """Change the tenant's profile. Only the fields that changed are named in the audit trail."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    gstin = tenant_gst_fields_check(kind=tenant.kind, state_code=state_code, gstin=gstin)
    logo_type = _logo_type(logo) if logo is not None else ""
    before = {
        "name": tenant.name,
        "state_code": tenant.state_code,
        "gstin": tenant.gstin,
        "address": tenant.address,
    }
    tenant.name = name.strip()
    tenant.state_code = state_code
    tenant.gstin = gstin
    tenant.address = address.strip()
    changed = [field for field, old in before.items() if getattr(tenant, field) != old]
    if "gstin" in changed:
        tenant_gstin_review_reset(tenant=tenant, actor=actor, old_gstin=before["gstin"])
    old_logo = tenant.logo.name if tenant.logo else ""
    if logo is not None:
        tenant.logo.save(upload_name(logo_type), logo, save=False)
        changed.append("logo")
    elif remove_logo and old_logo:
        tenant.logo = ""
        changed.append("logo")
    tenant.full_clean()
    tenant.save()
    if old_logo and "logo" in changed:
        storage = tenant.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    if changed:
        labels = {"state_code": "state", "gstin": "GSTIN"}
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tenant.update",
            target=tenant,
            summary="Changed " + ", ".join(labels.get(f, f) for f in changed),
        )
    return tenant


@transaction.atomic
def tenant_set_active(*, tenant: Tenant, actor: User, active: bool, reason: str = "") -> Tenant:
    """Deactivate (or reactivate) a tenant. Nothing of it is deleted; members lose access to its pages."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.is_active == active:
        return tenant
    tenant.is_active = active
    tenant.deactivated_at = None if active else timezone.now()
    tenant.deactivation_reason = "" if active else reason[:200]
    tenant.save(update_fields=["is_active", "deactivated_at", "deactivation_reason", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="tenant.reactivate" if active else "tenant.deactivate",
        target=tenant,
        summary=("Reactivated" if active else f"Deactivated{': ' + reason if reason else ''}")[:300],
    )
    return tenant
