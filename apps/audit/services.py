"""Writing to the audit trail. Called by other services inside their transactions."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.context import acting_via_var, request_meta_var

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


def audit_record(
    *,
    tenant: Tenant | None,
    actor: User | None,
    action: str,
    summary: str,
    target: models.Model | None = None,
) -> AuditEvent:
    """Append one event. IP, browser and request id come from the request being served, if any."""
    meta = request_meta_var.get()
    actor = actor if actor is not None and actor.is_authenticated else None
    via = acting_via_var.get()
    label = actor.email if actor else "system"
    event = AuditEvent(
        tenant=tenant,
        actor=actor,
        actor_label=f"{label} via {via}"[:254] if via else label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        created_at=timezone.now(),
    )
    event.full_clean()
    event.save(force_insert=True)
    return event


@transaction.atomic
def audit_retention_purge(*, now=None) -> int:
    """Remove events older than the retention period (7 years). Returns how many went.

    The ORM refuses deletes on purpose; this is the one sanctioned path, and on PostgreSQL a
    trigger lets a DELETE through only for rows past retention.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [cutoff])  # noqa: S608
        return cursor.rowcount
