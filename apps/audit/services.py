"""Writing to the audit trail. Called by other services inside their transactions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.context import acting_via_var, request_meta_var

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


class AuditEntry(NamedTuple):
    """One event of a batch recorded with audit_record_many."""

    action: str
    summary: str
    target: models.Model | None = None


def _event(
    *, tenant: Tenant | None, actor: User | None, entry: AuditEntry, created_at: datetime
) -> AuditEvent:
    """The event as it will be stored: IP, browser and request id from the request being served, if any."""
    meta = request_meta_var.get()
    actor = actor if actor is not None and actor.is_authenticated else None
    via = acting_via_var.get()
    label = actor.email if actor else "system"
    target = entry.target
    return AuditEvent(
        tenant=tenant,
        actor=actor,
        actor_label=f"{label} via {via}"[:254] if via else label,
        action=entry.action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=entry.summary[:300],
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        created_at=created_at,
    )


def audit_record(
    *,
    tenant: Tenant | None,
    actor: User | None,
    action: str,
    summary: str,
    target: models.Model | None = None,
) -> AuditEvent:
    """Append one event. IP, browser and request id come from the request being served, if any."""
    event = _event(
        tenant=tenant, actor=actor, entry=AuditEntry(action, summary, target), created_at=timezone.now()
    )
    # The tenant and actor are the instances given: looking them up again would only cost two queries.
    event.full_clean(exclude=["tenant", "actor"], validate_unique=False)
    event.save(force_insert=True)
    return event


def audit_record_many(
    *,
    tenant: Tenant | None,
    actor: User | None,
    entries: Iterable[AuditEntry],
    batch_size: int = 1000,
) -> list[AuditEvent]:
    """Append many events of one actor in one tenant (a bulk import) with a few INSERTs.

    Each event carries what audit_record would give it. The tenant and actor are the instances
    given, so they are not looked up once per event.
    """
    now = timezone.now()
    events = [_event(tenant=tenant, actor=actor, entry=entry, created_at=now) for entry in entries]
    for event in events:
        event.full_clean(exclude=["tenant", "actor"], validate_unique=False)
    return AuditEvent.objects.bulk_create(events, batch_size=batch_size)


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
