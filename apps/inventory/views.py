"""Stock & HUID pages: the stock list, articles, hallmarking batches, daily rates, compliance, import."""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.selectors import audit_event_list
from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error
from apps.inventory import selectors, services
from apps.inventory.forms import (
    BatchReceiveForm,
    BatchSendForm,
    BisRegistrationForm,
    CertificateForm,
    ImportForm,
    RatesForm,
    StockFilterForm,
    StockItemForm,
)
from apps.inventory.models import Certificate, HallmarkBatch, StockImport, StockItem
from apps.tenants.access.decorators import tenant_view
from apps.tenants.models import Role

PAGE_SIZE = 50
# Spreadsheets (Excel on Windows above all) read a CSV as UTF-8 only when it starts with a BOM.
BOM = "\ufeff"
BATCH_PAGE_SIZE = 25


def _querystring(request, drop: str = "page") -> str:
    query = request.GET.copy()
    query.pop(drop, None)
    return query.urlencode()


# --- stock ---------------------------------------------------------------------------------------


@require_GET
@tenant_view()
def stock_list_view(request):
    tenant = request.tenant
    purities = list(selectors.purity_list())
    form = StockFilterForm(request.GET or None, purities=purities)
    items = selectors.stock_item_search(tenant=tenant, **form.search_filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rates = selectors.metal_rate_latest(tenant=tenant)
    context = {
        "form": form,
        "page": page,
        "rows": [(item, selectors.item_metal_value(item, rates)) for item in page.object_list],
        "valuation": selectors.stock_valuation(
            tenant=tenant, items=items.filter(stock_status__in=selectors.IN_HAND), rates=rates
        ),
        "querystring": _querystring(request),
        "export_query": _querystring(request),
        "filtered": bool(request.GET.dict().keys() - {"page"}),
        "rate_missing": selectors.metal_rate_missing_today(tenant=tenant, rates=rates),
    }
    template = "inventory/partials/_stock_rows.html" if request.htmx else "inventory/stock_list.html"
    return render(request, template, context)


@require_GET
@tenant_view()
def stock_export_view(request):
    """The filtered stock list as CSV, streamed row by row (the same columns the import reads)."""
    form = StockFilterForm(request.GET or None, purities=list(selectors.purity_list()))
    items = selectors.stock_item_search(tenant=request.tenant, **form.search_filters())
    rows = itertools.chain([BOM], services.stock_export_rows(items))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="stock-{request.tenant.slug}-{stamp}.csv"'
    return response


def _item_form_page(request, form, item=None, status=200):
    return render(request, "inventory/stock_form.html", {"form": form, "item": item}, status=status)


@require_http_methods(["GET", "POST"])
@tenant_view()
def stock_create_view(request):
    form = StockItemForm(request.POST or None, purities=list(selectors.purity_list()))
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
                return redirect("inventory:stock_create")
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
        "needs_huid": services.needs_huid(item) and not item.huid,
        "certificates": selectors.certificate_list(tenant=tenant, item=item),
        "certificate_form": CertificateForm(),
        "history": audit_event_list(tenant=tenant, target=item)[:20],
        "can_delete": request.membership.has_role(Role.ADMIN),
    }
    return render(request, "inventory/stock_detail.html", context)


