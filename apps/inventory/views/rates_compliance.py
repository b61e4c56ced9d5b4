"""The day's metal rates, and the BIS compliance page with the shop's registration."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.decorators import post_only
from apps.core.forms import form_add_service_error
from apps.inventory import selectors, services
from apps.inventory.forms import BisRegistrationForm, RatesForm
from apps.inventory.models import Certificate
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view

# Recording the registration attaches its certificate: one role for both, the service's.
REGISTRATION_ROLE = services.certificate_upload_role(Certificate.Kind.BIS_REGISTRATION)


@require_http_methods(["GET", "POST"])
@tenant_view(rights.RATES_SEE, post=rights.RATES_SET)
def rates_view(request):
    """The day's rates: owners and admins set them (`?start=previous` fills the boxes with the latest
    earlier day's rates, to check and save); staff read them."""
    tenant = request.tenant
    purities = list(selectors.purity_list())
    current = selectors.metal_rate_latest(tenant=tenant)
    today = timezone.localdate()
    context = {
        "history": selectors.metal_rate_history(tenant=tenant),
        "today": today,
        "yesterday": today - timedelta(days=1),
        "rate_missing": selectors.metal_rate_missing_today(tenant=tenant, rates=current),
        "current": sorted(current.values(), key=lambda r: (r.purity.metal, -r.purity.fineness)),
    }
    if not request.membership.has_role(rights.RATES_SET.role):
        return render(request, "inventory/rates.html", {**context, "form": None})
    previous_day, previous = selectors.metal_rate_day_before(tenant=tenant)
    start_from = previous if request.method == "GET" and request.GET.get("start") == "previous" else None
    form = RatesForm(request.POST or None, purities=purities, current=current, start_from=start_from)
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
    context.update(form=form, previous_day=previous_day, started_from=previous_day if start_from else None)
    return render(request, "inventory/rates.html", context, status=422 if form.errors else 200)


def _compliance_page(request, registration_form=None, status=200):
    tenant = request.tenant
    can_edit = request.membership.has_role(REGISTRATION_ROLE.role)
    if registration_form is None and can_edit:
        registration_form = BisRegistrationForm(
            initial={
                "number": tenant.bis_registration_number,
                "valid_until": tenant.bis_registration_valid_until,
            }
        )
    context = {
        "compliance": selectors.bis_compliance(tenant=tenant),
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
@tenant_view(REGISTRATION_ROLE)
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
