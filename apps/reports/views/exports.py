"""The Returns pages: start a GSTR-1 export, follow it while a worker builds it, download the file."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from apps.core.decorators import post_only
from apps.core.forms import IN_PROGRESS, form_submit, service_error_text
from apps.core.pages import PAGE_SIZE
from apps.reports import selectors, services
from apps.reports.exceptions import ExportExpired, ExportNotReady
from apps.reports.forms import ExportRequestForm, Gstr1ExportForm
from apps.reports.models import Export
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view

STARTED = "The export has started. This page shows how far it is; the file appears here when it is ready."


def _started(request, export: Export) -> str:
    messages.success(request, STARTED, extra_tags=IN_PROGRESS)
    return reverse("reports:export_list") + f"#export-{export.pk}"


def _rows(request, exports) -> list[tuple[Export, list[tuple[str, int | None]]]]:
    """Each export with its problems, each problem with the document it names (when it names one)."""
    documents = selectors.problem_documents(tenant=request.tenant, exports=exports)
    shown = selectors.PROBLEMS_SHOWN
    return [
        (export, [(p, documents.get(selectors.problem_number(p))) for p in export.problems[:shown]])
        for export in exports
    ]


@tenant_view(rights.RETURNS_EXPORT)
def export_list_view(request):
    """The recent exports, and the form that starts a GSTR-1 export (POST: 422 with the form's errors)."""
    today = timezone.localdate()
    form = Gstr1ExportForm(request.POST or None, tenant=request.tenant, today=today)
    if request.method == "POST":
        holder: dict = {}

        def start(_data) -> None:
            holder["export"] = services.export_request(
                tenant=request.tenant, actor=request.user, **form.request_values()
            )

        if form_submit(form, start):
            return redirect(_started(request, holder["export"]))
    page = Paginator(selectors.export_list(tenant=request.tenant), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "rows": _rows(request, page.object_list),
        "keep_days": settings.EXPORT_KEEP_DAYS,
    }
    return render(request, "reports/exports.html", context, status=422 if form.errors else 200)


@post_only("reports:export_list")
@tenant_view(rights.RETURNS_EXPORT)
def export_request_view(request):
    """Start an export of any kind from another page's button; back to that page if it is refused."""
    form = ExportRequestForm(request.POST)
    holder: dict = {}

    def start(data) -> None:
        holder["export"] = services.export_request(
            tenant=request.tenant, actor=request.user, kind_code=data["kind"], period=data["period"],
            options=form.options(),
        )  # fmt: skip

    if form_submit(form, start):
        return redirect(_started(request, holder["export"]))
    problems = [f"{message}" for errors in form.errors.values() for message in errors]
    messages.error(request, "The export was not started: " + " ".join(problems))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("reports:export_list")
    return redirect(back)


@require_GET
@tenant_view(rights.RETURNS_EXPORT)
def export_detail_view(request, export_id: int):
    """One export's row, as the list polls it while a worker builds the file."""
    export = selectors.export_get(tenant=request.tenant, export_id=export_id)
    if not request.htmx:
        return redirect(reverse("reports:export_list") + f"#export-{export.pk}")
    (row,) = _rows(request, [export])
    return render(request, "reports/partials/_export_row.html", {"export": row[0], "problems": row[1]})


@require_GET
@tenant_view(rights.RETURNS_EXPORT)
def export_download_view(request, export_id: int):
    """The file, through a link that expires in minutes; 410 once the file's week is over."""
    export = selectors.export_get(tenant=request.tenant, export_id=export_id)
    try:
        services.export_download(tenant=request.tenant, actor=request.user, export=export)
    except (ExportExpired, ExportNotReady) as exc:
        status = 410 if isinstance(exc, ExportExpired) else 409
        return render(
            request, "reports/export_unavailable.html",
            {"export": export, "error": service_error_text(exc), "expired": status == 410}, status=status,
        )  # fmt: skip
    return redirect(services.export_link(export=export, user=request.user))
