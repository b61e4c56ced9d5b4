"""Hallmarking batch pages: the list, sending articles to a centre, a batch's page and its return."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error
from apps.core.pages import querystring_without
from apps.inventory import selectors, services
from apps.inventory.forms import BatchReceiveForm, BatchSendForm, CertificateForm
from apps.inventory.models import Certificate, HallmarkBatch
from apps.inventory.views.stock import attach_certificate
from apps.tenants.access.decorators import tenant_view

BATCH_PAGE_SIZE = 25


@require_GET
@tenant_view()
def batch_list_view(request):
    status = request.GET.get("status", "")
    if status not in HallmarkBatch.Status.values:
        status = ""
    batches = selectors.hallmark_batch_list(tenant=request.tenant, status=status)
    context = {
        "page": Paginator(batches, BATCH_PAGE_SIZE).get_page(request.GET.get("page")),
        "status": status,
        "status_choices": HallmarkBatch.Status.choices,
        "querystring": querystring_without(request),
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


def _batch_page(request, batch, receive_form=None, status=200):
    """A batch's page. Its count and its rows are the one list `hallmark_batch_items` gives."""
    items = receive_form.items if receive_form else list(selectors.hallmark_batch_items(batch=batch))
    receiving = batch.status == HallmarkBatch.Status.SENT
    if receiving and receive_form is None:
        receive_form = BatchReceiveForm(items=items)
    context = {
        "batch": batch,
        "items": items,
        "receive_form": receive_form if receiving else None,
        "reports": selectors.certificate_list(tenant=request.tenant, batch=batch),
        "report_form": CertificateForm(),
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
    form = BatchReceiveForm(
        request.POST, request.FILES, items=list(selectors.hallmark_batch_items(batch=batch))
    )
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
            huids = form.huids()
            marked = sum(1 for huid in huids.values() if huid.strip())
            messages.success(
                request, f"Batch {batch.request_number} received: {marked} of {len(huids)} hallmarked."
            )
            return redirect("inventory:batch_detail", batch_id=batch.pk)
    return _batch_page(request, batch, receive_form=form, status=422)


@post_only("inventory:batch_detail", "batch_id")
@tenant_view(services.certificate_upload_role(Certificate.Kind.AHC_REPORT))
def batch_report_view(request, batch_id: int):
    batch = selectors.hallmark_batch_get(tenant=request.tenant, batch_id=batch_id)
    attach_certificate(
        request,
        kind=Certificate.Kind.AHC_REPORT,
        done="The AHC report is attached to the batch.",
        batch_id=batch.pk,
    )
    return redirect("inventory:batch_detail", batch_id=batch.pk)
