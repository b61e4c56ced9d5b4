"""The audit trail over the API: read-only, filtered, for owners and admins."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from apps.audit.models import AuditEvent
from apps.audit.selectors import audit_event_list
from apps.core.api.filters import IdFilter, UtcIsoDateTimeFilter
from apps.core.api.viewsets import TenantViewSet
from apps.tenants import rights


class AuditEventOutput(serializers.Serializer):
    # Plain fields, not a ModelSerializer: building model-derived fields costs more per request
    # than serialising a page of 50 events.
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    action = serializers.CharField(help_text="What happened, e.g. `member.role_change`.")
    summary = serializers.CharField()
    actor = serializers.CharField(source="actor_label", help_text="Who acted (kept if the user is deleted).")
    actor_id = serializers.IntegerField(allow_null=True)
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    request_id = serializers.CharField()


class AuditEventFilter(filters.FilterSet):
    action = filters.CharFilter(help_text="An action (`member.role_change`) or its kind (`member`).")
    actor = IdFilter(field_name="actor_id", help_text="Id of the user who acted.")
    since = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="From this time (ISO 8601)."
    )
    until = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Before this time (ISO 8601)."
    )
    q = filters.CharFilter(field_name="summary", lookup_expr="icontains", help_text="Words in the summary.")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "since", "until", "q"]

    def filter_queryset(self, queryset):
        """The page's filters and these are one rule: the selector's."""
        data = self.form.cleaned_data
        return audit_event_list(
            tenant=self.request.tenant,
            action=data.get("action") or "",
            actor_id=data.get("actor"),
            since=data.get("since"),
            until=data.get("until"),
            search=data.get("q") or "",
        )


@extend_schema_view(list=extend_schema(summary="The audit trail, newest first"))
class AuditEventViewSet(mixins.ListModelMixin, TenantViewSet):
    model = AuditEvent
    selector = staticmethod(audit_event_list)
    serializer_class = AuditEventOutput
    filterset_class = AuditEventFilter
    read_role = rights.AUDIT_READ
