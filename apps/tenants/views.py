"""The workspace's own pages: dashboard, switching workspace, profile, team and API keys.

Joining a workspace through an invitation is onboarding, with signup, in `apps.accounts.views`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.selectors import audit_event_list
from apps.billing import selectors as billing_selectors
from apps.billing.services import today_local
from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error, form_submit, messages_add_service_error, service_action
from apps.inventory import selectors as inventory_selectors
from apps.tenants import rights, selectors, services
from apps.tenants.access.decorators import tenant_view
from apps.tenants.access.session import active_tenant_choose, active_tenant_forget
from apps.tenants.access.writes import tenant_contract
from apps.tenants.exceptions import RoleNotAllowedError
from apps.tenants.forms import (
    ApiKeyForm,
    GstinCertificateForm,
    GstSettingsForm,
    InviteForm,
    RoleForm,
    StockSettingsForm,
    TenantProfileForm,
    WorkspaceForm,
)
from apps.tenants.models import Role


@require_GET
@tenant_view()
def dashboard_view(request):
    tenant = request.tenant
    context = {
        "member_count": selectors.membership_list(tenant=tenant).count(),
        "recent_events": audit_event_list(tenant=tenant)[:8]
        if request.membership.has_role(rights.AUDIT_READ.role)
        else [],
        # The contract the AMC banner reads anyway (one query per request, shared).
        "amc_ending": billing_selectors.contract_ending_soon(
            contract=tenant_contract(request), today=today_local()
        )
        if request.membership.has_role(rights.BILLING_SEE.role)
        else None,
    }
    if tenant.is_shop:
        figures = inventory_selectors.stock_figures(tenant=tenant)
        valuation = figures["valuation"]
        if not request.membership.has_role(rights.STOCK_VALUE.role):  # staff see pieces and weights
            valuation = {
                **valuation,
                "total": None,
                "lines": [{**line, "value": None} for line in valuation["lines"]],
            }
        context.update(
            valuation=valuation,
            rate_missing=valuation["rate_missing_today"],
            compliance=figures["compliance"],
        )
    return render(request, "tenants/dashboard.html", context)


@post_only("tenants:dashboard")
@login_required
def tenant_switch_view(request):
    try:
        tenant_id = int(request.POST.get("tenant_id", ""))
    except ValueError:
        raise Http404("No such workspace.") from None
    membership = next((m for m in request.memberships if m.tenant_id == tenant_id), None)
    if membership is None:
        raise Http404("No such workspace.")
    active_tenant_choose(request, tenant_id)
    messages.info(request, f"You are now working in {membership.tenant.name}.")
    return redirect("tenants:dashboard")


@require_http_methods(["GET", "POST"])
@login_required
def workspace_new_view(request):
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = services.tenant_create(
                owner=request.user,
                kind=data["kind"],
                name=data["name"],
                state_code=data["state_code"],
                gstin=data["gstin"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            active_tenant_choose(request, tenant.pk)
            messages.success(request, f"{tenant.name} is ready.")
            return redirect("tenants:dashboard")
    return render(request, "tenants/workspace_new.html", {"form": form}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@tenant_view(rights.PROFILE_EDIT)
def settings_profile_view(request):
    tenant = request.tenant
    form = TenantProfileForm(request.POST or None, request.FILES or None, initial=_profile_initial(tenant))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.tenant_update(
                tenant=tenant,
                actor=request.user,
                name=data["name"],
                state_code=data["state_code"],
                gstin=data["gstin"],
                address=data["address"],
                logo=data["logo"] or None,
                remove_logo=data["remove_logo"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "The profile has been saved." + _gstin_changed_note(tenant, updated))
            return redirect("tenants:settings_profile")
    return _profile_page(request, form=form)


def _gstin_changed_note(before, after) -> str:
    """What a new GSTIN means for issuing invoices: it has to be verified (again)."""
    if not after.gstin or after.gstin == before.gstin:
        return ""
    if after.gstin_certificate:
        return (
            f" GSTIN {after.gstin} needs verifying before GST invoices can be issued: it will be checked "
            "against the certificate already uploaded, so upload a new one if that shows another GSTIN."
        )
    return f" GSTIN {after.gstin} needs verifying before GST invoices can be issued: upload its GST registration certificate below."


def _profile_initial(tenant) -> dict:
    return {
        "name": tenant.name,
        "state_code": tenant.state_code,
        "gstin": tenant.gstin,
        "address": tenant.address,
    }


def _profile_page(request, *, form=None, gstin_form=None, stock_form=None, gst_form=None):
    """The profile page: its form and, for a shop, the GST registration certificate's, the stock
    settings' and the GST return settings' (422 with errors)."""
    tenant = request.tenant
    form = form or TenantProfileForm(initial=_profile_initial(tenant))
    gstin_form = gstin_form or GstinCertificateForm()
    stock_form = stock_form or StockSettingsForm(initial=StockSettingsForm.initial_for(tenant))
    gst_form = gst_form or GstSettingsForm(initial=GstSettingsForm.initial_for(tenant))
    failed = bool(form.errors or gstin_form.errors or stock_form.errors or gst_form.errors)
    context = {
        "form": form,
        "gstin_form": gstin_form,
        "stock_form": stock_form,
        "gst_form": gst_form,
        "small_turnover_event": audit_event_list(tenant=tenant, action="tenant.small_turnover").first()
        if tenant.is_shop
        else None,
    }
    return render(request, "tenants/settings_profile.html", context, status=422 if failed else 200)


@post_only("tenants:settings_profile")
@tenant_view(rights.SHOP_SETTINGS)
def stock_settings_view(request):
    stock_form = StockSettingsForm(request.POST)
    saved = form_submit(
        stock_form,
        lambda data: services.tenant_stock_settings_update(tenant=request.tenant, actor=request.user, **data),
    )
    if not saved:
        return _profile_page(request, stock_form=stock_form)
    messages.success(request, "The stock settings have been saved.")
    return redirect("tenants:settings_profile")


@post_only("tenants:settings_profile")
@tenant_view(rights.GST_SETTINGS)
def gst_settings_view(request):
    gst_form = GstSettingsForm(request.POST)
    saved = form_submit(
        gst_form,
        lambda data: services.tenant_gst_settings_update(tenant=request.tenant, actor=request.user, **data),
    )
    if not saved:
        return _profile_page(request, gst_form=gst_form)
    messages.success(request, "The GST return settings have been saved.")
    return redirect("tenants:settings_profile")


@post_only("tenants:settings_profile")
@tenant_view(rights.PROFILE_EDIT)
def gstin_certificate_upload_view(request):
    gstin_form = GstinCertificateForm(request.POST, request.FILES)
    uploaded = form_submit(
        gstin_form,
        lambda data: services.tenant_gstin_certificate_upload(
            tenant=request.tenant, actor=request.user, upload=data["certificate"]
        ),
    )
    if not uploaded:
        return _profile_page(request, gstin_form=gstin_form)
    messages.success(
        request,
        "The certificate has been uploaded. The Tijori team checks it against your GSTIN, usually within "
        "a working day; the dashboard shows the result.",
    )
    return redirect("tenants:settings_profile")


@require_GET
@tenant_view(rights.PROFILE_EDIT)
def gstin_certificate_view(request):
    """The shop's own certificate, through an expiring link made for this member."""
    tenant = request.tenant
    if not tenant.gstin_certificate:
        raise Http404("No GST registration certificate has been uploaded.")
    return redirect(services.tenant_gstin_certificate_link(tenant=tenant, user=request.user))


