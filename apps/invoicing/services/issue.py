"""Issuing and cancelling invoices, and credit and debit notes (the same documents, of another kind).

Issue is one transaction: the draft and its articles are locked and checked, every line's tax is
settled at 2 places, the articles are marked sold (or, on a credit note, back in stock), the seller's
and buyer's details are copied in, and last the number is taken from the series of the document's
kind (so its lock is held only for the final writes). A note also locks the invoice it corrects, to
commit. From commit on the database refuses any change to the document and its lines (migration 0002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.audit.services import AuditEntry, audit_record, audit_record_many
from apps.core.money import inr
from apps.core.rls import task_send
from apps.gst import tax
from apps.gst.periods import FinancialYear, retain_until
from apps.gst.validators import hsn_digits_refusal
from apps.gst.words import rupees_in_words
from apps.inventory.models import StockItem
from apps.inventory.services import sales
from apps.invoicing import rules, tasks
from apps.invoicing.exceptions import ArticleNotForSale, InvoiceNotDraft, InvoiceNotIssued
from apps.invoicing.models import EInvoice, Invoice, InvoiceLine
from apps.invoicing.services import notes
from apps.invoicing.services.drafts import invoice_lines_rate_check
from apps.invoicing.services.series import series_number_take

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

LINE_TAX_FIELDS = ["taxable_value", "cgst", "sgst", "igst"]
BUYER_FIELDS = ["buyer_name", "buyer_gstin", "buyer_state_code", "buyer_address", "buyer_phone", "buyer_pan",
                "buyer_form_60"]  # fmt: skip


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
    # A GSTIN is the shop's once verified from its certificate, not when typed (a stranger can type it).
    if not tenant.gstin_is_verified:
        if tenant.gstin_status == tenant.GstinStatus.AWAITING_REVIEW:
            raise ValidationError(
                f"GSTIN {tenant.gstin} is waiting to be verified by the Tijori team, so GST invoices can't be "
                "issued yet. The dashboard shows when it is verified; the draft stays as it is until then."
            )
        raise ValidationError(
            f"GSTIN {tenant.gstin} is not verified, so GST invoices can't be issued yet. An owner or admin "
            "uploads the shop's GST registration certificate in Settings → Profile; the Tijori team checks "
            "it, and the dashboard shows the result."
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


def _hsn_digits_check(*, tenant: Tenant, lines: list[InvoiceLine], on) -> None:
    """A shop e-invoicing (turnover above ₹5 crore) writes 6-digit HSN codes on every document."""
    above = tenant.einvoice_from is not None and on >= tenant.einvoice_from
    refusals = [
        f"Line {line.position} ({line.description}): {refusal}"
        for line in lines
        if (refusal := hsn_digits_refusal(line.hsn_code, turnover_above_five_crore=above))
    ]
    if refusals:
        raise ValidationError(" ".join(refusals))


@transaction.atomic
def invoice_issue(*, tenant: Tenant, actor: User | None, invoice: Invoice) -> Invoice:
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=invoice.pk)
    label = invoice.kind_name
    if invoice.status != Invoice.Status.DRAFT:
        raise InvoiceNotDraft(
            f"{label.capitalize()} {invoice.number} is already {invoice.get_status_display().lower()}."
        )
    _seller_check(tenant)
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))
    if not lines:
        raise ValidationError(f"Add at least one line before issuing the {label}.")
    original = None
    if invoice.is_note:  # it keeps its invoice's rates and buyer, checked then; its invoice stays locked
        original = notes.note_issue_check(tenant=tenant, actor=actor, note=invoice, lines=lines)
    else:  # the buyer may have changed since the lines were priced
        invoice_lines_rate_check(invoice=invoice, lines=lines, on=timezone.localdate())

    _hsn_digits_check(tenant=tenant, lines=lines, on=timezone.localdate())
    items = sales.stock_items_lock(
        tenant=tenant, item_ids=[ln.stock_item_id for ln in lines if ln.stock_item_id]
    )
    if original is not None:  # returned articles come back from the buyer: "no HUID, no sale" is for sales
        refusals = [f"{item.sku} is {item.get_stock_status_display().lower()}, not sold: it can't be returned."
                    for item in items.values() if item.stock_status != StockItem.StockStatus.SOLD]  # fmt: skip
    else:
        refusals = [sales.stock_item_sale_refusal(item) for item in items.values()]
    if any(refusals):
        raise ArticleNotForSale(" ".join(r for r in refusals if r))
    for line in lines:
        if line.stock_item_id and original is None:
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
    if original is None:
        _buyer_copy(invoice)
    else:  # Rule 53: the recipient of the invoice the note corrects
        for name in BUYER_FIELDS:
            setattr(invoice, name, getattr(original, name))

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
    stock_status = StockItem.StockStatus.SOLD if original is None else StockItem.StockStatus.IN_STOCK
    sales.stock_items_status_set(tenant=tenant, items=items.values(), status=stock_status)

    # Last, the number: from here to commit other issuers of the series wait, so only the writes that
    # need the number follow (the document and its events, in one INSERT).
    invoice.series, invoice.number = series_number_take(
        tenant=tenant,
        doc_type=invoice.doc_type,
        code=invoice.series_code,
        gstin=tenant.gstin,
        fy=FinancialYear.of(today),
    )
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_by = actor
    invoice.save()
    because = (
        f"sold on invoice {invoice.number}" if original is None else f"returned on {label} {invoice.number}"
    )
    against = f" against invoice {original.number}" if original is not None else ""
    summary = (
        f"Issued {label} {invoice.number}{against} for {inr(invoice.grand_total)} ({len(lines)} "
        f"line{'s' if len(lines) != 1 else ''})"
    )
    audit_record_many(
        tenant=tenant, actor=actor,
        entries=[*sales.stock_status_events(items.values(), stock_status, because),
                 AuditEntry(f"{invoice.doc_type}.issue", summary, invoice)],
    )  # fmt: skip
    transaction.on_commit(lambda: task_send(tasks.invoice_pdf_render_task, invoice.pk, tenant_id=tenant.pk))
    return invoice


@transaction.atomic
def invoice_cancel(*, tenant: Tenant, actor: User | None, invoice: Invoice, reason: str) -> Invoice:
    """Cancel an issued invoice or note on the record: it keeps its number; an invoice's articles return
    to stock, a credit note's returned articles are sold again.

    Allowed on the day of issue only; later corrections are credit notes, which GSTR-1 reports. An
    invoice with issued notes stays: the notes report against it.
    """
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)  # notes issued against it wait
    label = invoice.kind_name
    if invoice.status != Invoice.Status.ISSUED:
        raise InvoiceNotIssued(
            f"Only an issued {label} can be cancelled; this one is {invoice.get_status_display().lower()}."
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [f"Say why the {label} is cancelled: it stays on the record."]})
    if invoice.issued_on != timezone.localdate():
        raise InvoiceNotIssued(
            f"{label.capitalize()} {invoice.number} was issued on {invoice.issued_on:%d %b %Y}: it can be "
            "cancelled only on its day. Issue a credit note instead."
            if not invoice.is_note
            else f"{label.capitalize()} {invoice.number} was issued on {invoice.issued_on:%d %b %Y}: it can be "
            "cancelled only on its day. Issue a further note to correct it."
        )
    if EInvoice.objects.filter(document=invoice, status=EInvoice.Status.ACTIVE).exists():
        raise InvoiceNotIssued(
            f"{label.capitalize()} {invoice.number} is registered on the IRP: cancel its IRN (possible for 24 "
            f"hours), which cancels the {label} with it."
        )
    noted = list(
        invoice.notes.filter(status=Invoice.Status.ISSUED).order_by("pk").values_list("number", flat=True)
    )
    if noted:
        raise InvoiceNotIssued(
            f"Invoice {invoice.number} has notes issued against it ({', '.join(noted)}): it can't be cancelled. "
            "Issue a credit note instead."
        )
    item_ids = InvoiceLine.objects.filter(invoice=invoice, stock_item__isnull=False).values_list(
        "stock_item_id", flat=True
    )
    items = sales.stock_items_lock(tenant=tenant, item_ids=list(item_ids))
    back_to = StockItem.StockStatus.IN_STOCK
    if invoice.doc_type == Invoice.Kind.CREDIT_NOTE:  # the return is undone: the buyer keeps the article
        back_to = StockItem.StockStatus.SOLD
        gone = [f"{item.sku} is {item.get_stock_status_display().lower()}" for item in items.values()
                if item.stock_status != StockItem.StockStatus.IN_STOCK]  # fmt: skip
        if gone:
            raise ArticleNotForSale(
                f"{'; '.join(gone)} since it was returned: credit note {invoice.number} can't be cancelled."
            )
    sales.stock_items_mark(
        tenant=tenant, actor=actor, items=items.values(), status=back_to,
        because=f"{label} {invoice.number} cancelled",
    )  # fmt: skip
    invoice.status = Invoice.Status.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancel_reason = reason[:200]
    invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action=f"{invoice.doc_type}.cancel",
        summary=f"Cancelled {label} {invoice.number} ({inr(invoice.grand_total)}): {invoice.cancel_reason}",
        target=invoice,
    )
    return invoice
