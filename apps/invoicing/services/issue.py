"""Issuing and cancelling invoices.

Issue is one transaction: the draft and its articles are locked and checked, every line's tax is
settled at 2 places, the articles are marked sold, the seller's and buyer's details are copied in,
and last the number is taken from the series (so its lock is held only for the final writes). From
commit on the database refuses any change to the invoice and its lines (migration 0002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.money import inr
from apps.core.rls import task_send
from apps.gst import tax
from apps.gst.periods import FinancialYear, retain_until
from apps.gst.words import rupees_in_words
from apps.inventory.models import StockItem
from apps.inventory.services import sales
from apps.invoicing import rules, tasks
from apps.invoicing.exceptions import ArticleNotForSale, InvoiceNotDraft, InvoiceNotIssued
from apps.invoicing.models import DocumentType, Invoice, InvoiceLine
from apps.invoicing.services.series import series_number_take

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

LINE_TAX_FIELDS = ["taxable_value", "cgst", "sgst", "igst"]


def _seller_check(tenant: Tenant) -> None:
    missing = [
        label
        for label, value in (
            ("GSTIN", tenant.gstin),
            ("state", tenant.state_code),
            ("address", tenant.address.strip()),
        )
        if not value
    ]
    if missing:
        raise ValidationError(
            f"Add the shop's {' and '.join(missing)} in the shop profile: a GST invoice must carry them."
        )


def _buyer_copy(invoice: Invoice) -> None:
    """Copy the buyer in, and check what the law asks of them at this value (Rule 46(e), Rule 114B)."""
    customer = invoice.customer
    if customer is not None:
        invoice.buyer_name = customer.name
        invoice.buyer_gstin = customer.gstin
        invoice.buyer_state_code = customer.state_code
        invoice.buyer_address = customer.address
        invoice.buyer_phone = customer.phone
        invoice.buyer_pan = customer.pan
        invoice.buyer_form_60 = customer.form_60_given
    if invoice.taxable_value >= rules.UNREGISTERED_DETAILS_FROM and not invoice.buyer_gstin:
        missing = [
            label
            for label, value in (
                ("name", invoice.buyer_name),
                ("address", invoice.buyer_address),
                ("state", invoice.buyer_state_code),
            )
            if not value
        ]
        if missing:
            raise ValidationError(
                {
                    "customer": [
                        f"A sale of {inr(rules.UNREGISTERED_DETAILS_FROM, 0)} or more to an unregistered "
                        f"buyer names them: add the customer's {', '.join(missing)}."
                    ]
                }
            )
    if invoice.grand_total > rules.PAN_REQUIRED_ABOVE and not (invoice.buyer_pan or invoice.buyer_form_60):
        raise ValidationError(
            {
                "customer": [
                    f"A sale over {inr(rules.PAN_REQUIRED_ABOVE, 0)} needs the buyer's PAN, or Form 60 if "
                    "they have none (Income-tax Rule 114B)."
                ]
            }
        )


@transaction.atomic
def invoice_issue(*, tenant: Tenant, actor: User | None, invoice: Invoice) -> Invoice:
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise InvoiceNotDraft(f"Invoice {invoice.number} is already {invoice.get_status_display().lower()}.")
    _seller_check(tenant)
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))
    if not lines:
        raise ValidationError("Add at least one line before issuing the invoice.")

    items = sales.stock_items_lock(
        tenant=tenant, item_ids=[ln.stock_item_id for ln in lines if ln.stock_item_id]
    )
    refusals = [sales.stock_item_sale_refusal(item) for item in items.values()]
    if any(refusals):
        raise ArticleNotForSale(" ".join(r for r in refusals if r))
    for line in lines:
        if line.stock_item_id:
            line.huid = items[line.stock_item_id].huid  # hallmarked since it was added

    inter_state = tax.is_inter_state(
        supplier_state=tenant.state_code, place_of_supply=invoice.place_of_supply
    )
    taxes = []
    for line in lines:
        settled = tax.line_tax(taxable=line.taxable_value, rate=line.gst_rate, inter_state=inter_state)
        line.taxable_value, line.cgst, line.sgst, line.igst = (
            settled.taxable,
            settled.cgst,
            settled.sgst,
            settled.igst,
        )
        taxes.append(settled)
    totals = tax.document_totals(taxes)
    invoice.taxable_value, invoice.cgst, invoice.sgst, invoice.igst = (
        totals.taxable,
        totals.cgst,
        totals.sgst,
        totals.igst,
    )
    invoice.round_off, invoice.grand_total = totals.round_off, totals.grand_total
    invoice.amount_in_words = rupees_in_words(totals.grand_total)
    _buyer_copy(invoice)

    today = timezone.localdate()
    invoice.issued_on = today
    invoice.retain_until = retain_until(today)
    invoice.seller_name, invoice.seller_gstin = tenant.name, tenant.gstin
    invoice.seller_state_code, invoice.seller_address = tenant.state_code, tenant.address
    # Field rules now, before the series is locked; the related rows were locked or checked above.
    invoice.full_clean(
        exclude=["tenant", "series", "number", "customer", "created_by", "issued_by"],
        validate_constraints=False,
    )
    InvoiceLine.objects.bulk_update(lines, [*LINE_TAX_FIELDS, "huid"])

    invoice.series, invoice.number = series_number_take(
        tenant=tenant,
        doc_type=DocumentType.INVOICE,
        code=invoice.series_code,
        gstin=tenant.gstin,
        fy=FinancialYear.of(today),
    )
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_by = actor
    invoice.save()
    sales.stock_items_mark(
        tenant=tenant, actor=actor, items=items.values(), status=StockItem.StockStatus.SOLD,
        because=f"sold on invoice {invoice.number}",
    )  # fmt: skip
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invoice.issue",
        summary=f"Issued invoice {invoice.number} for {inr(invoice.grand_total)} ({len(lines)} "
        f"line{'s' if len(lines) != 1 else ''})",
        target=invoice,
    )
    transaction.on_commit(lambda: task_send(tasks.invoice_pdf_render_task, invoice.pk, tenant_id=tenant.pk))
    return invoice


@transaction.atomic
def invoice_cancel(*, tenant: Tenant, actor: User | None, invoice: Invoice, reason: str) -> Invoice:
    """Cancel an issued invoice on the record: it keeps its number, and its articles return to stock.

    Allowed on the day of issue only; later corrections are credit notes, which GSTR-1 reports.
    """
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        raise InvoiceNotIssued(
            f"Only an issued invoice can be cancelled; this one is {invoice.get_status_display().lower()}."
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["Say why the invoice is cancelled: it stays on the record."]})
    if invoice.issued_on != timezone.localdate():
        raise InvoiceNotIssued(
            f"Invoice {invoice.number} was issued on {invoice.issued_on:%d %b %Y}: an invoice can be cancelled "
            "only on its day. Issue a credit note instead."
        )
    item_ids = InvoiceLine.objects.filter(invoice=invoice, stock_item__isnull=False).values_list(
        "stock_item_id", flat=True
    )
    items = sales.stock_items_lock(tenant=tenant, item_ids=list(item_ids))
    sales.stock_items_mark(
        tenant=tenant, actor=actor, items=items.values(), status=StockItem.StockStatus.IN_STOCK,
        because=f"invoice {invoice.number} cancelled",
    )  # fmt: skip
    invoice.status = Invoice.Status.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancel_reason = reason[:200]
    invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invoice.cancel",
        summary=f"Cancelled invoice {invoice.number} ({inr(invoice.grand_total)}): {invoice.cancel_reason}",
        target=invoice,
    )
    return invoice
