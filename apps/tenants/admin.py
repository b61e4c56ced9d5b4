"""Super admins look at tenants and their people; every change they make goes through a service.

The profile is saved by `tenant_update` (validated and audited as when a shop saves it); memberships
are read-only here and change only through actions that call the membership services, so the
last-owner rule and the audit trail hold for the platform too. A shop's GSTIN is verified or rejected
on its review page, by super admins only, from the certificate the shop uploaded.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.core.exceptions import ApplicationError
from apps.core.files import INLINE_TYPES, private_file_response, served_type
from apps.core.forms import form_add_service_error, service_error_text
from apps.tenants import selectors, services
from apps.tenants.models import ApiKey, Invitation, Membership, Role, Tenant


class TenantMembershipInline(ReadOnlyInline):
    model = Membership
    fk_name = "tenant"
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    show_change_link = True


class TenantAdminForm(forms.ModelForm):
    """Checks the profile as the shop's own settings page does, so the admin shows the same errors."""

    class Meta:
        model = Tenant
        fields = ["name", "state_code", "gstin", "address"]

    def clean(self):
        data = super().clean()
        try:
            data["gstin"] = services.tenant_gst_fields_check(
                kind=self.instance.kind,
                state_code=data.get("state_code") or "",
                gstin=data.get("gstin") or "",
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field in self.fields and not self.has_error(field):
                    self.add_error(field, errors)
        return data


class GstinStatusFilter(admin.SimpleListFilter):
    """The review queue: "Awaiting review" lists the shops whose certificate waits for a super admin."""

    title = "GSTIN verification"
    parameter_name = "gstin_status"

    def lookups(self, request, model_admin):
        return Tenant.GstinStatus.choices

    def queryset(self, request, queryset):
        condition = selectors.GSTIN_STATUS_FILTERS.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


class GstinRejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The shop reads this on its dashboard, e.g. “The certificate is for a different GSTIN.” "
        "Don't name other shops: whether another shop holds this GSTIN is never told to a shop.",
    )


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    form = TenantAdminForm
    list_display = ["name", "kind", "slug", "state_code", "gstin", "gstin_review", "is_active", "created_at"]
    list_filter = [GstinStatusFilter, "kind", "is_active", "state_code", "created_at"]
    search_fields = ["name", "slug", "gstin"]
    fields = [
        "name",
        "kind",
        "slug",
        "state_code",
        "gstin",
        "gstin_review",
        "address",
        "logo",
        "bis_registration_number",
        "bis_registration_valid_until",
        "is_active",
        "deactivated_at",
        "deactivation_reason",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "kind",
        "slug",
        "created_at",
        "updated_at",
        "deactivated_at",
        "deactivation_reason",
        "is_active",
        "logo",  # uploaded by the shop, where it is checked and stored under a name of ours
        "gstin_review",  # verified or rejected on its own page, from the shop's certificate
        "bis_registration_number",  # the shop's compliance settings write these, audited
        "bis_registration_valid_until",
    ]
    inlines = [TenantMembershipInline]
    actions = ["deactivate", "reactivate"]

    def has_add_permission(self, request):
        return False  # a tenant is born with its first owner, by signup or "new workspace"

    def has_delete_permission(self, request, obj=None):
        return False  # tenants are deactivated, never deleted: their records are under retention

    def save_model(self, request, obj, form, change):
        services.tenant_update(
            tenant=obj,
            actor=request.user,
            name=obj.name,
            state_code=obj.state_code,
            gstin=obj.gstin,
            address=obj.address,
        )

    @admin.display(description="GSTIN verification")
    def gstin_review(self, tenant: Tenant) -> str:
        status = tenant.gstin_status
        if status == Tenant.GstinStatus.NONE:
            return status.label
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:tenants_tenant_gstin", args=[tenant.pk]), status.label
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/gstin/", view(self.gstin_review_view), name="tenants_tenant_gstin"),
            path(
                "<path:object_id>/gstin/certificate/",
                view(self.gstin_certificate_view),
                name="tenants_tenant_gstin_certificate",
            ),
            *super().get_urls(),
        ]

    def _reviewed_tenant(self, request, object_id: str) -> Tenant:
        """Verifying a GSTIN is the platform's word that a shop is who it says: super admins only."""
        if not request.user.is_superuser:
            raise PermissionDenied("Only a super admin can review a GSTIN.")
        tenant = self.get_object(request, unquote(object_id))
        if tenant is None:
            raise Http404("No such tenant.")
        return tenant

    def gstin_review_view(self, request, object_id: str):
        """The shop's GSTIN next to its certificate, with the buttons to verify it or reject it."""
        tenant = self._reviewed_tenant(request, object_id)
        reject_form = GstinRejectForm(request.POST if "reject" in request.POST else None)
        status = 200
        if request.method == "POST":
            try:
                if "verify" in request.POST:
                    services.tenant_gstin_verify(tenant=tenant, actor=request.user)
                    messages.success(request, f"GSTIN {tenant.gstin} of {tenant.name} is verified.")
                    return redirect("admin:tenants_tenant_gstin", tenant.pk)
                if reject_form.is_valid():
                    services.tenant_gstin_reject(
                        tenant=tenant, actor=request.user, reason=reject_form.cleaned_data["reason"]
                    )
                    messages.success(
                        request, f"GSTIN {tenant.gstin} of {tenant.name} is marked not verified."
                    )
                    return redirect("admin:tenants_tenant_gstin", tenant.pk)
                status = 422
            except ApplicationError as exc:
                messages.error(request, service_error_text(exc))
                status = 409
            except ValidationError as exc:
                form_add_service_error(reject_form, exc)
                status = 422
            tenant.refresh_from_db()
        certificate = tenant.gstin_certificate.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": tenant,
            "title": f"GSTIN of {tenant.name}",
            "status": tenant.gstin_status,
            "certificate_is_image": bool(certificate) and served_type(certificate) in INLINE_TYPES,
            "holder": selectors.tenant_gstin_holder(gstin=tenant.gstin, exclude_id=tenant.pk),
            "sharers": selectors.tenant_gstin_sharers(tenant=tenant),
            "reject_form": reject_form,
        }
        return TemplateResponse(request, "admin/tenants/tenant/gstin_review.html", context, status=status)

    def gstin_certificate_view(self, request, object_id: str):
        tenant = self._reviewed_tenant(request, object_id)
        if not tenant.gstin_certificate:
            raise Http404("This shop has not uploaded a GST registration certificate.")
        return private_file_response(
            tenant.gstin_certificate.storage,
            tenant.gstin_certificate.name,
            filename=tenant.gstin_certificate_name or "gst-registration-certificate",
        )

    @admin.action(description="Deactivate the selected tenants (nothing is deleted)")
    def deactivate(self, request, queryset):
        for tenant in queryset:
            services.tenant_set_active(
                tenant=tenant, actor=request.user, active=False, reason="By platform admin"
            )
        messages.success(request, f"Deactivated {queryset.count()} tenant(s).")

    @admin.action(description="Reactivate the selected tenants")
    def reactivate(self, request, queryset):
        for tenant in queryset:
            services.tenant_set_active(tenant=tenant, actor=request.user, active=True)
        messages.success(request, f"Reactivated {queryset.count()} tenant(s).")


