from django.contrib import admin

from apps.core.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "tenant", "response_status", "created_at", "expires_at"]
    list_filter = ["response_status", "created_at"]
    search_fields = ["key", "tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = [f.name for f in IdempotencyKey._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