def _team_members(request) -> list:
    """The team, each member marked with what this person may do to them (the service checks again)."""
    members = list(selectors.membership_list(tenant=request.tenant))
    owner_count = sum(m.role == Role.OWNER for m in members)

    def permitted(membership, role) -> bool:  # the last-owner rule is explained when tried, not hidden
        refusal = services.membership_change_refusal(
            actor_membership=request.membership, membership=membership, role=role, owner_count=owner_count
        )
        return not isinstance(refusal, RoleNotAllowedError)

    for m in members:
        m.can_remove = permitted(m, None)
        m.role_options = [
            (value, label) for value, label in Role.choices if value == m.role or permitted(m, value)
        ]
    return members


def _team_context(request, *, invite_form=None) -> dict:
    tenant = request.tenant
    return {
        "members": _team_members(request),
        "invitations": selectors.invitation_pending_list(tenant=tenant)
        if request.membership.has_role(rights.TEAM_MANAGE.role)
        else [],
        "invite_form": invite_form or InviteForm(actor_role=request.membership.role),
        "can_manage": request.membership.has_role(rights.TEAM_MANAGE.role),
        "rights_table": rights.rights_table(shop=tenant.is_shop),
    }


@require_GET
@tenant_view()
def team_view(request):
    return render(request, "tenants/team.html", _team_context(request))


