"""The sales pages: the day's list, a sale from the first scan to the issued bill, and its payments."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.files import private_file_response
from apps.core.forms import form_submit, messages_add_service_error, service_action
from apps.core.money import inr, rupees
from apps.core.pages import list_page, querystring_without, site_link
from apps.core.rls import tenant_scope
from apps.invoicing import einvoice_selectors, selectors, services
from apps.invoicing.forms import (
    AdvanceAdjustForm,
    BuyerForm,
    CancelForm,
    CounterCustomerForm,
    CustomerSearchForm,
    EmailForm,
    FreeLineForm,
    InvoiceFilterForm,
    LineForm,
    OldGoldForm,
    PaymentForm,
    ScanForm,
)
from apps.invoicing.models import Customer, Invoice, InvoiceLine, Payment
from apps.invoicing.views import einvoice as einvoice_pages
from apps.invoicing.views import notes as note_pages
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view


@require_GET
@tenant_view()
def invoice_list_view(request):
    form = InvoiceFilterForm(request.GET or None)
    invoices = selectors.invoice_search(tenant=request.tenant, **form.search_filters())
    page = list_page(invoices, request)
    context = {
        "form": form,
        "page": page,
        "rows": [(invoice, selectors.payment_status(invoice)) for invoice in page.object_list],
        "querystring": querystring_without(request),
        "filtered": bool(request.GET.dict().keys() - {"page"}),
        "today": selectors.day_summary(tenant=request.tenant, day=timezone.localdate()),
    }
    template = "invoicing/partials/_invoice_rows.html" if request.htmx else "invoicing/invoice_list.html"
    return render(request, template, context)


@post_only("invoicing:invoice_list")
@tenant_view()
def invoice_new_view(request):
    invoice = services.invoice_draft_create(tenant=request.tenant, actor=request.user)
    return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)


def _sale_context(request, invoice: Invoice, **forms) -> dict:
    tenant = request.tenant
    context = services.invoice_document(tenant=tenant, invoice=invoice)
    context["rows"] = [
        (line, line_tax, extras, forms.get(f"line_{line.pk}") or _line_form(line))
        for line, line_tax, extras, _ in context["rows"]
    ]
    context.update(
        status=selectors.payment_status(invoice),
        can_cancel=request.membership.has_role(rights.SALE_CANCEL.role),
    )
    if invoice.status == Invoice.Status.DRAFT:
        initial = {"place_of_supply": invoice.place_of_supply}
        context.update(
            scan_form=forms.get("scan_form") or ScanForm(),
            free_form=forms.get("free_form") or FreeLineForm(),
            buyer_form=forms.get("buyer_form") or BuyerForm(initial=initial),
            new_customer_form=forms.get("new_customer_form") or _new_customer_form(request),
            **_customer_search(request),
        )
    else:
        share_url = site_link("invoicing:bill_shared", services.invoice_share_token(invoice))
        phone = "".join(ch for ch in invoice.buyer_phone if ch.isdigit())
        context.update(
            payment_form=forms.get("payment_form") or PaymentForm(initial={"amount": rupees(context["due"])}),
            old_gold_form=forms.get("old_gold_form") or OldGoldForm(),
            advance_form=forms.get("advance_form") or _advance_form(request, invoice),
            cancel_form=forms.get("cancel_form") or CancelForm(),
            email_form=forms.get("email_form")
            or EmailForm(initial={"to": invoice.customer.email if invoice.customer else ""}),
            # wa.me takes the number with its country code, or none to let the salesperson pick a chat.
            whatsapp_url=f"https://wa.me/{'91' + phone[-10:] if len(phone) >= 10 else ''}?"
            + urlencode({"text": services.invoice_share_text(invoice=invoice, url=share_url)}),
        )
    context.update(note_pages.note_context(request, invoice, forms))
    context.update(
        einvoice_pages.einvoice_panel(request, invoice, cancel_form=forms.get("einvoice_cancel_form"))
    )
    return context


def _advance_form(request, invoice: Invoice, data=None) -> AdvanceAdjustForm | None:
    """The buyer's advances with money left, to adjust against this bill; None when they have none."""
    vouchers = []
    if invoice.customer_id is not None:
        vouchers = list(
            selectors.receipt_voucher_search(
                tenant=request.tenant, customer_id=invoice.customer_id, open_only=True
            ).order_by("received_on", "id")[:50]
        )
    if not vouchers and data is None:
        return None
    return AdvanceAdjustForm(data, vouchers=vouchers)


CUSTOMER_MATCHES = 10


def _customer_search(request) -> dict:
    """The buyer picker's search: up to CUSTOMER_MATCHES customers of the shop for `?q=`."""
    form = CustomerSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    found: list[Customer] = []
    if q:
        found = list(
            selectors.customer_list(tenant=request.tenant, q=q).only(
                "id", "name", "trade_name", "phone", "gstin", "state_code"
            )[: CUSTOMER_MATCHES + 1]
        )
    return {"search_form": form, "q": q, "matches": found[:CUSTOMER_MATCHES],
            "more_matches": len(found) > CUSTOMER_MATCHES}  # fmt: skip


