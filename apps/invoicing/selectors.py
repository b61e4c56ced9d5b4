"""Reading customers, series and invoices, always for one tenant."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.inventory.models import StockItem
from apps.invoicing.models import Customer, DocumentSeries, Invoice, InvoiceLine, OldGoldVoucher, Payment

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def customer_list(*, tenant: Tenant, q: str = "") -> QuerySet[Customer]:
    """Search by name (or trade name), phone, or GSTIN."""
    qs = Customer.objects.for_tenant(tenant)
    term = " ".join(q.split())
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        match = Q(name__icontains=term) | Q(trade_name__icontains=term) | Q(gstin__iexact=term)
        if len(digits) >= 4:
            match |= Q(phone__contains=digits)
        qs = qs.filter(match)
    return qs


def customer_get(*, tenant: Tenant, customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.for_tenant(tenant), pk=customer_id)


def series_list(*, tenant: Tenant) -> QuerySet[DocumentSeries]:
    return DocumentSeries.objects.for_tenant(tenant)


PAYMENT_STATUSES = {"unpaid": "Unpaid", "part_paid": "Part-paid", "paid": "Paid"}


def invoice_list(*, tenant: Tenant) -> QuerySet[Invoice]:
    """Each invoice with `amount_paid` (one subquery, not a join that would multiply rows)."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk")).order_by().values("invoice").annotate(total=Sum("amount"))
        .values("total")
    )  # fmt: skip
    return (
        Invoice.objects.for_tenant(tenant)
        .select_related("customer")
        .annotate(
            amount_paid=Coalesce(
                Subquery(paid),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )


def payment_status(invoice: Invoice) -> str:
    """unpaid, part_paid or paid, from `invoice_list`'s `amount_paid`; drafts and cancelled ones are unpaid."""
    if invoice.status != Invoice.Status.ISSUED or invoice.amount_paid <= 0:
        return "unpaid"
    return "paid" if invoice.amount_paid >= invoice.grand_total else "part_paid"


def invoice_get(*, tenant: Tenant, invoice_id: int) -> Invoice:
    return get_object_or_404(invoice_list(tenant=tenant), pk=invoice_id)


def invoice_lines(*, tenant: Tenant, invoice: Invoice) -> QuerySet[InvoiceLine]:
    assert invoice.tenant_id == tenant.id
    return InvoiceLine.objects.for_tenant(tenant).filter(invoice=invoice).order_by("position")


def invoice_search(
    *, tenant: Tenant, status: str = "", customer_id: int | None = None, issued_from: date | None = None,
    issued_to: date | None = None, q: str = "", paid: str = "",
) -> QuerySet[Invoice]:  # fmt: skip
    """The invoice list's filters, for the page and the API alike."""
    qs = invoice_list(tenant=tenant)
    if status:
        qs = qs.filter(status=status)
    if paid:
        issued = qs.filter(status=Invoice.Status.ISSUED)
        if paid == "unpaid":
            qs = issued.filter(amount_paid__lte=0)
        elif paid == "part_paid":
            qs = issued.filter(amount_paid__gt=0, amount_paid__lt=F("grand_total"))
        elif paid == "paid":
            qs = issued.filter(amount_paid__gte=F("grand_total"))
        else:
            raise ValueError(f"not a payment status: {paid!r}")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if issued_from:
        qs = qs.filter(issued_on__gte=issued_from)
    if issued_to:
        qs = qs.filter(issued_on__lte=issued_to)
    term = q.strip()
    if term:
        qs = qs.filter(
            Q(number__icontains=term) | Q(buyer_name__icontains=term) | Q(customer__name__icontains=term)
        )
    return qs


def customer_for_input(*, tenant: Tenant, customer_id: int | None) -> Customer | None:
    """The customer an API body or a form names; another shop's id reads as a missing one."""
    if customer_id is None:
        return None
    customer = Customer.objects.for_tenant(tenant).filter(pk=customer_id).first()
    if customer is None:
        raise ValidationError({"customer": ["No such customer in this shop."]})
    return customer


def stock_item_for_input(*, tenant: Tenant, item_id: int) -> StockItem:
    item = StockItem.objects.for_tenant(tenant).select_related("purity").filter(pk=item_id).first()
    if item is None:
        raise ValidationError({"stock_item": ["No such article in this shop's stock."]})
    return item


def invoice_line_get(*, tenant: Tenant, invoice: Invoice, line_id: int) -> InvoiceLine:
    return get_object_or_404(invoice_lines(tenant=tenant, invoice=invoice), pk=line_id)


def payment_list(*, tenant: Tenant) -> QuerySet[Payment]:
    return Payment.objects.for_tenant(tenant).select_related("invoice", "old_gold_voucher")


def old_gold_voucher_list(*, tenant: Tenant) -> QuerySet[OldGoldVoucher]:
    spent = (
        Payment.objects.filter(old_gold_voucher=OuterRef("pk")).order_by().values("old_gold_voucher")
        .annotate(total=Sum("amount")).values("total")
    )  # fmt: skip
    return (
        OldGoldVoucher.objects.for_tenant(tenant)
        .select_related("customer")
        .annotate(
            spent=Coalesce(
                Subquery(spent),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )


def invoice_for_input(*, tenant: Tenant, invoice_id: int) -> Invoice:
    invoice = Invoice.objects.for_tenant(tenant).filter(pk=invoice_id).first()
    if invoice is None:
        raise ValidationError({"invoice": ["No such invoice in this shop."]})
    return invoice


def old_gold_voucher_for_input(*, tenant: Tenant, voucher_id: int | None) -> OldGoldVoucher | None:
    if voucher_id is None:
        return None
    voucher = OldGoldVoucher.objects.for_tenant(tenant).filter(pk=voucher_id).first()
    if voucher is None:
        raise ValidationError({"old_gold_voucher": ["No such old-gold voucher in this shop."]})
    return voucher


def stock_item_for_code(*, tenant: Tenant, code: str) -> StockItem | None:
    """The article a scanner or a salesperson names: its HUID (exact) or its SKU (any case)."""
    code = " ".join((code or "").split())
    if not code:
        return None
    found = (
        StockItem.objects.for_tenant(tenant)
        .select_related("purity")
        .filter(Q(huid=code.upper()) | Q(sku__iexact=code))
    )
    return found.order_by("pk").first()


def day_summary(*, tenant: Tenant, day: date) -> dict:
    """The counter's day end: what was sold and taxed, and what came in by each mode."""
    issued = Invoice.objects.for_tenant(tenant).filter(issued_on=day, status=Invoice.Status.ISSUED)
    sales = issued.aggregate(
        count=Count("id"), taxable=Sum("taxable_value"), cgst=Sum("cgst"), sgst=Sum("sgst"), igst=Sum("igst"),
        total=Sum("grand_total"),
    )  # fmt: skip
    zero = Decimal("0.00")
    by_mode = dict(
        Payment.objects.for_tenant(tenant)
        .filter(received_on=day)
        .order_by()
        .values_list("mode")
        .annotate(Sum("amount"))
    )
    modes = [(label, by_mode.get(mode, zero)) for mode, label in Payment.Mode.choices]
    tax = sum((sales[k] or zero for k in ("cgst", "sgst", "igst")), zero)
    return {
        "day": day,
        "count": sales["count"],
        "taxable": sales["taxable"] or zero,
        "tax": tax,
        "total": sales["total"] or zero,
        "received": modes,
        "received_total": sum((amount for _, amount in modes), zero),
        "cash_in": by_mode.get(Payment.Mode.CASH, zero),
        "cancelled": Invoice.objects.for_tenant(tenant)
        .filter(issued_on=day, status=Invoice.Status.CANCELLED)
        .count(),
    }


def customer_ledger(*, tenant: Tenant, customer: Customer) -> dict:
    """What the customer bought (issued invoices), paid, and still owes; old gold they sold us."""
    assert customer.tenant_id == tenant.id
    invoices = list(
        invoice_list(tenant=tenant).filter(customer=customer).order_by("-created_at", "-id")[:100]
    )
    issued = [i for i in invoices if i.status == Invoice.Status.ISSUED]
    billed = sum((i.grand_total for i in issued), Decimal("0.00"))
    paid = sum((i.amount_paid for i in issued), Decimal("0.00"))
    return {
        "invoices": invoices,
        "payments": list(
            payment_list(tenant=tenant)
            .filter(invoice__customer=customer)
            .order_by("-received_on", "-id")[:100]
        ),
        "vouchers": list(old_gold_voucher_list(tenant=tenant).filter(customer=customer)[:100]),
        "billed": billed,
        "paid": paid,
        "owed": billed - paid,
    }
