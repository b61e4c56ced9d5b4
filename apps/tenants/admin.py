from django.contrib import admin, messages

from apps.tenants import services
from apps.tenants.models import ApiKey, Invitation, Membership, Tenant


class TenantMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "tenant"
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "state_code", "gstin", "is_active", "created_at"]
    list_filter = ["kind", "is_active", "state_code", "created_at"]
    search_fields = ["name", "slug", "gstin"]
    readonly_fields = [
        "slug",
        "created_at",
        "updated_at",
        "deactivated_at",
        "deactivation_reason",
        "is_active",
        "logo",  # uploaded by the shop, where it is checked and stored under a name of ours
    ]
    inlines = [TenantMembershipInline]
    actions = ["deactivate", "reactivate"]

    def has_delete_permission(self, request, obj=None):
        return False  # tenants are deactivated, never deleted: their records are under retention

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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant__kind"]
    search_fields = ["user__email", "tenant__name"]
    autocomplete_fields = ["user", "tenant"]
    list_select_related = ["user", "tenant"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "role", "status", "expires_at", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["email", "tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False  # invitations are made by tenant admins, so they are audited and e-mailed


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "prefix", "role", "status", "created_by", "last_used_at", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["name", "prefix", "tenant__name", "created_by__email"]
    list_select_related = ["tenant", "created_by"]
    readonly_fields = [f.name for f in ApiKey._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are made by the tenant, so the secret is shown only to them

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset.select_related("tenant"):
            services.api_key_revoke(
                tenant=key.tenant, actor=request.user, api_key=key, reason="by platform admin"
            )
        messages.success(request, f"Revoked {queryset.count()} key(s).")
