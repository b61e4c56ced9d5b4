from django.contrib import admin

from apps.audit.models import AuditEvent
from apps.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only for everyone, super admins included."""

    list_display = ["created_at", "tenant", "actor_label", "action", "summary", "ip_address"]
    list_filter = ["action", "created_at"]
    search_fields = ["summary", "actor_label", "action", "tenant__name", "target_id", "request_id"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
