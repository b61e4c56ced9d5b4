"""Reading customers, series and invoices, always for one tenant."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Replace
from django.shortcuts import get_object_or_404

from apps.core.db.prebuilt import prebuilt
from apps.inventory.models import StockItem
from apps.invoicing.models import (
    Customer,
    DocumentSeries,
    Invoice,
    InvoiceLine,
    OldGoldVoucher,
    Payment,
    ReceiptVoucher,
)

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def customer_list(*, tenant: Tenant, q: str = "") -> QuerySet[Customer]:
    """Search by name (or trade name), phone (however its digits are grouped), or GSTIN."""
    qs = Customer.objects.for_tenant(tenant)
    term = " ".join(q.split())
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        match = Q(name__icontains=term) | Q(trade_name__icontains=term) | Q(gstin__iexact=term)
        if len(digits) >= 4:
            qs = qs.alias(
                phone_digits=Replace(Replace("phone", Value(" "), Value("")), Value("-"), Value(""))
            )
            match |= Q(phone_digits__contains=digits)
        qs = qs.filter(match)
    return qs


def customer_get(*, tenant: Tenant, customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.for_tenant(tenant), pk=customer_id)


def series_list(*, tenant: Tenant) -> QuerySet[DocumentSeries]:
    return DocumentSeries.objects.for_tenant(tenant)


PAYMENT_STATUSES = {"unpaid": "Unpaid", "part_paid": "Part-paid", "paid": "Paid"}


RUPEES = DecimalField(max_digits=14, decimal_places=2)


def _total(rows: QuerySet, group_by: str, field: str) -> Coalesce:
    """One sum per outer row, as a subquery (a join would multiply the rows it sums)."""
    subquery = rows.order_by().values(group_by).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(subquery), Value(Decimal("0.00")), output_field=RUPEES)


def document_list(*, tenant: Tenant) -> QuerySet[Invoice]:
    """Invoices and notes, each with what is owed on it; the one source of "paid" and "due".

    An invoice and its issued notes are one account: `amount_due` = grand total - payments (on the
    invoice and on its debit notes) - issued credit notes + issued debit notes. A debit note's own
    `amount_due` is its total less its payments (`invoice_due` also keeps it within its invoice's); a
    credit note is owed nothing.
    """
    return _documents().for_tenant(tenant)


@prebuilt
def _documents() -> QuerySet[Invoice]:
    """Every tenant's documents with their amounts (RLS and `for_tenant` keep to one): built once per
    thread, because building the sums costs more than the rest of a list's Python (apps/core/db/prebuilt.py)."""
    issued_notes = Invoice.objects.filter(original=OuterRef("pk"), status=Invoice.Status.ISSUED)
    return (
        Invoice.objects.select_related("customer", "original")
        .annotate(
            amount_paid=_total(Payment.objects.filter(invoice=OuterRef("pk")), "invoice", "amount")
            + _total(Payment.objects.filter(invoice__original=OuterRef("pk")), "invoice__original", "amount"),
            amount_credited=_total(issued_notes.filter(doc_type=Invoice.Kind.CREDIT_NOTE), "original", "grand_total"),
            amount_debited=_total(issued_notes.filter(doc_type=Invoice.Kind.DEBIT_NOTE), "original", "grand_total"),
        )
        .annotate(
            amount_due=Case(
                When(doc_type=Invoice.Kind.CREDIT_NOTE, then=Value(Decimal("0.00"))),
                default=F("grand_total") + F("amount_debited") - F("amount_credited") - F("amount_paid"),
                output_field=RUPEES,
            )
        )
    )  # fmt: skip


def invoice_list(*, tenant: Tenant) -> QuerySet[Invoice]:
    """Tax invoices only (their notes are listed by `note_list` and on the invoice they correct)."""
    return document_list(tenant=tenant).filter(doc_type=Invoice.Kind.INVOICE)


def payment_status(invoice: Invoice) -> str:
    """unpaid, part_paid or paid, from `document_list`'s amounts; drafts and cancelled ones are unpaid."""
    if invoice.status != Invoice.Status.ISSUED or (invoice.amount_paid <= 0 and invoice.amount_credited <= 0):
        return "unpaid"
    return "paid" if invoice.amount_due <= 0 else "part_paid"


def invoice_get(*, tenant: Tenant, invoice_id: int) -> Invoice:
    """An invoice or a note, with its amounts (the sale pages show both)."""
    return get_object_or_404(document_list(tenant=tenant), pk=invoice_id)


def note_list(*, tenant: Tenant, doc_type: str) -> QuerySet[Invoice]:
    """Credit notes or debit notes, each with its original invoice."""
    assert doc_type in (Invoice.Kind.CREDIT_NOTE, Invoice.Kind.DEBIT_NOTE)
    return document_list(tenant=tenant).filter(doc_type=doc_type)


def invoice_notes(*, tenant: Tenant, invoice: Invoice) -> list[Invoice]:
    """The notes issued (or drafted) against an invoice, oldest first."""
    assert invoice.tenant_id == tenant.id
    return list(Invoice.objects.for_tenant(tenant).filter(original=invoice).order_by("created_at", "id"))


def original_for_input(*, tenant: Tenant, invoice_id: int) -> Invoice:
    """The invoice a note's request names; another shop's id reads as a missing one."""
    original = Invoice.objects.for_tenant(tenant).filter(pk=invoice_id, doc_type=Invoice.Kind.INVOICE).first()
    if original is None:
        raise ValidationError({"original": ["No such invoice in this shop."]})
    return original


def original_line_for_input(*, tenant: Tenant, note: Invoice, line_id: int) -> InvoiceLine:
    """A line of the invoice the note corrects."""
    assert note.tenant_id == tenant.id
    line = InvoiceLine.objects.for_tenant(tenant).filter(pk=line_id, invoice_id=note.original_id).first()
    if line is None:
        raise ValidationError({"original_line": ["Choose a line of the invoice this note corrects."]})
    return line


def invoice_due(*, tenant: Tenant, invoice: Invoice) -> Decimal:
    """What is still owed on an issued invoice's account, or on a debit note within its invoice's.

    Never below zero: a credit note that outgrows what is owed is money the shop pays back, not a due.
    """
    assert invoice.tenant_id == tenant.id
    if invoice.status != Invoice.Status.ISSUED:
        return Decimal("0.00")
    documents = document_list(tenant=tenant)
    due = documents.values_list("amount_due", flat=True).get(pk=invoice.pk)
    if invoice.doc_type == Invoice.Kind.DEBIT_NOTE:
        due = min(due, documents.values_list("amount_due", flat=True).get(pk=invoice.original_id))
    return max(due, Decimal("0.00"))


def invoice_lines(*, tenant: Tenant, invoice: Invoice) -> QuerySet[InvoiceLine]:
    assert invoice.tenant_id == tenant.id
    return InvoiceLine.objects.for_tenant(tenant).filter(invoice=invoice).order_by("position")


def _settlements() -> list[Exists]:
    """What makes an invoice settled in part or in whole (`amount_paid > 0 or amount_credited > 0`),
    as three tests of existence: a payment on it, a payment on one of its debit notes, an issued credit
    note against it. The same test, since payments and credit notes are never negative; but a few index
    lookups per invoice, or anti-joins over the shop's invoices, rather than their sums for each."""
    return [
        Exists(Payment.objects.filter(invoice=OuterRef("pk"), amount__gt=0)),
        Exists(Payment.objects.filter(invoice__original=OuterRef("pk"), amount__gt=0)),
        Exists(
            Invoice.objects.filter(
                original=OuterRef("pk"), doc_type=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED,
                grand_total__gt=0,
            )
        ),
    ]  # fmt: skip


def invoice_search(
    *, tenant: Tenant, status: str = "", customer_id: int | None = None, issued_from: date | None = None,
    issued_to: date | None = None, q: str = "", paid: str = "",
) -> QuerySet[Invoice]:  # fmt: skip
    """The invoice list's filters, for the page and the API alike."""
    qs = invoice_list(tenant=tenant)
    if status:
        qs = qs.filter(status=status)
    if paid:  # as payment_status() reads them
        issued = qs.filter(status=Invoice.Status.ISSUED)
        settlements = _settlements()
        settled = settlements[0] | settlements[1] | settlements[2]
        if paid == "unpaid":
            # Each NOT EXISTS on its own, so that PostgreSQL can read them as anti-joins.
            qs = issued.exclude(settlements[0]).exclude(settlements[1]).exclude(settlements[2])
        elif paid == "part_paid":
            qs = issued.filter(settled, amount_due__gt=0)
        elif paid == "paid":
            qs = issued.filter(settled, amount_due__lte=0)
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
    return Payment.objects.for_tenant(tenant).select_related("invoice", "old_gold_voucher", "receipt_voucher")


def old_gold_voucher_list(*, tenant: Tenant) -> QuerySet[OldGoldVoucher]:
    """Each voucher with `spent`: what payments have applied of its value."""
    spent = _total(Payment.objects.filter(old_gold_voucher=OuterRef("pk")), "old_gold_voucher", "amount")
    return OldGoldVoucher.objects.for_tenant(tenant).select_related("customer").annotate(spent=spent)


def receipt_voucher_list(*, tenant: Tenant) -> QuerySet[ReceiptVoucher]:
    """Each advance with `adjusted` (against invoices so far) and `left` (still held for the customer)."""
    adjusted = _total(Payment.objects.filter(receipt_voucher=OuterRef("pk")), "receipt_voucher", "amount")
    return (
        ReceiptVoucher.objects.for_tenant(tenant)
        .select_related("customer")
        .annotate(adjusted=adjusted)
        .annotate(left=F("amount") - F("adjusted"))
    )


def receipt_voucher_search(
    *, tenant: Tenant, customer_id: int | None = None, received_from: date | None = None,
    received_to: date | None = None, open_only: bool = False,
) -> QuerySet[ReceiptVoucher]:  # fmt: skip
    """The receipt vouchers' filters, for the pages and the API alike; `open_only`: with money left."""
    qs = receipt_voucher_list(tenant=tenant)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if received_from:
        qs = qs.filter(received_on__gte=received_from)
    if received_to:
        qs = qs.filter(received_on__lte=received_to)
    if open_only:
        qs = qs.filter(left__gt=0)
    return qs


def receipt_voucher_get(*, tenant: Tenant, voucher_id: int) -> ReceiptVoucher:
    return get_object_or_404(receipt_voucher_list(tenant=tenant), pk=voucher_id)


def receipt_voucher_adjustments(*, tenant: Tenant, voucher: ReceiptVoucher) -> QuerySet[Payment]:
    assert voucher.tenant_id == tenant.id
    return payment_list(tenant=tenant).filter(receipt_voucher=voucher).order_by("received_on", "id")


def receipt_voucher_for_input(*, tenant: Tenant, voucher_id: int | None) -> ReceiptVoucher | None:
    if voucher_id is None:
        return None
    voucher = ReceiptVoucher.objects.for_tenant(tenant).filter(pk=voucher_id).first()
    if voucher is None:
        raise ValidationError({"receipt_voucher": ["No such receipt voucher in this shop."]})
    return voucher


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
    """The article a scanner or a salesperson names: its HUID (exact) or its SKU (any case).

    A SKU as read, in capitals or in small letters is looked up first, through the shop's unique
    indexes; only a code none of these finds is compared case-blind, SKU by SKU. Under row-level
    security a case-blind comparison (UPPER) can use no index, so it reads all the shop's articles:
    the counter's scan must not pay for that at every article.
    """
    code = " ".join((code or "").split())
    if not code:
        return None
    articles = StockItem.objects.for_tenant(tenant).select_related("purity").order_by("pk")
    found = articles.filter(Q(huid=code.upper()) | Q(sku__in={code, code.upper(), code.lower()})).first()
    return found or articles.filter(sku__iexact=code).first()


def day_summary(*, tenant: Tenant, day: date) -> dict:
    """The counter's day end: what was sold and taxed, and what came in by each mode.

    An advance is money in on the day its receipt voucher is written, so it counts under its mode
    (cash in the drawer included) that day; adjusting it against a bill later brings nothing in.
    """
    bills = Invoice.objects.for_tenant(tenant).filter(doc_type=Invoice.Kind.INVOICE)  # notes are not sales
    issued = bills.filter(issued_on=day, status=Invoice.Status.ISSUED)
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
    advances = dict(
        ReceiptVoucher.objects.for_tenant(tenant)
        .filter(received_on=day)
        .order_by()
        .values_list("mode")
        .annotate(Sum("amount"))
    )
    for mode, amount in advances.items():
        by_mode[mode] = by_mode.get(mode, zero) + amount
    money_in = [(mode, label) for mode, label in Payment.Mode.choices if mode != Payment.Mode.ADVANCE]
    modes = [(label, by_mode.get(mode, zero)) for mode, label in money_in]
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
        "advances": sum(advances.values(), zero),
        "cancelled": bills.filter(issued_on=day, status=Invoice.Status.CANCELLED).count(),
    }


