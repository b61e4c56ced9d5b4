"""The audit trail over the API: read-only, filtered, for owners and admins."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from apps.audit.models import AuditEvent
from apps.audit.selectors import audit_event_list
from apps.core.filters import UtcIsoDateTimeFilter
from apps.tenants.models import Role


class AuditEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    actor_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "action",
            "summary",
            "actor",
            "actor_id",
            "target_type",
            "target_id",
            "ip_address",
            "user_agent",
            "request_id",
        ]


class AuditEventFilter(filters.FilterSet):
    action = filters.CharFilter(
        method="filter_action", help_text="An action (`member.role_change`) or its kind (`member`)."
    )
    actor = filters.NumberFilter(field_name="actor_id", help_text="Id of the user who acted.")
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

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__startswith=value)


@extend_schema_view(list=extend_schema(summary="The audit trail, newest first"))
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = AuditEvent.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = AuditEventOutput
    filterset_class = AuditEventFilter
    read_role = Role.ADMIN

    def get_queryset(self):
        return audit_event_list(tenant=self.request.tenant)