@require_http_methods(["GET", "POST"])
@tenant_view()
def stock_edit_view(request, item_id: int):
    item = selectors.stock_item_get(tenant=request.tenant, item_id=item_id)
    form = StockItemForm(
        request.POST or None, purities=list(selectors.purity_list()), initial=StockItemForm.initial_for(item)
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
    return _item_form_page(request, form, item=item, status=422 if form.errors else 200)


@post_only("inventory:stock_detail", "item_id")
@tenant_view(Role.ADMIN)
def stock_delete_view(request, item_id: int):
    item = selectors.stock_item_get(tenant=request.tenant, item_id=item_id)
    try:
        services.stock_item_delete(tenant=request.tenant, actor=request.user, item=item)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("inventory:stock_detail", item_id=item.pk)
    messages.success(request, f"{item.sku} “{item.name}” was deleted.")
    return redirect("inventory:stock_list")


def _attach_certificate(request, *, kind: str, done: str, **owner):
    """Attach the posted file as a certificate of `owner` (an article or a batch), with a message."""
    form = CertificateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the file to attach.")
        return
    try:
        services.certificate_upload(
            tenant=request.tenant, actor=request.user, kind=kind, upload=form.cleaned_data["file"], **owner
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@post_only("inventory:stock_detail", "item_id")
@tenant_view()
def stock_certificate_view(request, item_id: int):
    item = selectors.stock_item_get(tenant=request.tenant, item_id=item_id)
    _attach_certificate(
        request, kind=Certificate.Kind.STONE, done="The stone certificate is attached.", item=item
    )
    return redirect("inventory:stock_detail", item_id=item.pk)


@require_GET
@tenant_view()
def certificate_download_view(request, certificate_id: int):
    certificate = selectors.certificate_get(tenant=request.tenant, certificate_id=certificate_id)
    return redirect(services.certificate_link(certificate=certificate, user=request.user))


# --- hallmarking batches ---------------------------------------------------------------------------


@require_GET
@tenant_view()
def batch_list_view(request):
    status = request.GET.get("status", "")
    if status not in HallmarkBatch.Status.values:
        status = ""
    batches = selectors.hallmark_batch_list(tenant=request.tenant, status=status)
    page = Paginator(batches, BATCH_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for batch in page.object_list:
        batch.days_away = ((batch.received_on or today) - batch.sent_on).days
    context = {
        "page": page,
        "status": status,
        "status_choices": HallmarkBatch.Status.choices,
        "querystring": _querystring(request),
    }
    return render(request, "inventory/batch_list.html", context)


@require_http_methods(["GET", "POST"])
@tenant_view()
def batch_create_view(request):
    tenant = request.tenant
    q = request.GET.get("q", "").strip()[:100]
    pending = list(selectors.pending_for_batch(tenant=tenant, q=q))
    form = BatchSendForm(request.POST or None, pending=pending)
    chosen = set()
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("item_ids") if v.isdigit() and len(v) < 12}
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.hallmark_batch_send(
                    tenant=tenant,
                    actor=request.user,
                    centre_name=data["centre_name"],
                    request_number=data["request_number"],
                    sent_on=data["sent_on"],
                    item_ids=sorted(chosen),
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Batch {batch.request_number} is recorded as sent to {batch.centre_name}."
                )
                return redirect("inventory:batch_detail", batch_id=batch.pk)
    context = {"form": form, "pending": pending, "chosen": chosen, "q": q}
    return render(request, "inventory/batch_form.html", context, status=422 if form.errors else 200)


def _at_centre(items) -> list[StockItem]:
    """The batch's articles still waiting for their HUID: the rows of the receive screen."""
    return [i for i in items if i.hallmark_status == StockItem.HallmarkStatus.AT_CENTRE]


def _batch_page(request, batch, receive_form=None, status=200):
    tenant = request.tenant
    items = list(selectors.hallmark_batch_items(batch=batch))
    receiving = batch.status == HallmarkBatch.Status.SENT
    if receiving and receive_form is None:
        receive_form = BatchReceiveForm(items=_at_centre(items))
    context = {
        "batch": batch,
        "items": items,
        "receive_form": receive_form if receiving else None,
        "reports": selectors.certificate_list(tenant=tenant, batch=batch),
        "report_form": CertificateForm(),
        "days_away": ((batch.received_on or timezone.localdate()) - batch.sent_on).days,
    }
    return render(request, "inventory/batch_detail.html", context, status=status)


@require_GET
@tenant_view()
def batch_detail_view(request, batch_id: int):
    return _batch_page(request, selectors.hallmark_batch_get(tenant=request.tenant, batch_id=batch_id))


@post_only("inventory:batch_detail", "batch_id")
@tenant_view()
def batch_receive_view(request, batch_id: int):
    batch = selectors.hallmark_batch_get(tenant=request.tenant, batch_id=batch_id)
    at_centre = _at_centre(selectors.hallmark_batch_items(batch=batch))
    form = BatchReceiveForm(request.POST, request.FILES, items=at_centre)
    if form.is_valid():
        try:
            batch = services.hallmark_batch_receive(
                tenant=request.tenant,
                actor=request.user,
                batch=batch,
                received_on=form.cleaned_data["received_on"],
                huids=form.huids(),
                report=form.cleaned_data["report"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_add_service_error(form, exc)
        else:
            marked = sum(1 for huid in form.huids().values() if huid.strip())
            messages.success(
                request, f"Batch {batch.request_number} received: {marked} of {len(at_centre)} hallmarked."
            )
            return redirect("inventory:batch_detail", batch_id=batch.pk)
    return _batch_page(request, batch, receive_form=form, status=422)


@post_only("inventory:batch_detail", "batch_id")
@tenant_view()
def batch_report_view(request, batch_id: int):
    batch = selectors.hallmark_batch_get(tenant=request.tenant, batch_id=batch_id)
    _attach_certificate(
        request,
        kind=Certificate.Kind.AHC_REPORT,
        done="The AHC report is attached to the batch.",
        batch=batch,
    )
    return redirect("inventory:batch_detail", batch_id=batch.pk)


# --- rates and compliance --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@tenant_view()
def rates_view(request):
    tenant = request.tenant
    purities = list(selectors.purity_list())
    current = selectors.metal_rate_latest(tenant=tenant)
    form = RatesForm(request.POST or None, purities=purities, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.metal_rates_set(
                tenant=tenant,
                actor=request.user,
                rates=form.rates(),
                effective_on=form.cleaned_data["effective_on"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{len(saved)} rate{'s' if len(saved) != 1 else ''} saved.")
            return redirect("inventory:rates")
    context = {
        "form": form,
        "history": selectors.metal_rate_history(tenant=tenant),
        "today": timezone.localdate(),
        "rate_missing": selectors.metal_rate_missing_today(tenant=tenant, rates=current),
    }
    return render(request, "inventory/rates.html", context, status=422 if form.errors else 200)


def _compliance_page(request, registration_form=None, status=200):
    tenant = request.tenant
    can_edit = request.membership.has_role(Role.ADMIN)
    if registration_form is None and can_edit:
        registration_form = BisRegistrationForm(
            initial={
                "number": tenant.bis_registration_number,
                "valid_until": tenant.bis_registration_valid_until,
            }
        )
    context = {
        "c": selectors.bis_compliance(tenant=tenant),
        "registration_form": registration_form if can_edit else None,
        "registration_certificates": selectors.certificate_list(
            tenant=tenant, kind=Certificate.Kind.BIS_REGISTRATION
        )[:5],
    }
    return render(request, "inventory/compliance.html", context, status=status)


@require_GET
@tenant_view()
def compliance_view(request):
    return _compliance_page(request)


@post_only("inventory:compliance")
@tenant_view(Role.ADMIN)
def bis_registration_view(request):
    form = BisRegistrationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.bis_registration_update(
                tenant=request.tenant,
                actor=request.user,
                number=data["number"],
                valid_until=data["valid_until"],
                certificate=data["certificate"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "The BIS registration has been saved.")
            return redirect("inventory:compliance")
    return _compliance_page(request, registration_form=form, status=422)


# --- import ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@tenant_view()
def import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stock_import = services.stock_import_check(
                tenant=request.tenant, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            if stock_import.status == StockImport.Status.CHECKED and stock_import.error_count == 0:
                try:
                    stock_import = services.stock_import_run(
                        tenant=request.tenant, actor=request.user, stock_import=stock_import
                    )
                except ValidationError as exc:  # the stock changed between the check and the run
                    messages.error(request, " ".join(exc.messages))
            return redirect("inventory:import_detail", import_id=stock_import.pk)
    context = {"form": form, "recent": selectors.stock_import_list(tenant=request.tenant)[:10]}
    return render(request, "inventory/import.html", context, status=422 if form.errors else 200)


@require_GET
@tenant_view()
def import_template_view(request):
    response = HttpResponse(BOM + services.stock_csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tijori-stock-template.csv"'
    return response


@require_http_methods(["GET", "POST"])
@tenant_view()
def import_detail_view(request, import_id: int):
    stock_import = selectors.stock_import_get(tenant=request.tenant, import_id=import_id)
    if request.method == "POST":
        try:
            stock_import = services.stock_import_run(
                tenant=request.tenant, actor=request.user, stock_import=stock_import, good_rows_only=True
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{stock_import.rows_imported:,} articles imported.")
        return redirect("inventory:import_detail", import_id=stock_import.pk)
    return render(request, "inventory/import_detail.html", {"imp": stock_import})
