from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.audit import selectors
from apps.audit.forms import AuditFilterForm
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view
from apps.tenants.selectors import membership_list

PAGE_SIZE = 50


@require_GET
@tenant_view(rights.AUDIT_READ)
def audit_list_view(request):
    tenant = request.tenant
    actors = [(m.user_id, m.user.get_full_name()) for m in membership_list(tenant=tenant)]
    form = AuditFilterForm(
        request.GET or None, actions=selectors.audit_action_choices(tenant=tenant), actors=actors
    )
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(
        tenant=tenant,
        action=filters.get("action") or "",
        actor_id=filters.get("actor"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        search=filters.get("q") or "",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "querystring": query.urlencode()}
    template = "audit/partials/_event_rows.html" if request.htmx else "audit/audit_list.html"
    return render(request, template, context)