def customer_ledger(*, tenant: Tenant, customer: Customer) -> dict:
    """What the customer bought (issued invoices and debit notes), was credited, paid, and still owes
    (below zero: what the shop owes them back); old gold they sold us; advances they paid before a sale,
    what of them is still held for them, and the balance once those are set against what is owed."""
    assert customer.tenant_id == tenant.id
    invoices = list(
        document_list(tenant=tenant).filter(customer=customer).order_by("-created_at", "-id")[:100]
    )
    issued = [i for i in invoices if i.status == Invoice.Status.ISSUED]
    kind = Invoice.Kind
    billed = sum((i.grand_total for i in issued if i.doc_type != kind.CREDIT_NOTE), Decimal("0.00"))
    credited = sum((i.grand_total for i in issued if i.doc_type == kind.CREDIT_NOTE), Decimal("0.00"))
    # An invoice's amount_paid counts its debit notes' payments too.
    paid = sum((i.amount_paid for i in issued if i.doc_type == kind.INVOICE), Decimal("0.00"))
    # Adjusted advances are payments (in `paid`); what is left of them is money held for the customer.
    advances = receipt_voucher_list(tenant=tenant).filter(customer=customer)
    advance = advances.aggregate(received=Sum("amount"), held=Sum("left"))
    zero = Decimal("0.00")
    return {
        "invoices": invoices,
        "payments": list(
            payment_list(tenant=tenant)
            .filter(invoice__customer=customer)
            .order_by("-received_on", "-id")[:100]
        ),
        "vouchers": list(old_gold_voucher_list(tenant=tenant).filter(customer=customer)[:100]),
        "advances": list(advances[:100]),
        "billed": billed,
        "credited": credited,
        "paid": paid,
        "owed": billed - credited - paid,
        "advance_received": advance["received"] or zero,
        "advance_held": advance["held"] or zero,
        "balance": billed - credited - paid - (advance["held"] or zero),
    }