@post_only("tenants:team")
@tenant_view(rights.TEAM_MANAGE)
def invitation_create_view(request):
    form = InviteForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                tenant=request.tenant,
                actor=request.user,
                actor_membership=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. The link works for 7 days.")
            return redirect("tenants:team")
    return render(request, "tenants/team.html", _team_context(request, invite_form=form), status=422)


@post_only("tenants:team")
@tenant_view(rights.TEAM_MANAGE)
def invitation_revoke_view(request, invitation_id: int):
    invitation = selectors.invitation_get(tenant=request.tenant, invitation_id=invitation_id)
    service_action(
        request,
        lambda: services.invitation_revoke(tenant=request.tenant, actor=request.user, invitation=invitation),
        done=f"The invitation of {invitation.email} was withdrawn.",
    )
    return redirect("tenants:team")


def _team_refused(request, exc: ApplicationError):
    """The team page again, with the reason, answering 403 (not your role) or 409 (the team's state)."""
    messages_add_service_error(request, exc)
    status = getattr(exc, "status_code", 409)
    return render(request, "tenants/team.html", _team_context(request), status=status)


@post_only("tenants:team")
@tenant_view(rights.TEAM_MANAGE)
def member_role_view(request, membership_id: int):
    membership = selectors.membership_get(tenant=request.tenant, membership_id=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, admin or staff.")
        return redirect("tenants:team")
    try:
        services.membership_change_role(
            tenant=request.tenant,
            actor=request.user,
            actor_membership=request.membership,
            membership=membership,
            role=form.cleaned_data["role"],
        )
    except ApplicationError as exc:
        return _team_refused(request, exc)
    messages.success(request, f"{membership.user.email} is now {Role(form.cleaned_data['role']).label}.")
    return redirect("tenants:team")


@post_only("tenants:team")
@tenant_view()
def member_remove_view(request, membership_id: int):
    membership = selectors.membership_get(tenant=request.tenant, membership_id=membership_id)
    leaving = membership.pk == request.membership.pk
    try:
        services.membership_remove(
            tenant=request.tenant,
            actor=request.user,
            actor_membership=request.membership,
            membership=membership,
        )
    except ApplicationError as exc:
        return _team_refused(request, exc)
    if leaving:
        messages.success(request, f"You have left {request.tenant.name}.")
        active_tenant_forget(request)
        return redirect("tenants:dashboard")
    messages.success(request, f"{membership.user.email} was removed.")
    return redirect("tenants:team")


def _api_keys_context(request, *, form=None, created=None, secret=None) -> dict:
    return {
        "api_keys": selectors.api_key_list(tenant=request.tenant),
        "form": form or ApiKeyForm(actor_role=request.membership.role),
        "created": created,
        "secret": secret,
    }


@require_http_methods(["GET", "POST"])
@tenant_view(rights.API_KEYS)
def api_keys_view(request):
    """List keys; a POST makes one and shows its secret on this one page, never again."""
    if request.method == "GET":
        return render(request, "tenants/api_keys.html", _api_keys_context(request))
    form = ApiKeyForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            key, secret = services.api_key_create(
                tenant=request.tenant,
                actor=request.user,
                actor_membership=request.membership,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_add_service_error(form, exc)
        else:
            response = render(
                request, "tenants/api_keys.html", _api_keys_context(request, created=key, secret=secret)
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "tenants/api_keys.html", _api_keys_context(request, form=form), status=422)


@post_only("tenants:api_keys")
@tenant_view(rights.API_KEYS)
def api_key_revoke_view(request, api_key_id: int):
    key = selectors.api_key_get(tenant=request.tenant, api_key_id=api_key_id)
    services.api_key_revoke(tenant=request.tenant, actor=request.user, api_key=key)
    messages.success(request, f"The key “{key.name}” was revoked; requests with it now get 401.")
    return redirect("tenants:api_keys")
