"""Reading the audit trail, always for one tenant."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Model, QuerySet
from django.utils import timezone

from apps.audit.models import AuditEvent

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def audit_event_list(
    *,
    tenant: Tenant,
    action: str = "",
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    search: str = "",
    target: Model | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.for_tenant(tenant).select_related("actor")
    if target is not None:
        qs = qs.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    if search:
        qs = qs.filter(summary__icontains=search)
    return qs


def audit_action_choices(*, tenant: Tenant) -> list[str]:
    """The distinct action prefixes ('member', 'tenant', ...) seen in this tenant's trail."""
    actions = AuditEvent.objects.for_tenant(tenant).order_by().values_list("action", flat=True).distinct()
    return sorted({a.split(".")[0] for a in actions})
