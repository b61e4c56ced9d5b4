"""Payments against issued invoices, split across modes, and old gold bought as a purchase voucher.

Cash is capped by income-tax s.269ST (under ₹2 lakh for one sale, whatever the number of receipts);
a payment never exceeds what is still due. Old gold pays for a sale like money does: its voucher's
value is spent across one or more payments, and never lowers the sale's taxable value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.money import GRAM, RUPEE, grams, inr, parse_decimal, rupees
from apps.gst.periods import FinancialYear, retain_until
from apps.invoicing import rules
from apps.invoicing.exceptions import InvoiceNotIssued
from apps.invoicing.models import Customer, DocumentType, Invoice, OldGoldVoucher, Payment
from apps.invoicing.services.series import series_number_take

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

ZERO = Decimal("0.00")


def _paid(invoice: Invoice, **filters) -> Decimal:
    return Payment.objects.filter(invoice=invoice, **filters).aggregate(total=Sum("amount"))["total"] or ZERO


def old_gold_spent(voucher: OldGoldVoucher) -> Decimal:
    return Payment.objects.filter(old_gold_voucher=voucher).aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def old_gold_voucher_create(
    *, tenant: Tenant, actor: User | None, customer: Customer, gross_weight, description: str = "",
    purity_percent, rate_per_gram, deduction_weight="0",
) -> OldGoldVoucher:  # fmt: skip
    """Weigh, deduct, test and value old gold: fine weight = net weight x tested purity."""
    assert customer.tenant_id == tenant.id
    if not tenant.gstin:
        raise ValidationError("Add the shop's GSTIN in the shop profile before buying old gold on a voucher.")
    errors: dict[str, list[str]] = {}
    gross = parse_decimal(gross_weight, GRAM, "gross_weight", "weight in grams", errors)
    deduction = parse_decimal(deduction_weight or "0", GRAM, "deduction_weight", "weight in grams", errors)
    purity = parse_decimal(purity_percent, Decimal("0.01"), "purity_percent", "purity in percent", errors)
    rate = parse_decimal(rate_per_gram, RUPEE, "rate_per_gram", "rate per gram in rupees", errors)
    if not errors and deduction >= gross:
        errors["deduction_weight"] = ["The deduction must be less than the gross weight."]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    net = grams(gross - deduction)
    fine = grams(net * purity / 100)
    voucher = OldGoldVoucher(
        tenant=tenant, customer=customer, created_by=actor, received_on=today,
        description=" ".join((description or "").split()) or "Old gold", gross_weight=gross,
        deduction_weight=deduction, net_weight=net, purity_percent=purity, fine_weight=fine,
        rate_per_gram=rate, value=rupees(fine * rate), retain_until=retain_until(today),
    )  # fmt: skip
    voucher.full_clean(exclude=["tenant", "series", "number"])
    voucher.series, voucher.number = series_number_take(
        tenant=tenant, doc_type=DocumentType.PURCHASE_VOUCHER, gstin=tenant.gstin, fy=FinancialYear.of(today),
        code=rules.DEFAULT_SERIES_CODES[DocumentType.PURCHASE_VOUCHER],
    )  # fmt: skip
    voucher.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=actor, action="old_gold.buy",
        summary=f"Bought old gold {voucher.number} from {customer}: {fine} g fine for {inr(voucher.value)}",
        target=voucher,
    )  # fmt: skip
    return voucher


@transaction.atomic
def payment_record(
    *, tenant: Tenant, actor: User | None, invoice: Invoice, mode: str, amount, reference: str = "",
    old_gold_voucher: OldGoldVoucher | None = None,
) -> Payment:  # fmt: skip
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)  # one payer at a time
    if invoice.status != Invoice.Status.ISSUED:
        raise InvoiceNotIssued(
            f"Payments are taken against an issued invoice; this one is {invoice.get_status_display().lower()}."
        )
    if mode not in Payment.Mode.values:
        raise ValidationError({"mode": ["Choose cash, UPI, card, bank transfer or old gold."]})
    errors: dict[str, list[str]] = {}
    amount = parse_decimal(amount, RUPEE, "amount", "amount in rupees", errors)
    if errors:
        raise ValidationError(errors)
    if amount <= 0:
        raise ValidationError({"amount": ["Enter an amount above zero."]})
    due = invoice.grand_total - _paid(invoice)
    if amount > due:
        raise ValidationError({"amount": [f"Only {inr(due)} is still due on {invoice.number}."]})
    if mode == Payment.Mode.CASH:
        cash = _paid(invoice, mode=Payment.Mode.CASH) + amount
        if cash >= rules.CASH_LIMIT:
            raise ValidationError(
                {
                    "amount": [
                        f"Cash for one sale must stay under {inr(rules.CASH_LIMIT, 0)} (Income-tax s.269ST): "
                        f"take the rest by UPI, card or bank transfer."
                    ]
                }
            )
    if mode == Payment.Mode.OLD_GOLD:
        if old_gold_voucher is None:
            raise ValidationError({"old_gold_voucher": ["Choose the old-gold voucher that pays."]})
        assert old_gold_voucher.tenant_id == tenant.id
        voucher = OldGoldVoucher.objects.select_for_update().get(pk=old_gold_voucher.pk)
        left = voucher.value - old_gold_spent(voucher)
        if amount > left:
            raise ValidationError({"amount": [f"Voucher {voucher.number} has {inr(left)} left to spend."]})
        old_gold_voucher = voucher
    elif old_gold_voucher is not None:
        raise ValidationError({"old_gold_voucher": ["Only an old-gold payment names a voucher."]})
    today = timezone.localdate()
    payment = Payment(
        tenant=tenant, invoice=invoice, mode=mode, amount=amount, reference=" ".join((reference or "").split()),
        old_gold_voucher=old_gold_voucher, received_on=today, retain_until=max(retain_until(today), invoice.retain_until),
        created_by=actor,
    )  # fmt: skip
    payment.full_clean(exclude=["tenant"])
    payment.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=actor, action="payment.record",
        summary=f"Received {inr(amount)} by {payment.get_mode_display()} for {invoice.number}", target=payment,
    )  # fmt: skip
    return payment


@transaction.atomic
def old_gold_exchange(
    *, tenant: Tenant, actor: User | None, invoice: Invoice, **voucher_values
) -> OldGoldVoucher:
    """Buy the buyer's old gold for this sale and let it pay as much of the bill as it covers.

    One transaction: a refused payment leaves no voucher behind. Gold worth more than what is due
    stays on the voucher for a later bill.
    """
    assert invoice.tenant_id == tenant.id
    if invoice.customer_id is None:
        raise ValidationError(
            "Choose the customer before buying their old gold: the voucher names the seller."
        )
    voucher = old_gold_voucher_create(tenant=tenant, actor=actor, customer=invoice.customer, **voucher_values)
    due = invoice.grand_total - _paid(invoice)
    applied = min(voucher.value, due)
    if applied > 0:
        payment_record(
            tenant=tenant, actor=actor, invoice=invoice, mode=Payment.Mode.OLD_GOLD, amount=applied,
            old_gold_voucher=voucher,
        )  # fmt: skip
    return voucher