def _new_customer_form(request, data=None) -> CounterCustomerForm:
    initial = {"kind": Customer.Kind.UNREGISTERED, "state_code": request.tenant.state_code}
    return CounterCustomerForm(data, initial=initial, prefix="new")


def _line_form(line: InvoiceLine) -> LineForm | None:
    if line.kind != InvoiceLine.Kind.ARTICLE:
        return None
    return LineForm(
        initial={
            name: getattr(line, name) for name in services.drafts.ARTICLE_EDITABLE if name != "rate_per_gram"
        },
        prefix=f"line{line.pk}",
    )


DRAFT_FORMS = {"scan_form", "free_form", "buyer_form", "new_customer_form"}


def _sale_page(request, invoice: Invoice, status: int = 200, **forms):
    """The sale's lines alone for htmx; the whole page otherwise, after a redirect when a form went through
    (so reloading it does not send the form again)."""
    if request.method == "POST":
        if status == 200 and not request.htmx:
            return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
        # Read again after the form's work, with what is paid now; a GET shows the invoice its view read.
        invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice.pk)
    if status == 422 and invoice.status != Invoice.Status.DRAFT and forms.keys() & DRAFT_FORMS:
        # A draft's form sent after the sale was issued (from another tab): the page has no such form now.
        for form in forms.values():
            for error in form.non_field_errors():
                messages.error(request, error)
        url = reverse("invoicing:invoice_detail", args=[invoice.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _sale_context(request, invoice, **forms)
    template = "invoicing/partials/_sale_lines.html" if request.htmx else "invoicing/invoice_detail.html"
    return render(request, template, context, status=status)


@require_GET
@tenant_view()
def invoice_detail_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    if request.htmx and request.htmx.target == "buyer-matches" and invoice.status == Invoice.Status.DRAFT:
        context = {"invoice": invoice, **_customer_search(request)}
        return render(request, "invoicing/partials/_buyer_matches.html", context)
    return _sale_page(request, invoice)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_scan_view(request, invoice_id: int):
    """Add the article a scanner read (its HUID or SKU) to the draft."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = ScanForm(request.POST)

    def add(data: dict) -> None:
        item = selectors.stock_item_for_code(tenant=request.tenant, code=data["code"])
        if item is None:
            raise ValidationError({"code": [f"No article with the HUID or SKU {data['code']} in this shop."]})
        services.invoice_line_add_article(
            tenant=request.tenant, actor=request.user, invoice=invoice, item=item
        )

    if form_submit(form, add):
        return _sale_page(request, invoice)
    return _sale_page(request, invoice, status=422, scan_form=form)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_free_line_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = FreeLineForm(request.POST)
    if form_submit(
        form,
        lambda data: services.invoice_line_add_free(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data
        ),
    ):
        return _sale_page(request, invoice)
    return _sale_page(request, invoice, status=422, free_form=form)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_line_view(request, invoice_id: int, line_id: int):
    """Reprice an article line from what was weighed and agreed, or take a line off the draft."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    line = selectors.invoice_line_get(tenant=request.tenant, invoice=invoice, line_id=line_id)
    if "remove" in request.POST:
        try:
            services.invoice_line_remove(tenant=request.tenant, actor=request.user, line=line)
        except ApplicationError as exc:
            messages_add_service_error(request, exc)
        return _sale_page(request, invoice)
    form = LineForm(request.POST, prefix=f"line{line.pk}")
    if form_submit(
        form,
        lambda data: services.invoice_line_update(
            tenant=request.tenant, actor=request.user, line=line, **data
        ),
    ):
        return _sale_page(request, invoice)
    return _sale_page(request, invoice, status=422, **{f"line_{line.pk}": form})


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_buyer_view(request, invoice_id: int):
    """Set the draft's buyer (a customer picked from the search, or none for a walk-in) or its place of supply."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = BuyerForm(request.POST)

    def update(data: dict) -> None:
        changes = form.changes()
        if "customer" in changes:
            changes["customer"] = selectors.customer_for_input(
                tenant=request.tenant, customer_id=changes["customer"]
            )
        services.invoice_draft_update(tenant=request.tenant, actor=request.user, invoice=invoice, **changes)

    if form_submit(form, update):
        return _sale_page(request, invoice)
    return _sale_page(request, invoice, status=422, buyer_form=form)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_buyer_new_view(request, invoice_id: int):
    """Add a buyer new to the shop from the sale screen, made the draft's buyer at once."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = _new_customer_form(request, request.POST)
    if form_submit(
        form,
        lambda data: services.invoice_buyer_create(
            tenant=request.tenant, actor=request.user, invoice=invoice, **form.service_values()
        ),
    ):
        return _sale_page(request, invoice)
    return _sale_page(request, invoice, status=422, new_customer_form=form)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_issue_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    service_action(
        request,
        lambda: services.invoice_issue(tenant=request.tenant, actor=request.user, invoice=invoice),
        done="Invoice issued. Take the payment below, then print the bill.",
    )
    return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_discard_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    if service_action(
        request,
        lambda: services.invoice_draft_discard(tenant=request.tenant, actor=request.user, invoice=invoice),
        done="The draft was discarded.",
    ):
        if invoice.original_id:  # a draft note: back to the invoice it was to correct
            return redirect("invoicing:invoice_detail", invoice_id=invoice.original_id)
        return redirect("invoicing:invoice_list")
    return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_pay_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = PaymentForm(request.POST)
    if form_submit(
        form,
        lambda data: services.payment_record(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data
        ),
    ):
        messages.success(request, f"Received {Payment.Mode(form.cleaned_data['mode']).label} payment.")
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _sale_page(request, invoice, status=422, payment_form=form)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_old_gold_view(request, invoice_id: int):
    """Take the buyer's old gold in exchange: bought on a voucher, it pays as much of this bill as it covers."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = OldGoldForm(request.POST)
    if form_submit(
        form,
        lambda data: services.old_gold_exchange(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data
        ),
    ):
        messages.success(request, "Old gold bought on a purchase voucher and applied to this bill.")
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _sale_page(request, invoice, status=422, old_gold_form=form)


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_advance_view(request, invoice_id: int):
    """Adjust an advance the buyer paid before the sale (on a receipt voucher) against this bill."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = _advance_form(request, invoice, request.POST)
    payment = None

    def adjust(data: dict) -> None:
        nonlocal payment
        voucher = selectors.receipt_voucher_for_input(
            tenant=request.tenant, voucher_id=data["receipt_voucher"]
        )
        payment = services.payment_record(
            tenant=request.tenant, actor=request.user, invoice=invoice, mode=Payment.Mode.ADVANCE,
            amount=data["amount"] or None, receipt_voucher=voucher,
        )  # fmt: skip

    if form_submit(form, adjust):
        messages.success(
            request,
            f"{inr(payment.amount)} of advance {payment.receipt_voucher.number} adjusted against this bill.",
        )
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _sale_page(request, invoice, status=422, advance_form=form)


CANCELLED_ARTICLES = {
    Invoice.Kind.INVOICE: "its articles are back in stock",
    Invoice.Kind.CREDIT_NOTE: "the articles it took back are sold to the buyer again",
    Invoice.Kind.DEBIT_NOTE: "the amount it added is no longer due",
}


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view(rights.SALE_CANCEL)
def invoice_cancel_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = CancelForm(request.POST)
    if form_submit(
        form,
        lambda data: services.invoice_cancel(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data
        ),
    ):
        messages.success(request, f"{invoice.number} is cancelled; {CANCELLED_ARTICLES[invoice.doc_type]}.")
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _sale_page(request, invoice, status=422, cancel_form=form)


@require_GET
@tenant_view()
def invoice_print_view(request, invoice_id: int):
    """The bill as it is printed from the browser: A4, or a thermal receipt with `?paper=receipt`."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    context = services.invoice_document(tenant=request.tenant, invoice=invoice)
    context["paper"] = "receipt" if request.GET.get("paper") == "receipt" else "a4"
    if invoice.status != Invoice.Status.DRAFT:  # printed with its IRN and QR code once registered
        context.update(
            services.einvoice_print(einvoice_selectors.einvoice_of(tenant=request.tenant, invoice=invoice))
        )
    return render(request, "invoicing/invoice_print.html", context)


@require_GET
@tenant_view()
def invoice_pdf_view(request, invoice_id: int):
    """The stored PDF of an issued invoice, through an expiring link (rendered now if the worker has not)."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    if invoice.status == Invoice.Status.DRAFT:
        raise Http404("A draft has no PDF.")
    pdf = services.invoice_pdf_file(tenant=request.tenant, invoice=invoice)
    return redirect(services.invoice_pdf_link(invoice=invoice, user=request.user, pdf=pdf))


@post_only("invoicing:invoice_detail", "invoice_id")
@tenant_view()
def invoice_email_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = EmailForm(request.POST)
    if form_submit(
        form,
        lambda data: services.invoice_email_send(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data
        ),
    ):
        messages.success(request, f"The bill is on its way to {form.cleaned_data['to']}.")
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _sale_page(request, invoice, status=422, email_form=form)


@require_GET
def bill_shared_view(request, token: str):
    """A buyer's link from WhatsApp or e-mail: the bill's PDF, no account needed, until the link expires."""
    try:
        invoice = services.invoice_from_share_token(token)
    except signing.BadSignature:
        raise Http404("This link has expired or is not valid; ask the shop to send the bill again.") from None
    with tenant_scope(invoice.tenant_id):
        pdf = services.invoice_pdf_file(tenant=invoice.tenant, invoice=invoice)
        return private_file_response(pdf.storage, pdf.name, filename=services.invoice_pdf_name(invoice))
