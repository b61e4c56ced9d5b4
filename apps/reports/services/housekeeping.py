"""Housekeeping of exports, run by beat: files removed once expired, and builds sent again when lost.

On the embedded broker nothing re-sends a task whose worker died: `exports_reap` does, as
`operations_reap` does for provisioning. `exports_expired_remove` deletes the files past `expires_at`;
the rows stay as the record.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from apps.core.rls import task_send
from apps.reports import tasks
from apps.reports.models import Export
from apps.reports.services.building import MAX_ATTEMPTS, export_file_storage, gave_up_message

logger = logging.getLogger(__name__)

# The reaper sends again a queued export waiting this long (its message was lost), and a running one
# whose progress has not moved for this long (its worker died); after MAX_ATTEMPTS builds it gives up.
QUEUED_GRACE = timedelta(minutes=2)
RUNNING_GRACE = timedelta(minutes=5)
BATCH = 500


def exports_expired_remove(*, now=None) -> int:
    """Delete the files of exports past `expires_at` and mark them expired; the rows stay as the record.

    In S3 the bucket's lifecycle rule (7 days) removes them too, a backstop for a day this job misses.
    Returns how many files went. A file the store cannot delete now is left for the next run.
    """
    now = now or timezone.now()
    storage = export_file_storage()
    removed, after = 0, 0
    while True:
        batch = list(
            Export.objects.filter(status=Export.Status.DONE, expires_at__lte=now, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "file")[:BATCH]
        )
        if not batch:
            return removed
        after = batch[-1][0]
        gone = []
        for pk, name in batch:
            try:
                if name:
                    storage.delete(name)
            except OSError:
                logger.warning("export %s: its file could not be deleted now; next run", pk, exc_info=True)
                continue
            gone.append(pk)
        removed += Export.objects.filter(pk__in=gone, status=Export.Status.DONE).update(
            status=Export.Status.EXPIRED, file="", updated_at=now
        )


def exports_reap(*, now=None) -> int:
    """Send again the exports whose message was lost (queued too long) or whose worker died (running,
    progress still for too long); fail, with a message, one that has already stopped MAX_ATTEMPTS builds."""
    now = now or timezone.now()
    stale = list(
        Export.objects.filter(status=Export.Status.QUEUED, updated_at__lt=now - QUEUED_GRACE).values_list(
            "pk", "tenant_id", "status", "attempts", "updated_at"
        )
    ) + list(
        Export.objects.filter(status=Export.Status.RUNNING, updated_at__lt=now - RUNNING_GRACE).values_list(
            "pk", "tenant_id", "status", "attempts", "updated_at"
        )
    )
    sent = 0
    for pk, tenant_id, status, attempts, updated_at in stale:
        row = Export.objects.filter(pk=pk, status=status, updated_at=updated_at)
        if status == Export.Status.RUNNING and attempts >= MAX_ATTEMPTS:
            row.update(
                status=Export.Status.FAILED, finished_at=now, updated_at=now, error=gave_up_message(attempts)
            )
            continue
        if row.update(updated_at=now):  # claimed: another reaper running at once sends nothing
            task_send(tasks.export_build_task, pk, tenant_id=tenant_id)
            sent += 1
    return sent
