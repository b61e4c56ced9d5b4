from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.core.forms import form_add_service_error
from apps.provisioning import services
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount, TenantQuota
from apps.provisioning.services.quotas import LIMIT_FIELDS

LATEST_OPERATIONS = 10  # shown on a project's page; the link under them opens the full list


class ResourceInline(ReadOnlyInline):
    model = Resource
    show_change_link = True
    fields = ["kind", "name", "physical_id", "state", "estimate_usd_month", "last_error", "updated_at"]
    readonly_fields = fields


class OperationInline(ReadOnlyInline):
    """The project's latest operations (ProjectAdmin hands the formset only those)."""

    model = Operation
    show_change_link = True
    verbose_name_plural = f"latest operations (up to {LATEST_OPERATIONS})"
    fields = ["action", "state", "trigger", "attempts", "started_at", "finished_at", "error"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    """Read-only: a project changes only through its services, which follow the state machine and audit.

    Force destroy queues a destroy with trigger=admin for each selected project (end reason
    "forced"): the application is purged first and the clean-up runs exactly as for the TTL.
    """

    list_display = [
        "name", "tenant", "region", "tier", "infra_state", "app_state", "estimate_usd_month", "expires_at",
    ]  # fmt: skip
    list_filter = ["infra_state", "app_state", "region", "tier", "end_reason"]
    search_fields = ["name", "key", "tenant__name"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Project._meta.fields] + ["all_operations"]
    inlines = [ResourceInline, OperationInline]
    actions = ["force_destroy"]

    def has_force_destroy_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Force destroy (purges any application first)", permissions=["force_destroy"])
    def force_destroy(self, request, queryset):
        queued, refused = 0, []
        for project in queryset.select_related("tenant"):
            try:
                services.operation_request(
                    tenant=project.tenant, actor=request.user, project=project,
                    action=Operation.Action.DESTROY, trigger=Operation.Trigger.ADMIN,
                )  # fmt: skip
                queued += 1
            except TransitionRefused as exc:
                refused.append(f"{project.name}: {exc.message}")
        if queued:
            self.message_user(request, f"Destroy queued for {queued} project(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, OperationInline) and obj is not None:
            latest = obj.operations.order_by("-created_at").values_list("pk", flat=True)[:LATEST_OPERATIONS]
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=list(latest))
        return kwargs

    @admin.display(description="All operations")
    def all_operations(self, obj):
        url = reverse("admin:provisioning_operation_changelist") + f"?project__id__exact={obj.pk}"
        return format_html('<a href="{}">Every operation of this project</a>', url)


@admin.register(Operation)
class OperationAdmin(ReadOnlyAdmin):
    """Read-only: operations are written by the services and the worker that carries them out."""

    list_display = [
        "created_at", "project", "tenant", "action", "state", "trigger", "attempts", "started_at", "finished_at",
    ]  # fmt: skip
    list_filter = ["action", "state", "trigger", "created_at"]
    search_fields = ["project__name", "project__key", "tenant__name", "error"]
    list_select_related = ["project", "tenant"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Operation._meta.fields]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    """Read-only: the ledger of AWS resources, written before each create call."""

    list_display = ["name", "kind", "project", "tenant", "physical_id", "region", "state", "updated_at"]
    list_filter = ["kind", "state", "region"]
    search_fields = ["name", "physical_id", "project__name", "project__key", "tenant__name"]
    list_select_related = ["project", "tenant"]
    readonly_fields = [f.name for f in Resource._meta.fields]


class TenantQuotaForm(forms.ModelForm):
    class Meta:
        model = TenantQuota
        fields = ["tenant", *LIMIT_FIELDS, "note"]
        help_texts = {
            "max_projects": (
                "Projects at once, drafts included (destroyed and deleted ones don't count). "
                f"Blank: the default, {settings.PROVISIONING_MAX_PROJECTS}."
            ),
            "max_project_usd_month": (
                "USD a month, a project's estimate at most. "
                f"Blank: the default, {settings.PROVISIONING_MAX_PROJECT_USD_MONTH}."
            ),
            "max_tenant_usd_month": (
                "USD a month, the estimates of all projects holding resources in AWS (or being provisioned) "
                "together at most. "
                f"Blank: the default, {settings.PROVISIONING_MAX_TENANT_USD_MONTH}."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        try:
            services.tenant_quota_validate(**{name: cleaned.get(name) for name in LIMIT_FIELDS})
        except ValidationError as exc:
            form_add_service_error(self, exc)
        return cleaned


@admin.register(TenantQuota)
class TenantQuotaAdmin(admin.ModelAdmin):
    """A super admin overrides one tenant's quotas here; a blank field keeps the platform default.

    Saving and deleting go through `tenant_quota_set` and `tenant_quota_reset`, which audit the change.
    A lowered limit refuses new projects only: live ones stay until they are destroyed or expire.
    """

    form = TenantQuotaForm
    list_display = ["tenant", "projects_limit", "project_usd_limit", "tenant_usd_limit", "note", "updated_at"]
    search_fields = ["tenant__name", "note"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # A quota belongs to one workspace: another workspace gets a quota of its own.
        return [*self.readonly_fields, "tenant"] if obj is not None else self.readonly_fields

    @admin.display(description="Max projects")
    def projects_limit(self, obj):
        return services.quota_limit_label(obj, "max_projects")

    @admin.display(description="Max USD/month a project")
    def project_usd_limit(self, obj):
        return services.quota_limit_label(obj, "max_project_usd_month")

    @admin.display(description="Max USD/month the tenant")
    def tenant_usd_limit(self, obj):
        return services.quota_limit_label(obj, "max_tenant_usd_month")

    def save_model(self, request, obj, form, change):
        quota = services.tenant_quota_set(
            tenant=obj.tenant,
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
            **{name: form.cleaned_data.get(name) for name in LIMIT_FIELDS},
        )
        obj.pk, obj.created_at, obj.updated_at = quota.pk, quota.created_at, quota.updated_at

    def delete_model(self, request, obj):
        services.tenant_quota_reset(tenant=obj.tenant, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("tenant"):
            self.delete_model(request, obj)


@admin.register(TenantAwsAccount)
class TenantAwsAccountAdmin(ReadOnlyAdmin):
    """Read-only: the tenant's owner registers the role; the ExternalId is Tijori's and never changes."""

    list_display = ["tenant", "status", "account_id", "role_arn", "checked_at", "created_by"]
    list_filter = ["status"]
    search_fields = ["tenant__name", "role_arn", "account_id"]
    list_select_related = ["tenant", "created_by"]
    readonly_fields = [f.name for f in TenantAwsAccount._meta.fields]
