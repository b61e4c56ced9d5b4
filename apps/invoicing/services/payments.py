"""Payments against issued invoices, split across modes, and old gold bought as a purchase voucher.

Cash is capped by income-tax s.269ST (under ₹2 lakh for one sale, whatever the number of receipts,
a cash advance adjusted against the sale included); a payment never exceeds what is still due. Old
gold and advances pay for a sale like money does: a voucher's worth is spent across one or more
payments, never beyond what it has left, and never lowers the sale's taxable value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.money import GRAM, RUPEE, grams, inr, parse_decimal, rupees
from apps.gst.periods import FinancialYear, retain_until
from apps.invoicing import rules, selectors
from apps.invoicing.exceptions import InvoiceNotIssued
from apps.invoicing.models import (
    Customer,
    DocumentType,
    Invoice,
    MoneyMode,
    OldGoldVoucher,
    Payment,
    ReceiptVoucher,
)
from apps.invoicing.services.series import series_number_take

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

ZERO = Decimal("0.00")


# A voucher that pays like money, by the payment mode that spends it: the payment's field naming it,
# what the payment must name, and what a payment of another mode is told when it names one.
VOUCHER_MODES = {
    Payment.Mode.OLD_GOLD: (
        "old_gold_voucher", "Choose the old-gold voucher that pays.", "Only an old-gold payment names a voucher."
    ),
    Payment.Mode.ADVANCE: (
        "receipt_voucher", "Choose the receipt voucher of the advance to adjust.",
        "Only a payment by advance names a receipt voucher.",
    ),
}  # fmt: skip


def voucher_spent(voucher: OldGoldVoucher | ReceiptVoucher) -> Decimal:
    """What payments have spent of an old-gold voucher's value or a receipt voucher's advance."""
    field = "receipt_voucher" if isinstance(voucher, ReceiptVoucher) else "old_gold_voucher"
    return Payment.objects.filter(**{field: voucher}).aggregate(total=Sum("amount"))["total"] or ZERO


def voucher_left(voucher: OldGoldVoucher | ReceiptVoucher) -> Decimal:
    """What a voucher can still pay: its worth less what payments have spent of it."""
    worth = voucher.amount if isinstance(voucher, ReceiptVoucher) else voucher.value
    return worth - voucher_spent(voucher)


def old_gold_spent(voucher: OldGoldVoucher) -> Decimal:
    return voucher_spent(voucher)


def voucher_number_take(*, tenant: Tenant, voucher: OldGoldVoucher | ReceiptVoucher, doc_type: str) -> None:
    """Number a voucher from the shop's series of its type, as the last step before it is saved
    (the series stays locked to commit, so the numbers stay gapless)."""
    voucher.series, voucher.number = series_number_take(
        tenant=tenant, doc_type=doc_type, gstin=tenant.gstin, fy=FinancialYear.of(voucher.received_on),
        code=rules.DEFAULT_SERIES_CODES[doc_type],
    )  # fmt: skip


def cash_limit_check(cash: Decimal, *, received: Decimal = ZERO) -> None:
    """Income-tax s.269ST: the cash of one sale, `received` before and this receipt, stays under the limit."""
    if cash < rules.CASH_LIMIT:
        return
    before = (
        f" {inr(received)} of this sale is already paid in cash (a cash advance adjusted against it counts too);"
        if received
        else ""
    )
    raise ValidationError(
        {
            "amount": [
                f"Cash for one sale must stay under {inr(rules.CASH_LIMIT, 0)} (Income-tax s.269ST):{before} "
                "take the rest by UPI, card or bank transfer."
            ]
        }
    )


def _sale_cash(invoice: Invoice) -> Decimal:
    """Cash received for the sale (the invoice and its debit notes): at the counter, and as cash
    advances adjusted against it."""
    sale = invoice.original_id or invoice.pk
    cash = Payment.objects.filter(Q(invoice_id=sale) | Q(invoice__original_id=sale)).filter(
        Q(mode=Payment.Mode.CASH) | Q(mode=Payment.Mode.ADVANCE, receipt_voucher__mode=MoneyMode.CASH)
    )
    return cash.aggregate(total=Sum("amount"))["total"] or ZERO


def _paying_voucher(
    mode: str, *, old_gold_voucher: OldGoldVoucher | None, receipt_voucher: ReceiptVoucher | None
) -> OldGoldVoucher | ReceiptVoucher | None:
    """The voucher a payment of `mode` spends: an old-gold payment names one, an advance another, money none."""
    named = {"old_gold_voucher": old_gold_voucher, "receipt_voucher": receipt_voucher}
    for voucher_mode, (field, ask, refuse) in VOUCHER_MODES.items():
        if mode == voucher_mode and named[field] is None:
            raise ValidationError({field: [ask]})
        if mode != voucher_mode and named[field] is not None:
            raise ValidationError({field: [refuse]})
    return old_gold_voucher or receipt_voucher


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
    voucher_number_take(tenant=tenant, voucher=voucher, doc_type=DocumentType.PURCHASE_VOUCHER)
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
    old_gold_voucher: OldGoldVoucher | None = None, receipt_voucher: ReceiptVoucher | None = None,
) -> Payment:  # fmt: skip
    """Take money, old gold or an advance against an issued invoice.

    A voucher pays at most what it has left; with `amount` left empty it pays as much of what is due
    as it can. An advance is adjusted only against its own customer's invoices.
    """
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)  # one payer at a time
    if invoice.status != Invoice.Status.ISSUED:
        raise InvoiceNotIssued(
            f"Payments are taken against an issued invoice; this one is {invoice.get_status_display().lower()}."
        )
    if invoice.doc_type == Invoice.Kind.CREDIT_NOTE:
        raise InvoiceNotIssued(
            f"{invoice.number} is a credit note: it lowers what is owed on {invoice.original.number} and takes "
            "no payment. Record the payment against the invoice."
        )
    if invoice.doc_type == Invoice.Kind.DEBIT_NOTE:  # its due is within its invoice's: one payer at a time
        Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice.original_id).get()
    if mode not in Payment.Mode.values:
        raise ValidationError({"mode": ["Choose cash, UPI, card, bank transfer, old gold or an advance."]})
    voucher = _paying_voucher(mode, old_gold_voucher=old_gold_voucher, receipt_voucher=receipt_voucher)
    errors: dict[str, list[str]] = {}
    if voucher is None or amount not in (None, ""):
        amount = parse_decimal(amount, RUPEE, "amount", "amount in rupees", errors)
    if errors:
        raise ValidationError(errors)
    due = selectors.invoice_due(tenant=tenant, invoice=invoice)
    if voucher is not None:
        assert voucher.tenant_id == tenant.id
        # Locked after the invoice, as every payer does: two sales spending one voucher take turns.
        voucher = type(voucher).objects.select_for_update().get(pk=voucher.pk)
        if isinstance(voucher, ReceiptVoucher) and voucher.customer_id != invoice.customer_id:
            raise ValidationError(
                {
                    "receipt_voucher": [
                        f"Advance {voucher.number} was received from {voucher.customer}: adjust it only "
                        f"against {voucher.customer}'s invoices."
                    ]
                }
            )
        left = voucher_left(voucher)
        if amount in (None, ""):
            amount = min(left, due)
    if amount > due or due <= 0:
        raise ValidationError({"amount": [f"Only {inr(due)} is still due on {invoice.number}."]})
    if voucher is not None and (amount > left or left <= 0):
        raise ValidationError({"amount": [f"Voucher {voucher.number} has {inr(left)} left to spend."]})
    if amount <= 0:
        raise ValidationError({"amount": ["Enter an amount above zero."]})
    if mode == Payment.Mode.CASH or (mode == Payment.Mode.ADVANCE and voucher.mode == MoneyMode.CASH):
        received = _sale_cash(invoice)
        cash_limit_check(received + amount, received=received)
    today = timezone.localdate()
    payment = Payment(
        tenant=tenant, invoice=invoice, mode=mode, amount=amount, reference=" ".join((reference or "").split()),
        old_gold_voucher=voucher if mode == Payment.Mode.OLD_GOLD else None,
        receipt_voucher=voucher if mode == Payment.Mode.ADVANCE else None,
        received_on=today, retain_until=max(retain_until(today), invoice.retain_until), created_by=actor,
    )  # fmt: skip
    payment.full_clean(exclude=["tenant"])
    payment.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=actor, action="payment.record",
        summary=f"Received {inr(amount)} by {payment.get_mode_display()}{f' {voucher.number}' if voucher else ''} "
        f"for {invoice.number}", target=payment,
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
    due = selectors.invoice_due(tenant=tenant, invoice=invoice)
    applied = min(voucher.value, due)
    if applied > 0:
        payment_record(
            tenant=tenant, actor=actor, invoice=invoice, mode=Payment.Mode.OLD_GOLD, amount=applied,
            old_gold_voucher=voucher,
        )  # fmt: skip
    return voucher
