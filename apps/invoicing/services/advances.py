"""Advances: money a customer pays before the sale (an order, a booking), on a receipt voucher.

CGST Rule 50 asks for a receipt voucher, numbered in its own series; since Notification 66/2017-CT
no GST is due on an advance for goods, so the tax is charged on the invoice the advance is later
adjusted against. The adjustment is a payment by advance (`payment_record` with mode "advance"),
which spends the voucher like old gold spends its purchase voucher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.money import RUPEE, inr, parse_decimal
from apps.gst.periods import retain_until
from apps.invoicing.models import Customer, DocumentType, MoneyMode, ReceiptVoucher
from apps.invoicing.services.payments import cash_limit_check, voucher_number_take

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


@transaction.atomic
def receipt_voucher_create(
    *, tenant: Tenant, actor: User | None, customer: Customer, mode: str, amount, description: str,
    reference: str = "",
) -> ReceiptVoucher:  # fmt: skip
    """Receive an advance from a customer on a receipt voucher numbered in its own series."""
    assert customer.tenant_id == tenant.id
    if not tenant.gstin:
        raise ValidationError(
            "Add the shop's GSTIN in the shop profile before taking an advance on a receipt voucher."
        )
    errors: dict[str, list[str]] = {}
    if mode not in MoneyMode.values:
        errors["mode"] = ["Choose cash, UPI, card or bank transfer."]
    amount = parse_decimal(amount, RUPEE, "amount", "amount in rupees", errors)
    if amount is not None and amount <= 0:
        errors["amount"] = ["Enter an amount above zero."]
    description = " ".join((description or "").split())
    if not description:
        errors["description"] = ["Say what the advance is for, e.g. a bridal set to order."]
    if errors:
        raise ValidationError(errors)
    if mode == MoneyMode.CASH:
        cash_limit_check(amount)
    today = timezone.localdate()
    voucher = ReceiptVoucher(
        tenant=tenant, customer=customer, received_on=today, mode=mode, amount=amount,
        reference=" ".join((reference or "").split()), description=description, retain_until=retain_until(today),
        created_by=actor,
    )  # fmt: skip
    voucher.full_clean(exclude=["tenant", "series", "number"])
    voucher_number_take(tenant=tenant, voucher=voucher, doc_type=DocumentType.RECEIPT_VOUCHER)
    voucher.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=actor, action="advance.receive",
        summary=f"Received an advance {voucher.number} of {inr(amount)} by {voucher.get_mode_display()} "
        f"from {customer}: {description}",
        target=voucher,
    )  # fmt: skip
    return voucher
