"""Credit and debit notes on the pages: started from the issued invoice's page, their lines picked from
that invoice, then issued. A note's page is the invoice's page (views/sales.py), which asks `note_context`
for what a note, or an invoice with notes, adds to it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_submit, service_action, service_error_text
from apps.gst.periods import credit_note_last_day
from apps.invoicing import selectors, services
from apps.invoicing.forms import NoteLineForm, NoteStartForm
from apps.invoicing.models import CREDIT_NOTE_REASONS, DEBIT_NOTE_REASONS, Invoice
from apps.invoicing.views import sales  # the module, as it imports this one: a note's page is the sale's
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view

KIND = Invoice.Kind
STARTS = {
    KIND.CREDIT_NOTE: (CREDIT_NOTE_REASONS, services.credit_note_draft_create),
    KIND.DEBIT_NOTE: (DEBIT_NOTE_REASONS, services.debit_note_draft_create),
}


def note_context(request, invoice: Invoice, forms: dict) -> dict:
    """What the sale page shows of notes: an issued invoice's notes and the buttons to start one; a draft
    note's invoice lines to pick from."""
    can_note = request.membership.has_role(rights.SALE_NOTES.role)
    if invoice.doc_type == KIND.INVOICE:
        if invoice.status == Invoice.Status.DRAFT:
            return {}
        notes = selectors.invoice_notes(tenant=request.tenant, invoice=invoice)
        last_day = credit_note_last_day(invoice.issued_on)
        return {
            "notes": notes,
            "can_cancel": request.membership.has_role(rights.SALE_CANCEL.role)
            and not any(note.status == Invoice.Status.ISSUED for note in notes),  # the notes keep it
            "refund": max(-invoice.amount_due, 0),  # credited beyond what was owed: the shop pays it back
            "can_note": can_note and invoice.status == Invoice.Status.ISSUED,
            "credit_note_last_day": last_day,
            "credit_note_closed": timezone.localdate() > last_day,
            "note_forms": [
                (kind, NoteStartForm(kind=kind, reasons=reasons)) for kind, (reasons, _) in STARTS.items()
            ],
        }
    credit = invoice.doc_type == KIND.CREDIT_NOTE
    if invoice.status != Invoice.Status.DRAFT:
        return {"can_note": can_note, "credit": credit}
    return {
        "can_note": can_note,
        "credit": credit,
        "offer": services.note_lines_offer(tenant=request.tenant, note=invoice),
        "note_error": forms.get("note_error", ""),
    }


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view(rights.SALE_NOTES)
def note_new_view(request, invoice_id: int, kind: str):
    """Start a draft credit or debit note against the invoice, and open it."""
    original = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    reasons, create = STARTS[kind]
    form = NoteStartForm(request.POST, kind=kind, reasons=reasons)
    note = None

    def start(data: dict) -> None:
        nonlocal note
        note = create(tenant=request.tenant, actor=request.user, original=original, reason=data["reason"])

    if form_submit(form, start):
        return redirect("invoicing:invoice_detail", invoice_id=note.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("invoicing:invoice_detail", invoice_id=original.pk)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view(rights.SALE_NOTES)
def note_line_view(request, invoice_id: int):
    """Add a line of the invoice to the draft note: its article returned (no amount), or an amount on it."""
    note = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = NoteLineForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            line = selectors.original_line_for_input(
                tenant=request.tenant, note=note, line_id=form.cleaned_data["original_line"]
            )
            amount = form.cleaned_data["amount"]
            if amount:
                services.note_line_add_amount(
                    tenant=request.tenant, actor=request.user, note=note, original_line=line, amount=amount
                )
            else:
                services.credit_note_line_return(
                    tenant=request.tenant, actor=request.user, note=note, original_line=line
                )
        except (ValidationError, ApplicationError) as exc:
            error = service_error_text(exc)
    else:
        error = "Choose a line of the invoice, and enter the amount in rupees."
    if error:
        return sales._sale_page(request, note, status=422, note_error=error)
    return sales._sale_page(request, note)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view(rights.SALE_NOTES)
def note_issue_view(request, invoice_id: int):
    note = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    done = f"{note.get_doc_type_display()} issued against invoice {note.original.number if note.original else ''}."
    if note.doc_type == KIND.CREDIT_NOTE:
        done += " Any article it returns is back in stock."
    service_action(
        request,
        lambda: services.invoice_issue(tenant=request.tenant, actor=request.user, invoice=note),
        done=done,
    )
    return redirect("invoicing:invoice_detail", invoice_id=note.pk)