def _platform_membership(request, tenant: Tenant) -> Membership:
    """A super admin acts in a tenant with an owner's rights (unsaved: they don't join the team)."""
    return Membership(tenant=tenant, user=request.user, role=Role.OWNER)


def _membership_actions(request, queryset, change, done: str) -> None:
    """Apply `change(membership)` to each member; refusals (the last owner) are listed, the rest done."""
    changed = 0
    for membership in queryset.select_related("tenant", "user"):
        try:
            change(membership)
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, f"{membership}: {service_error_text(exc)}")
        else:
            changed += 1
    if changed:
        messages.success(request, done.format(count=changed))


def _role_action(role: str):
    def action(modeladmin, request, queryset):
        _membership_actions(
            request,
            queryset,
            lambda m: services.membership_change_role(
                tenant=m.tenant,
                actor=request.user,
                actor_membership=_platform_membership(request, m.tenant),
                membership=m,
                role=role,
            ),
            done=f"{{count}} member(s) are now {Role(role).label}.",
        )

    action.__name__ = f"make_{role}"
    return admin.action(description=f"Make the selected members {Role(role).label.lower()}")(action)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant__kind"]
    search_fields = ["user__email", "tenant__name"]
    list_select_related = ["user", "tenant"]
    actions = [_role_action(Role.OWNER), _role_action(Role.ADMIN), _role_action(Role.STAFF), "remove"]

    @admin.action(description="Remove the selected members from their tenant")
    def remove(self, request, queryset):
        _membership_actions(
            request,
            queryset,
            lambda m: services.membership_remove(
                tenant=m.tenant,
                actor=request.user,
                actor_membership=_platform_membership(request, m.tenant),
                membership=m,
            ),
            done="Removed {count} member(s).",
        )


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are made by tenant admins, so they are audited and e-mailed."""

    list_display = ["email", "tenant", "role", "status", "expires_at", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["email", "tenant__name"]
    list_select_related = ["tenant"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Keys are made by the tenant, so the secret is shown only to them; the platform may revoke one."""

    list_display = ["name", "tenant", "prefix", "role", "status", "created_by", "last_used_at", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["name", "prefix", "tenant__name", "created_by__email"]
    list_select_related = ["tenant", "created_by"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset.select_related("tenant"):
            services.api_key_revoke(
                tenant=key.tenant, actor=request.user, api_key=key, reason="by platform admin"
            )
        messages.success(request, f"Revoked {queryset.count()} key(s).")
