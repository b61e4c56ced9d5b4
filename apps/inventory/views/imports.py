"""Stock import pages: upload a CSV to check it, the template, an import's page (what it will do, then run it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error, messages_add_service_error
from apps.core.pages import CSV_BOM
from apps.inventory import selectors, services
from apps.inventory.forms import ImportForm
from apps.tenants.access.decorators import tenant_view


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
            return redirect("inventory:import_detail", import_id=stock_import.pk)
    context = {"form": form, "recent": selectors.stock_import_list(tenant=request.tenant)[:10]}
    return render(request, "inventory/import.html", context, status=422 if form.errors else 200)


@require_GET
@tenant_view()
def import_template_view(request):
    response = HttpResponse(CSV_BOM + services.stock_csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tijori-stock-template.csv"'
    return response


@require_http_methods(["GET", "POST"])
@tenant_view()
def import_detail_view(request, import_id: int):
    stock_import = selectors.stock_import_get(tenant=request.tenant, import_id=import_id)
    if request.method == "POST":
        try:
            # A file with problems is offered only as its good rows; a clean one runs whole, so a
            # problem found on the run (the stock changed since the check) stops it.
            stock_import = services.stock_import_run(
                tenant=request.tenant,
                actor=request.user,
                stock_import=stock_import,
                good_rows_only=bool(stock_import.error_count),
            )
        except (ValidationError, ApplicationError) as exc:
            messages_add_service_error(request, exc)
        else:
            # The counts are known only once the run is done, so this is not `service_action`'s message.
            messages.success(
                request,
                f"Imported: {stock_import.rows_new:,} added, {stock_import.rows_changed:,} updated.",
            )
        return redirect("inventory:import_detail", import_id=stock_import.pk)
    return render(request, "inventory/import_detail.html", {"stock_import": stock_import})
