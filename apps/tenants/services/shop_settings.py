"""A shop's settings: for its stock, how articles added without a SKU are numbered and whether the shop is
exempt from mandatory hallmarking for its small turnover; for GST, how often it files GSTR-1 and from
when it e-invoices."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.audit.services import AuditEntry, audit_record_many
from apps.core.figures import tenant_figures_changed
from apps.tenants import rights
from apps.tenants.models import (
    SKU_DIGITS_MAX,
    SKU_NUMBER_MAX,
    ReturnFrequency,
    Tenant,
    sku_format,
    sku_prefix_validator,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

SKU_FIELDS = ("sku_prefix", "sku_next_number", "sku_digits")


def _check(*, sku_prefix: str, sku_next_number: int, sku_digits: int) -> None:
    errors: dict[str, list[str]] = {}
    if len(sku_prefix) > Tenant._meta.get_field("sku_prefix").max_length:
        errors["sku_prefix"] = ["A SKU prefix is at most 12 characters, like LJ- or MUM/."]
    else:
        try:
            sku_prefix_validator(sku_prefix)
        except ValidationError as exc:
            errors["sku_prefix"] = exc.messages
    if not isinstance(sku_next_number, int) or not 1 <= sku_next_number <= SKU_NUMBER_MAX:
        errors["sku_next_number"] = [f"The next number is a whole number from 1 to {SKU_NUMBER_MAX:,}."]
    if not isinstance(sku_digits, int) or not 1 <= sku_digits <= SKU_DIGITS_MAX:
        errors["sku_digits"] = [f"Pad the number to 1 to {SKU_DIGITS_MAX} digits (4 gives 0001)."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tenant_stock_settings_update(
    *,
    tenant: Tenant,
    actor: User,
    sku_prefix: str,
    sku_next_number: int,
    sku_digits: int,
    small_turnover_exempt: bool,
) -> Tenant:
    """Change the shop's SKU numbering and its small-turnover exemption; owners and admins only.

    Each is audited on its own (who and when are on the event), and only when it changed. The
    exemption is the shop's: the hallmarking rules read it for every article at once.
    """
    rights.right_require(tenant=tenant, actor=actor, right=rights.SHOP_SETTINGS)
    if not tenant.is_shop:
        raise ValidationError("A personal workspace keeps no stock: it has no SKU numbering or hallmarking.")
    sku_prefix = (sku_prefix or "").strip()
    _check(sku_prefix=sku_prefix, sku_next_number=sku_next_number, sku_digits=sku_digits)
    # The shop's row is also where numbers are taken: an add in progress finishes first.
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = {field: getattr(tenant, field) for field in (*SKU_FIELDS, "small_turnover_exempt")}
    tenant.sku_prefix, tenant.sku_next_number, tenant.sku_digits = sku_prefix, sku_next_number, sku_digits
    tenant.small_turnover_exempt = bool(small_turnover_exempt)
    changed = [field for field, old in before.items() if getattr(tenant, field) != old]
    if not changed:
        return tenant
    tenant.save(update_fields=[*changed, "updated_at"])
    entries = []
    if set(changed) & set(SKU_FIELDS):
        was = sku_format(
            prefix=before["sku_prefix"], digits=before["sku_digits"], number=before["sku_next_number"]
        )
        summary = f"Articles added without a SKU are numbered from {tenant.sku_next} (was {was})"
        entries.append(AuditEntry("tenant.sku_numbering", summary, tenant))
    if "small_turnover_exempt" in changed:
        summary = (
            "Small-turnover exemption turned on: the shop's articles need no HUID"
            if tenant.small_turnover_exempt
            else "Small-turnover exemption turned off: gold articles of 2 g or more need their HUID to be sold"
        )
        entries.append(AuditEntry("tenant.small_turnover", summary, tenant))
        tenant_figures_changed(tenant_id=tenant.pk)  # which articles need a HUID
    audit_record_many(tenant=tenant, actor=actor, entries=entries)
    return tenant


EINVOICING_BEGAN = date(2020, 10, 1)  # the first e-invoices (Notification 13/2020-CT, as amended)


@transaction.atomic
def tenant_gst_settings_update(
    *,
    tenant: Tenant,
    actor: User,
    gstr1_frequency: str,
    einvoice_from: date | None,
    turnover_ten_crore: bool,
) -> Tenant:
    """Set how often the shop files GSTR-1 and whether (from when) it e-invoices; owners and admins only.

    A shop e-invoices from the day its aggregate turnover made it (above ₹5 crore); at ₹10 crore or more
    the IRP also takes a document only within 30 days of its date, which the e-invoice checks read from
    here. Each change is audited on its own, and only when it changed.
    """
    rights.right_require(tenant=tenant, actor=actor, right=rights.GST_SETTINGS)
    if not tenant.is_shop:
        raise ValidationError("A personal workspace files no GST returns and issues no e-invoices.")
    errors: dict[str, list[str]] = {}
    if gstr1_frequency not in ReturnFrequency.values:
        errors["gstr1_frequency"] = ["Choose monthly, or quarterly for the QRMP scheme."]
    if einvoice_from is not None and einvoice_from < EINVOICING_BEGAN:
        errors["einvoice_from"] = [
            f"e-Invoicing began on {EINVOICING_BEGAN:%d %b %Y}: choose that day or a later one."
        ]
    if turnover_ten_crore and einvoice_from is None:
        errors["einvoice_from"] = [
            "A shop with turnover of ₹10 crore or more must e-invoice: set the day it e-invoices from."
        ]
    if errors:
        raise ValidationError(errors)
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = {"gstr1_frequency": tenant.gstr1_frequency, "einvoice_from": tenant.einvoice_from,
              "turnover_ten_crore": tenant.turnover_ten_crore}  # fmt: skip
    tenant.gstr1_frequency = gstr1_frequency
    tenant.einvoice_from = einvoice_from
    tenant.turnover_ten_crore = bool(turnover_ten_crore)
    changed = [field for field, old in before.items() if getattr(tenant, field) != old]
    if not changed:
        return tenant
    tenant.save(update_fields=[*changed, "updated_at"])
    entries = []
    if "gstr1_frequency" in changed:
        entries.append(
            AuditEntry(
                "tenant.gstr1_frequency",
                f"GSTR-1 filed: {tenant.get_gstr1_frequency_display()} "
                f"(was {ReturnFrequency(before['gstr1_frequency']).label})",
                tenant,
            )
        )
    if {"einvoice_from", "turnover_ten_crore"} & set(changed):
        if tenant.einvoice_from is None:
            summary = "e-Invoicing turned off: B2B documents are not sent to the IRP"
        else:
            summary = f"e-Invoices from {tenant.einvoice_from:%d %b %Y}" + (
                "; turnover ₹10 crore or more: the IRP takes documents within 30 days"
                if tenant.turnover_ten_crore
                else "; turnover under ₹10 crore"
            )
        was = before["einvoice_from"]
        entries.append(
            AuditEntry(
                "tenant.einvoicing",
                f"{summary} (was {f'from {was:%d %b %Y}' if was else 'off'}"
                f"{', ₹10 crore or more' if before['turnover_ten_crore'] else ''})",
                tenant,
            )
        )
    audit_record_many(tenant=tenant, actor=actor, entries=entries)
    return tenant
