"""The stock pages: the list and its CSV, an article's page, its form, deletion and certificates."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.selectors import audit_event_list
from apps.core.decorators import post_only
from apps.core.forms import form_add_service_error, service_action
from apps.core.pages import CSV_BOM, list_page, querystring_without
from apps.core.rls import tenant_scope
from apps.inventory import selectors, services
from apps.inventory.forms import CertificateForm, StockFilterForm, StockItemForm
from apps.inventory.hallmarking import centre_batch, huid_looks_partial, huid_required
from apps.inventory.models import Certificate
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view


@require_GET
@tenant_view()
def stock_list_view(request):
    tenant = request.tenant
    purities = list(selectors.purity_list())
    form = StockFilterForm(request.GET or None, purities=purities)
    filters = form.search_filters()
    items = selectors.stock_item_search(tenant=tenant, **filters)
    page = list_page(items, request)
    rates = selectors.metal_rate_latest(tenant=tenant)
    context = {
        "form": form,
        "page": page,
        "rows": [(item, selectors.item_metal_value(item, rates)) for item in page.object_list],
        "valuation": selectors.stock_valuation(
            tenant=tenant, items=items.filter(stock_status__in=selectors.IN_HAND), rates=rates
        )
        if request.membership.has_role(rights.STOCK_VALUE.role)
        else None,
        "querystring": querystring_without(request),
        "export_query": querystring_without(request),
        "filtered": bool(request.GET.dict().keys() - {"page"}),
        "rate_missing": selectors.metal_rate_missing_today(tenant=tenant, rates=rates),
        "huid_hint": huid_looks_partial(filters.get("q", "")),
    }
    template = "inventory/partials/_stock_rows.html" if request.htmx else "inventory/stock_list.html"
    return render(request, template, context)


def _as_tenant(tenant_id: int, rows: Iterator[str]) -> Iterator[str]:
    """Stream rows read from the database as the tenant: a streamed body is read after the view has
    returned, when the request no longer names a tenant and row-level security would show no row."""
    with tenant_scope(tenant_id):
        yield from rows


@require_GET
@tenant_view()
def stock_export_view(request):
    """The filtered stock list as CSV, streamed row by row (the same columns the import reads)."""
    form = StockFilterForm(request.GET or None, purities=list(selectors.purity_list()))
    items = selectors.stock_item_search(tenant=request.tenant, **form.search_filters())
    rows = itertools.chain([CSV_BOM], _as_tenant(request.tenant.id, services.stock_export_rows(items)))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="stock-{request.tenant.slug}-{stamp}.csv"'
    return response


def _item_form_page(request, form, item=None, at_centre_with=None, status=200):
    context = {"form": form, "item": item, "at_centre_with": at_centre_with}
    return render(request, "inventory/stock_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@tenant_view()
def stock_create_view(request):
    form = StockItemForm(
        request.POST or None,
        purities=list(selectors.purity_list()),
        carried=request.GET,
        next_sku=services.sku_foresee(tenant=request.tenant),
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.stock_item_create(
                tenant=request.tenant, actor=request.user, **form.service_values()
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{item.sku} “{item.name}” is in stock.")
            if "add_another" in request.POST:
                return redirect(f"{reverse('inventory:stock_create')}?{urlencode(form.carried())}")
            return redirect("inventory:stock_detail", item_id=item.pk)
    return _item_form_page(request, form, status=422 if form.errors else 200)


@require_GET
@tenant_view()
def stock_detail_view(request, item_id: int):
    tenant = request.tenant
    item = selectors.stock_item_get(tenant=tenant, item_id=item_id)
    rates = selectors.metal_rate_latest(tenant=tenant)
    context = {
        "item": item,
        "rate": rates.get(item.purity_id),
        "value": selectors.item_metal_value(item, rates),
        "huid_missing": not item.huid and huid_required(item),
        "certificates": selectors.certificate_list(tenant=tenant, item=item),
        "certificate_form": CertificateForm(),
        "history": audit_event_list(tenant=tenant, target=item)[:20],
        "can_delete": request.membership.has_role(rights.STOCK_DELETE.role),
    }
    return render(request, "inventory/stock_detail.html", context)


@require_http_methods(["GET", "POST"])
@tenant_view()
def stock_edit_view(request, item_id: int):
    item = selectors.stock_item_get(tenant=request.tenant, item_id=item_id)
    batch = centre_batch(item)
    form = StockItemForm(
        request.POST or None,
        purities=list(selectors.purity_list()),
        initial=StockItemForm.initial_for(item),
        at_centre_with=batch,
    )
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        values["sku"] = values["sku"] or item.sku
        try:
            item = services.stock_item_update(tenant=request.tenant, actor=request.user, item=item, **values)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{item.sku} has been saved.")
            return redirect("inventory:stock_detail", item_id=item.pk)
    return _item_form_page(request, form, item=item, at_centre_with=batch, status=422 if form.errors else 200)


@post_only("inventory:stock_detail", "item_id")
@tenant_view(rights.STOCK_DELETE)
def stock_delete_view(request, item_id: int):
    item = selectors.stock_item_get(tenant=request.tenant, item_id=item_id)
    deleted = service_action(
        request,
        lambda: services.stock_item_delete(tenant=request.tenant, actor=request.user, item=item),
        done=f"{item.sku} “{item.name}” was deleted.",
    )
    if not deleted:
        return redirect("inventory:stock_detail", item_id=item.pk)
    return redirect("inventory:stock_list")


def attach_certificate(request, *, kind: str, done: str, batch_id=None, item_id=None) -> None:
    """Attach the posted file as a certificate of an article or a batch, with a message either way."""
    form = CertificateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the file to attach.")
        return
    service_action(
        request,
        lambda: services.certificate_upload(
            tenant=request.tenant,
            actor=request.user,
            kind=kind,
            upload=form.cleaned_data["file"],
            batch_id=batch_id,
            item_id=item_id,
        ),
        done=done,
    )


@post_only("inventory:stock_detail", "item_id")
@tenant_view(services.certificate_upload_role(Certificate.Kind.STONE))
def stock_certificate_view(request, item_id: int):
    item = selectors.stock_item_get(tenant=request.tenant, item_id=item_id)
    attach_certificate(
        request, kind=Certificate.Kind.STONE, done="The stone certificate is attached.", item_id=item.pk
    )
    return redirect("inventory:stock_detail", item_id=item.pk)


@require_GET
@tenant_view()
def certificate_download_view(request, certificate_id: int):
    certificate = selectors.certificate_get(tenant=request.tenant, certificate_id=certificate_id)
    return redirect(services.certificate_link(certificate=certificate, user=request.user))
