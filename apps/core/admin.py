from django.contrib import admin

from apps.core.models import IdempotencyKey


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services and workers: super admins look, nobody edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows of a record's page that only services and workers write: shown, never added or edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """Deleting a claimed key would let a client's retry run its request twice; keys expire on their own."""

    list_display = ["key", "tenant", "caller", "response_status", "created_at", "expires_at"]
    list_filter = ["response_status", "created_at"]
    search_fields = ["key", "tenant__name"]
    list_select_related = ["tenant"]
    # Stored answers can hold customers' data: admins see who claimed a key and when, never the body.
    fields = [
        "key",
        "tenant",
        "caller",
        "fingerprint",
        "response_status",
        "secret_withheld",
        "created_at",
        "expires_at",
    ]
    readonly_fields = fields
