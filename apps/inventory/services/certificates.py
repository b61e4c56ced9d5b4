"""Certificate files: checked by content (not by name), stored privately, handed out by expiring links."""

from __future__ import annotations

import posixpath
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.audit.services import audit_record
from apps.core.figures import tenant_figures_changed
from apps.core.files import certificate_type, private_file_url, upload_name
from apps.core.validators import date_check
from apps.inventory import selectors
from apps.inventory.models import Certificate, HallmarkBatch, StockItem
from apps.tenants import rights

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

# The Tenant fields of the BIS registration → the names callers give them.
REGISTRATION_FIELDS = {"bis_registration_number": "number", "bis_registration_valid_until": "valid_until"}
# Which owner each kind of certificate belongs to: the shop itself, a hallmarking batch or an article.
OWNER_FIELDS = {
    Certificate.Kind.BIS_REGISTRATION: None,
    Certificate.Kind.AHC_REPORT: "batch_id",
    Certificate.Kind.STONE: "item_id",
}
OWNER_NOUNS = {"batch_id": "hallmarking batch", "item_id": "article"}
# The shop's BIS registration is an admin's to record, on the pages and over the API alike; staff
# attach the centre's reports and stone certificates.
UPLOAD_ROLES = {
    Certificate.Kind.BIS_REGISTRATION: rights.BIS_REGISTRATION,
    Certificate.Kind.AHC_REPORT: rights.STOCK_KEEP,
    Certificate.Kind.STONE: rights.STOCK_KEEP,
}


def certificate_upload_role(kind: str) -> rights.Right:
    """The right that attaching a certificate of this kind needs."""
    return UPLOAD_ROLES[kind]


def _owners(
    *, tenant: Tenant, kind: str, batch_id: int | None, item_id: int | None
) -> tuple[HallmarkBatch | None, StockItem | None]:
    """The batch or article the certificate belongs to, as its kind requires; errors keyed `batch`/`item`."""
    needed = OWNER_FIELDS[kind]
    given = {"batch_id": batch_id, "item_id": item_id}
    errors: dict[str, list[str]] = {}
    for field, noun in OWNER_NOUNS.items():
        key = field.removesuffix("_id")
        if field == needed and given[field] is None:
            errors[key] = [f"Name the {noun} this certificate is for."]
        elif field != needed and given[field] is not None:
            errors[key] = [f"Leave this out: a {Certificate.Kind(kind).label} is not attached to any {noun}."]
    if errors:
        raise ValidationError(errors)
    batch = item = None
    # Another shop's batch or article reads exactly like a missing one.
    if batch_id is not None:
        batch = selectors.hallmark_batch_list(tenant=tenant).filter(pk=batch_id).first()
        if batch is None:
            raise ValidationError({"batch": ["There is no such hallmarking batch in this shop."]})
    if item_id is not None:
        item = selectors.stock_item_list(tenant=tenant).filter(pk=item_id).first()
        if item is None:
            raise ValidationError({"item": ["There is no such article in this shop."]})
    return batch, item


@transaction.atomic
def certificate_upload(
    *,
    tenant: Tenant,
    actor: User | None,
    kind: str,
    upload: UploadedFile,
    batch_id: int | None = None,
    item_id: int | None = None,
) -> Certificate:
    """Attach a certificate to its owner: the shop (BIS registration), a batch (AHC report) or an article.

    The kind says which owner to name; a missing, superfluous or unknown owner is a ValidationError
    on `batch` or `item`, checked before the file is read. Who may attach which kind is
    `certificate_upload_role`'s to say, and the caller's to check.
    """
    batch, item = _owners(tenant=tenant, kind=kind, batch_id=batch_id, item_id=item_id)
    content_type = certificate_type(upload)
    certificate = Certificate(
        tenant=tenant, kind=kind, batch=batch, item=item, uploaded_by=actor,
        original_name=(upload.name or "certificate")[-200:], content_type=content_type, size=upload.size,
    )  # fmt: skip
    certificate.file.save(upload_name(content_type), upload, save=False)
    certificate.stored_name = posixpath.basename(certificate.file.name)
    try:
        certificate.full_clean(validate_constraints=False)
        certificate.save()
        if kind == Certificate.Kind.AHC_REPORT:  # its batch's articles are no longer unreported
            tenant_figures_changed(tenant_id=tenant.pk)
        owner_text = {
            "bis_registration": "the shop",
            "ahc_report": f"batch {batch}",
            "stone": f"article {item}",
        }[kind]
        audit_record(
            tenant=tenant, actor=actor, action="certificate.upload", target=certificate,
            summary=f"Attached {certificate.get_kind_display()} “{certificate.original_name}” to {owner_text}",
        )  # fmt: skip
    except BaseException:
        certificate.file.storage.delete(
            certificate.file.name
        )  # no orphan file for a row that was never saved
        raise
    return certificate


def certificate_link(*, certificate: Certificate, user: User) -> str:
    """An expiring link to the file, for a user the caller has already checked may see it."""
    return private_file_url(
        alias="certificates",
        name=certificate.file.name,
        user_id=user.pk,
        tenant_id=certificate.tenant_id,
        filename=certificate.original_name,
    )


@transaction.atomic
def bis_registration_update(
    *,
    tenant: Tenant,
    actor: User | None,
    number: str,
    valid_until: date | None,
    certificate: UploadedFile | None = None,
) -> Tenant:
    """Record the shop's BIS registration (number and validity) and, optionally, its certificate file.

    Both are required here; their form is the Tenant fields' to judge (`full_clean`), so the admin
    and this service accept the same values.
    """
    from_db = type(tenant).objects.select_for_update().get(pk=tenant.pk)
    number = (number or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not number:
        errors["number"] = ["Enter the registration number printed on the BIS certificate."]
    if valid_until is None:
        errors["valid_until"] = ["Enter the date until which the registration is valid."]
    date_check(valid_until, field="valid_until", label="validity date", errors=errors)
    changed = (from_db.bis_registration_number, from_db.bis_registration_valid_until) != (number, valid_until)
    from_db.bis_registration_number = number
    from_db.bis_registration_valid_until = valid_until
    others = [f.name for f in from_db._meta.fields if f.name not in REGISTRATION_FIELDS]
    try:
        from_db.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(REGISTRATION_FIELDS.get(field, field), messages)
    if errors:
        raise ValidationError(errors)
    from_db.save(update_fields=["bis_registration_number", "bis_registration_valid_until", "updated_at"])
    tenant.bis_registration_number, tenant.bis_registration_valid_until = number, valid_until
    if changed:
        audit_record(
            tenant=tenant, actor=actor, action="tenant.bis_registration", target=from_db,
            summary=f"BIS registration {number}, valid until {valid_until:%d %b %Y}",
        )  # fmt: skip
    if certificate is not None:
        certificate_upload(
            tenant=tenant, actor=actor, kind=Certificate.Kind.BIS_REGISTRATION, upload=certificate
        )
    return tenant
