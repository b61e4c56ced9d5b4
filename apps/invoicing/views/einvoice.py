"""The e-Invoices page (a month's B2B documents and what stops each from the IRP, the bulk file, the
IRP's answer imported) and the e-invoice part of a document's page (its JSON, its IRN and QR code,
registering it through the IRP's API, cancelling its IRN)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error, form_submit, messages_add_service_error, service_action
from apps.gst.einvoice import bulk_parts, cancel_deadline, einvoice_json
from apps.invoicing import einvoice_selectors, selectors, services
from apps.invoicing.exceptions import EInvoiceImportRefused, EInvoiceNotReady
from apps.invoicing.forms import EInvoiceCancelForm, EInvoiceImportForm, EInvoicePeriodForm
from apps.invoicing.models import EInvoice, Invoice
from apps.invoicing.views import (
    sales,
)  # the module, as it imports this one: the panel sits on the sale's page
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view

JSON = "application/json"


def _attachment(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=JSON)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    return response


def _list_page(request, *, import_form=None, status: int = 200):
    tenant = request.tenant
    today = timezone.localdate()
    period_form = EInvoicePeriodForm(request.GET or None, initial={"period": f"{today:%Y-%m}"})
    period = period_form.chosen(today)
    rows = einvoice_selectors.einvoice_rows(tenant=tenant, period=period, today=today)
    _numbers, texts = services.einvoice_bulk_texts(rows)
    context = {
        "period_form": period_form,
        "period": period,
        "rows": rows,
        "ready": sum(1 for row in rows if row.ready),
        "registered": sum(1 for row in rows if row.einvoice is not None),
        "blocked": sum(1 for row in rows if row.problems),
        "parts": range(1, len(bulk_parts(texts)) + 1) if texts else range(0),
        "import_form": import_form or EInvoiceImportForm(),
        "connected": services.irp_connected(tenant=tenant),
    }
    return render(request, "invoicing/einvoice_list.html", context, status=status)


@require_GET
@tenant_view(rights.EINVOICE)
def einvoice_list_view(request):
    return _list_page(request)


@require_GET
@tenant_view(rights.EINVOICE)
def einvoice_bulk_view(request):
    """The portal's bulk upload file of the month's ready documents (one part of it, if over 1 MB)."""
    period = EInvoicePeriodForm(request.GET).chosen(timezone.localdate())
    try:
        part = int(request.GET.get("part") or 1)
    except ValueError:
        part = 0
    try:
        bulk = services.einvoice_bulk_file(
            tenant=request.tenant, actor=request.user, period=period, part=part
        )
    except (ValidationError, ApplicationError) as exc:
        messages_add_service_error(request, exc)
        return redirect(f"{reverse('invoicing:einvoice_list')}?period={period.code}")
    return _attachment(bulk.content, bulk.file_name)


@post_only("invoicing:einvoice_list")
@tenant_view(rights.EINVOICE)
def einvoice_import_view(request):
    form = EInvoiceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, import_form=form, status=422)
    try:
        result = services.einvoice_answers_import(
            tenant=request.tenant, actor=request.user, answers=form.cleaned_data["answers"].read()
        )
    except EInvoiceImportRefused as exc:  # each answer refused on a line of its own
        form.add_error(None, "Nothing was recorded: the answers below do not match this shop's documents.")
        for problem in exc.problems:
            form.add_error(None, problem)
        return _list_page(request, import_form=form, status=422)
    except (ValidationError, ApplicationError) as exc:
        form_add_service_error(form, exc)
        return _list_page(request, import_form=form, status=422)
    recorded, already = len(result.recorded), len(result.already)
    text = f"Recorded the IRN of {recorded} document{'s' if recorded != 1 else ''}"
    if already:
        text += f"; {already} answer{'s were' if already != 1 else ' was'} recorded before"
    messages.success(request, text + ". The bills are being printed again with their QR codes.")
    return redirect("invoicing:einvoice_list")


def einvoice_panel(request, invoice: Invoice, *, cancel_form=None) -> dict:
    """The e-invoice part of an issued document's page, or None where e-invoicing does not reach it."""
    tenant = request.tenant
    if invoice.status == Invoice.Status.DRAFT:
        return {"einvoice_panel": None}
    einvoice = einvoice_selectors.einvoice_of(tenant=tenant, invoice=invoice)
    applies = bool(tenant.einvoice_from and invoice.buyer_gstin and invoice.issued_on >= tenant.einvoice_from)
    if einvoice is None and not applies:
        return {"einvoice_panel": None}
    panel = {
        "can": request.membership.has_role(rights.EINVOICE.role),
        "connected": services.irp_connected(tenant=tenant),
        "problems": [],
        **services.einvoice_print(einvoice),
    }
    if einvoice is None:
        if invoice.status == Invoice.Status.ISSUED:
            try:
                services.einvoice_document_record(tenant=tenant, document=invoice)
            except EInvoiceNotReady as exc:
                panel["problems"] = exc.problems
    elif einvoice.status == EInvoice.Status.ACTIVE:
        deadline = cancel_deadline(einvoice.ack_at)
        panel.update(
            cancel_until=deadline,
            cancellable=timezone.now() <= deadline and invoice.status == Invoice.Status.ISSUED,
            cancel_form=cancel_form or EInvoiceCancelForm(),
        )
        # A registered document is cancelled only with its IRN, from the panel (invoice_cancel refuses).
        return {"einvoice_panel": panel, "can_cancel": False}
    return {"einvoice_panel": panel}


@require_GET
@tenant_view(rights.EINVOICE)
def invoice_einvoice_json_view(request, invoice_id: int):
    """One document's INV-01 JSON, to upload on the portal; back to its page with the problems if not ready."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    try:
        payload = services.einvoice_document_payload(tenant=request.tenant, document=invoice)
    except ApplicationError as exc:
        messages_add_service_error(request, exc)
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _attachment(einvoice_json(payload), f"einvoice-{invoice.number.replace('/', '-')}.json")


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view(rights.EINVOICE)
def invoice_einvoice_generate_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    service_action(
        request,
        lambda: services.einvoice_generate(tenant=request.tenant, actor=request.user, document=invoice),
        done="Registered on the IRP: the bill is being printed again with its IRN and QR code.",
    )
    return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view(rights.EINVOICE)
def invoice_einvoice_cancel_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    einvoice = einvoice_selectors.einvoice_of(tenant=request.tenant, invoice=invoice)
    if einvoice is None:
        messages.error(request, f"{invoice.number} has no IRN to cancel.")
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    form = EInvoiceCancelForm(request.POST)
    if form_submit(
        form,
        lambda data: services.einvoice_cancel_record(
            tenant=request.tenant, actor=request.user, einvoice=einvoice, **data
        ),
    ):
        messages.success(
            request, f"The IRN of {invoice.number} is cancelled, and so is the {invoice.kind_name}."
        )
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return sales._sale_page(request, invoice, status=422, einvoice_cancel_form=form)
