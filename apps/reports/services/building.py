"""Building an export, by a worker on the `reports` queue.

`export_build` runs the kind's writer into a temporary file on disk, hashing as it goes, saves the file
in the `exports` storage and records the outcome on the row. It never holds a transaction open while
the writer runs: progress is an UPDATE of its own, so a page or an API client sees it from another
connection while the build goes on.

A build is idempotent and safe after a crash: a finished export is left alone; a queued or running one
(its worker died) is built again from scratch. Each build counts itself in `attempts` and writes to
the row only while the count is still its own, so a build that another delivery took over stops and
drops its file. An export whose builds stopped MAX_ATTEMPTS times is failed rather than built again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.db.replica import replica_reads
from apps.core.money import count_text
from apps.gst.periods import ReturnPeriod
from apps.reports.exceptions import ExportTakenOver
from apps.reports.kinds import ExportContext, ExportKind, ExportRefused, ExportResult, export_kind_get
from apps.reports.models import Export

logger = logging.getLogger(__name__)

# Progress reaches the row at most once per percent of the documents, or once every 2 seconds.
PROGRESS_SECONDS = 2.0
PROGRESS_STEPS = 100
# The temporary file stays in memory up to this size, then moves to disk.
SPOOL_BYTES = 1024 * 1024
# Builds an export may start; when as many have stopped without finishing, it is failed.
MAX_ATTEMPTS = 3
PROBLEMS_KEPT = 500

FAILED_MESSAGE = (
    "Something went wrong on Tijori's side while building this file, and the team has been told. "
    "Try again later."
)
STORE_RETRYING = "The file store did not answer; Tijori is trying again."
STORE_FAILED = "The file store did not answer after several tries. Try again later."


def gave_up_message(attempts: int) -> str:
    return (
        f"The build stopped {attempts} times without finishing, so Tijori gave up. Try again later; if it "
        "happens again, tell Tijori's team."
    )


def export_file_storage():
    """Where export files are kept: the storage of the `Export.file` field."""
    return Export._meta.get_field("file").storage


def _keep() -> timedelta:
    return timedelta(days=settings.EXPORT_KEEP_DAYS)


class _HashingWriter(io.RawIOBase):
    """The file a writer writes into: bytes go to the temporary file and into the SHA-256 as they come.

    It cannot seek, so a ZIP writer streams (data descriptors) rather than going back to patch headers,
    and every byte written is a byte of the file, hashed once.
    """

    def __init__(self, target: IO[bytes]):
        self._target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data) -> int:
        view = memoryview(data)
        self._target.write(view)
        self.sha256.update(view)
        self.size += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self.size


@dataclass
class _Progress:
    """The writer's progress callback: saves the counters when they moved enough, and notices a takeover."""

    export_id: int
    attempt: int
    saved_at: float = float("-inf")  # the first call saves: the page learns the total at once
    saved_done: int = -1

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        step = max(1, (total or 0) // PROGRESS_STEPS)
        if (
            total
            and done < total
            and done - self.saved_done < step
            and now - self.saved_at < PROGRESS_SECONDS
        ):
            return
        if not total and now - self.saved_at < PROGRESS_SECONDS:
            return
        self.saved_at, self.saved_done = now, done
        # Only the counters (and the time, the build's heartbeat), in a statement of their own: the page
        # reads them from another connection while the build goes on.
        updated = Export.objects.filter(
            pk=self.export_id, attempts=self.attempt, status=Export.Status.RUNNING
        ).update(progress_done=done, progress_total=total, updated_at=timezone.now())
        if not updated:
            raise ExportTakenOver(self.export_id)


def _claim(export_id: int) -> tuple[Export | None, int | None]:
    """The export and this build's attempt number, or no attempt when there is nothing to build."""
    with transaction.atomic():
        export = (
            Export.objects.select_for_update(of=("self",))
            .select_related("tenant", "requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.is_finished:
            return export, None
        if export.status == Export.Status.RUNNING and export.attempts >= MAX_ATTEMPTS:
            # Each build so far died with its worker (killed at the time limit, out of memory): stop here
            # rather than hand the same export to worker after worker.
            export.status, export.error = Export.Status.FAILED, gave_up_message(export.attempts)
            export.finished_at = timezone.now()
            export.save(update_fields=["status", "error", "finished_at", "updated_at"])
            return export, None
        export.attempts += 1
        export.status = Export.Status.RUNNING
        export.started_at = timezone.now()
        export.finished_at = None
        export.progress_done, export.progress_total = 0, None
        export.error, export.problems = "", []
        export.save(
            update_fields=[
                "attempts", "status", "started_at", "finished_at", "progress_done", "progress_total",
                "error", "problems", "updated_at",
            ]
        )  # fmt: skip
    return export, export.attempts


def _finish(export: Export, attempt: int, **values) -> bool:
    """Write the outcome if the export is still this build's; return whether it was."""
    values.setdefault("finished_at", timezone.now())
    updated = Export.objects.filter(pk=export.pk, attempts=attempt, status=Export.Status.RUNNING).update(
        updated_at=timezone.now(), **values
    )
    if updated:
        for field, value in values.items():
            setattr(export, field, value)
    return bool(updated)


def _asked_by(export: Export) -> str:
    return export.requested_by.email if export.requested_by else "Tijori"


def export_build(*, export_id: int) -> Export | None:
    """Build the export's file and record the outcome on the row (see the module's doc).

    Refusals (`ExportRefused`) and a writer's failure are recorded on the row; a failure is raised
    again so that it reaches the logs. An `OSError` (the file store, the disk) puts the export back in
    the queue and is raised for the task to retry.
    """
    export, attempt = _claim(export_id)
    if export is None or attempt is None:
        return export
    tenant = export.tenant
    kind = export_kind_get(export.kind)
    if kind is None:
        _finish(
            export, attempt, status=Export.Status.FAILED, error="This kind of export is no longer offered."
        )
        return export
    period = export.period
    try:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            raw = _HashingWriter(spool)
            out = io.BufferedWriter(raw, buffer_size=64 * 1024)
            context = ExportContext(
                tenant=tenant, period=period, options=dict(export.options), out=out,
                progress=_Progress(export.pk, attempt),
            )  # fmt: skip
            with replica_reads():  # the documents of a period are read from the replica, when there is one
                result = kind.write(context)
            if not out.closed:
                out.flush()
            spool.seek(0)
            return _store(export, attempt, kind, period, spool, raw, result)
    except ExportRefused as exc:
        problems = [str(problem) for problem in exc.problems][:PROBLEMS_KEPT]
        if _finish(export, attempt, status=Export.Status.REFUSED, problems=problems):
            audit_record(
                tenant=tenant, actor=export.requested_by, action="export.refused", target=export,
                summary=f"{kind.label}, {period.label}: refused, {len(exc.problems)} thing(s) to fix",
            )  # fmt: skip
        return export
    except ExportTakenOver:
        logger.info("export %s: taken over by another build, this one stops", export.pk)
        return export
    except OSError:
        Export.objects.filter(pk=export.pk, attempts=attempt, status=Export.Status.RUNNING).update(
            status=Export.Status.QUEUED, error=STORE_RETRYING, updated_at=timezone.now()
        )
        raise
    except SoftTimeLimitExceeded:
        minutes = settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
        _fail(export, attempt, kind, period, f"Building this file took longer than {minutes} minutes and "
              "was stopped. Try again later; if it happens again, tell Tijori's team.")  # fmt: skip
        raise
    except Exception:
        _fail(export, attempt, kind, period, FAILED_MESSAGE)
        raise


def _fail(export: Export, attempt: int, kind: ExportKind, period: ReturnPeriod, message: str) -> None:
    if _finish(export, attempt, status=Export.Status.FAILED, error=message[:300]):
        audit_record(
            tenant=export.tenant, actor=export.requested_by, action="export.failed", target=export,
            summary=f"{kind.label}, {period.label}: failed",
        )  # fmt: skip


def _store(
    export: Export,
    attempt: int,
    kind: ExportKind,
    period: ReturnPeriod,
    spool: IO[bytes],
    raw: _HashingWriter,
    result: ExportResult,
) -> Export:
    """Save the built file under a name of the server's choosing and record it; one transaction."""
    name = f"t{export.tenant_id}/{export.pk}-{secrets.token_hex(8)}.{kind.extension}"
    storage = export_file_storage()
    content = File(spool, name=name)
    content.size = raw.size
    stored = storage.save(name, content)
    try:
        with transaction.atomic():
            done = _finish(
                export, attempt, status=Export.Status.DONE, file=stored,
                file_name=kind.file_name(tenant=export.tenant, covers=export.covers_code), size=raw.size,
                sha256=raw.sha256.hexdigest(), document_count=result.document_count,
                counts=dict(result.counts), progress_done=result.document_count,
                progress_total=result.document_count, expires_at=timezone.now() + _keep(),
            )  # fmt: skip
            if not done:
                raise ExportTakenOver(export.pk)
            audit_record(
                tenant=export.tenant,
                actor=export.requested_by,
                action="export.build",
                target=export,
                summary=(
                    f"{kind.label}, {period.label}: {count_text(result.document_count)} document(s), "
                    f"{raw.size} bytes, SHA-256 {export.sha256}, asked by {_asked_by(export)}"
                ),
            )
    except BaseException:
        storage.delete(stored)  # the row does not name it: nothing would ever remove it
        raise
    export.file.name = stored
    return export


def export_give_up(*, export_id: int, exc: BaseException) -> Export | None:
    """Fail an export whose task will not run again (its retries are spent); a finished one is left."""
    export = Export.objects.filter(pk=export_id, status__in=Export.ACTIVE).first()
    if export is None:
        return None
    message = STORE_FAILED if isinstance(exc, OSError) else FAILED_MESSAGE
    Export.objects.filter(pk=export.pk, status__in=Export.ACTIVE).update(
        status=Export.Status.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
    )
    export.refresh_from_db()
    return export
