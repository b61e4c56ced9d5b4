"""The sales pages: the day's list, a sale from the first scan to the issued bill, and its payments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_submit, messages_add_service_error, service_action
from apps.core.money import rupees
from apps.core.pages import PAGE_SIZE, querystring_without
from apps.gst import tax
from apps.gst.states import state_name
from apps.invoicing import rules, selectors, services
from apps.invoicing.forms import (
    BuyerForm,
    CancelForm,
    FreeLineForm,
    InvoiceFilterForm,
    LineForm,
    OldGoldForm,
    PaymentForm,
    ScanForm,
)
from apps.invoicing.models import Invoice, InvoiceLine, Payment
from apps.tenants.access.decorators import tenant_view
from apps.tenants.models import Role


@require_GET
@tenant_view()
def invoice_list_view(request):
    form = InvoiceFilterForm(request.GET or None)
    invoices = selectors.invoice_search(tenant=request.tenant, **form.search_filters())
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
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


def _preview(invoice: Invoice, lines: list[InvoiceLine], tenant) -> tuple[list, tax.DocumentTotals]:
    """A draft's tax as issuing would settle it, for the salesperson to quote; issued ones show what was."""
    if invoice.status != Invoice.Status.DRAFT:
        settled = tax.DocumentTotals(
            taxable=invoice.taxable_value, cgst=invoice.cgst, sgst=invoice.sgst, igst=invoice.igst,
            round_off=invoice.round_off, grand_total=invoice.grand_total,
        )  # fmt: skip
        return [(line, line) for line in lines], settled
    inter = tax.is_inter_state(supplier_state=tenant.state_code, place_of_supply=invoice.place_of_supply)
    taxes = [
        tax.line_tax(taxable=line.taxable_value, rate=line.gst_rate, inter_state=inter) for line in lines
    ]
    return list(zip(lines, taxes, strict=True)), tax.document_totals(taxes)


def _sale_context(request, invoice: Invoice, **forms) -> dict:
    tenant = request.tenant
    lines = list(selectors.invoice_lines(tenant=tenant, invoice=invoice))
    rows, totals = _preview(invoice, lines, tenant)
    draft = invoice.status == Invoice.Status.DRAFT
    context = {
        "invoice": invoice,
        "rows": [
            (
                line,
                taxed.cgst + taxed.sgst + taxed.igst,
                line.stone_value + line.hallmarking_charge,
                forms.get(f"line_{line.pk}") or _line_form(line),
            )
            for line, taxed in rows
        ],
        "totals": totals,
        "draft": draft,
        "place_name": state_name(invoice.place_of_supply),
        "inter_state": tax.is_inter_state(
            supplier_state=tenant.state_code, place_of_supply=invoice.place_of_supply
        ),
        "status": selectors.payment_status(invoice),
        "due": invoice.grand_total - invoice.amount_paid,
        "hallmarked": any(line.huid for line in lines),
        "verification_line": rules.HALLMARK_VERIFICATION_LINE,
        "can_cancel": request.membership.has_role(Role.ADMIN),
    }
    if draft:
        customers = list(
            selectors.customer_list(tenant=tenant).only("id", "name", "trade_name", "phone")[:500]
        )
        initial = {"customer": invoice.customer_id, "place_of_supply": invoice.place_of_supply}
        context.update(
            scan_form=forms.get("scan_form") or ScanForm(),
            free_form=forms.get("free_form") or FreeLineForm(),
            buyer_form=forms.get("buyer_form") or BuyerForm(initial=initial, customers=customers),
        )
    else:
        context.update(
            payments=list(selectors.payment_list(tenant=tenant).filter(invoice=invoice)),
            payment_form=forms.get("payment_form") or PaymentForm(initial={"amount": rupees(context["due"])}),
            old_gold_form=forms.get("old_gold_form") or OldGoldForm(),
            cancel_form=forms.get("cancel_form") or CancelForm(),
        )
    return context


def _line_form(line: InvoiceLine) -> LineForm | None:
    if line.kind != InvoiceLine.Kind.ARTICLE:
        return None
    return LineForm(
        initial={
            name: getattr(line, name) for name in services.drafts.ARTICLE_EDITABLE if name != "rate_per_gram"
        },
        prefix=f"line{line.pk}",
    )


def _sale_page(request, invoice: Invoice, status: int = 200, **forms):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice.pk)  # with what was paid
    context = _sale_context(request, invoice, **forms)
    template = "invoicing/partials/_sale_lines.html" if request.htmx else "invoicing/invoice_detail.html"
    return render(request, template, context, status=status)


@require_GET
@tenant_view()
def invoice_detail_view(request, invoice_id: int):
    return _sale_page(request, selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id))


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
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    customers = list(
        selectors.customer_list(tenant=request.tenant).only("id", "name", "trade_name", "phone")[:500]
    )
    form = BuyerForm(request.POST, customers=customers)

    def update(data: dict) -> None:
        customer = selectors.customer_for_input(tenant=request.tenant, customer_id=data["customer"])
        services.invoice_draft_update(
            tenant=request.tenant, actor=request.user, invoice=invoice, customer=customer,
            place_of_supply=data["place_of_supply"],
        )  # fmt: skip

    if form_submit(form, update):
        return _sale_page(request, invoice)
    return _sale_page(request, invoice, status=422, buyer_form=form)


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
@tenant_view(Role.ADMIN)
def invoice_cancel_view(request, invoice_id: int):
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    form = CancelForm(request.POST)
    if form_submit(
        form,
        lambda data: services.invoice_cancel(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data
        ),
    ):
        messages.success(request, f"Invoice {invoice.number} is cancelled; its articles are back in stock.")
        return redirect("invoicing:invoice_detail", invoice_id=invoice.pk)
    return _sale_page(request, invoice, status=422, cancel_form=form)


@require_GET
@tenant_view()
def invoice_print_view(request, invoice_id: int):
    """The bill as it is printed: A4, or a thermal receipt with `?paper=receipt`."""
    invoice = selectors.invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    context = _sale_context(request, invoice)
    context["paper"] = "receipt" if request.GET.get("paper") == "receipt" else "a4"
    context["seller_state"] = state_name(invoice.seller_state_code)
    context["buyer_state"] = state_name(invoice.buyer_state_code) if invoice.buyer_state_code else ""
    return render(request, "invoicing/invoice_print.html", context)
