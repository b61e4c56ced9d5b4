"""The customer pages: the list with its search, a customer's ledger (where an advance is taken), and the
form to add or change one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.decorators import post_only
from apps.core.forms import form_add_service_error, form_submit
from apps.core.pages import PAGE_SIZE, querystring_without
from apps.invoicing import selectors, services
from apps.invoicing.forms import AdvanceForm, CustomerForm
from apps.invoicing.models import Customer
from apps.tenants.access.decorators import tenant_view

FIELDS = services.customers.FIELDS


@require_GET
@tenant_view()
def customer_list_view(request):
    q = request.GET.get("q", "")[:100]
    page = Paginator(selectors.customer_list(tenant=request.tenant, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "q": q, "querystring": querystring_without(request)}
    template = "invoicing/partials/_customer_rows.html" if request.htmx else "invoicing/customer_list.html"
    return render(request, template, context)


def _customer_page(request, customer, *, status: int = 200, advance_form: AdvanceForm | None = None):
    ledger = selectors.customer_ledger(tenant=request.tenant, customer=customer)
    rows = [(invoice, selectors.payment_status(invoice)) for invoice in ledger["invoices"]]
    context = {
        "customer": customer,
        "ledger": ledger,
        "rows": rows,
        "advance_form": advance_form or AdvanceForm(),
    }
    return render(request, "invoicing/customer_detail.html", context, status=status)


@require_GET
@tenant_view()
def customer_detail_view(request, customer_id: int):
    return _customer_page(request, selectors.customer_get(tenant=request.tenant, customer_id=customer_id))


@post_only("invoicing:customer_detail", "customer_id")
@tenant_view()
def customer_advance_view(request, customer_id: int):
    """Take an advance before the sale (an order, a booking) on a receipt voucher, then show the voucher."""
    customer = selectors.customer_get(tenant=request.tenant, customer_id=customer_id)
    form = AdvanceForm(request.POST)
    voucher = None

    def take(data: dict) -> None:
        nonlocal voucher
        voucher = services.receipt_voucher_create(
            tenant=request.tenant, actor=request.user, customer=customer, **data
        )

    if form_submit(form, take):
        messages.success(
            request, f"Advance received on receipt voucher {voucher.number}: print it for {customer}."
        )
        return redirect("invoicing:receipt_voucher_detail", voucher_id=voucher.pk)
    return _customer_page(request, customer, status=422, advance_form=form)


@require_http_methods(["GET", "POST"])
@tenant_view()
def customer_form_view(request, customer_id: int | None = None):
    customer = selectors.customer_get(tenant=request.tenant, customer_id=customer_id) if customer_id else None
    initial = {name: getattr(customer, name) for name in FIELDS} if customer else {"kind": Customer.Kind.UNREGISTERED,
                                                                                   "state_code": request.tenant.state_code}  # fmt: skip
    form = CustomerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if customer is None:
                customer = services.customer_create(
                    tenant=request.tenant, actor=request.user, **form.service_values()
                )
            else:
                customer = services.customer_update(
                    tenant=request.tenant, actor=request.user, customer=customer, **form.service_values()
                )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{customer} is saved.")
            return redirect("invoicing:customer_detail", customer_id=customer.pk)
    status = 422 if form.errors else 200
    return render(
        request, "invoicing/customer_form.html", {"form": form, "customer": customer}, status=status
    )
