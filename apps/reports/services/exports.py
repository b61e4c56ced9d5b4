"""Exports: asked for by a person, built by a worker on the `reports` queue, handed out for a week.

`export_request` checks the request and queues the build after commit (an identical export still
waiting or running is returned instead of a second one). `export_build` runs the kind's writer into a
temporary file on disk, hashing as it goes, saves the file in the `exports` storage and records the
outcome on the row. It never holds a transaction open while the writer runs: progress is an UPDATE of
its own, so a page or an API client sees it from another connection while the build goes on.

A build is idempotent and safe after a crash: a finished export is left alone; a queued or running one
(its worker died) is built again from scratch. Each build counts itself in `attempts` and writes to
the row only while the count is still its own, so a build that another delivery took over stops and
drops its file. On the embedded broker nothing re-sends a task whose worker died: `exports_reap` does,
as `operations_reap` does for provisioning.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.db.replica import replica_reads
from apps.core.files import private_file_url
from apps.core.money import count_text
from apps.core.rls import task_send
from apps.gst.periods import ReturnPeriod
from apps.reports import tasks
from apps.reports.exceptions import ExportExpired, ExportNotOffered, ExportNotReady, ExportTakenOver
from apps.reports.kinds import ExportContext, ExportKind, ExportRefused, ExportResult, export_kind_get
from apps.reports.models import Export
from apps.tenants import rights
from apps.tenants.models import Tenant

if TYPE_CHECKING:
    from apps.accounts.models import User

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "exports"
GST_START = date(2017, 7, 1)  # GST replaced the old indirect taxes on 1 July 2017
# Progress reaches the row at most once per percent of the documents, or once every 2 seconds.
PROGRESS_SECONDS = 2.0
PROGRESS_STEPS = 100
# The temporary file stays in memory up to this size, then moves to disk.
SPOOL_BYTES = 1024 * 1024
# The reaper sends again a queued export waiting this long (its message was lost), and a running one
# whose progress has not moved for this long (its worker died); after MAX_ATTEMPTS builds it gives up.
QUEUED_GRACE = timedelta(minutes=2)
RUNNING_GRACE = timedelta(minutes=5)
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


def _storage():
    return Export._meta.get_field("file").storage


def _keep() -> timedelta:
    return timedelta(days=settings.EXPORT_KEEP_DAYS)


def _json_safe(options: dict[str, Any]) -> dict[str, Any]:
    """Options as the row will keep them (dates as text, tuples as lists), so two requests compare alike."""
    return json.loads(json.dumps(options, cls=DjangoJSONEncoder, sort_keys=True))


# --- asking ----------------------------------------------------------------------------------------


@transaction.atomic
def export_request(
    *,
    tenant: Tenant,
    actor: User,
    kind_code: str,
    period: ReturnPeriod,
    options: dict[str, Any] | None = None,
) -> Export:
    """Queue an export of `kind_code` for `period`, or return the identical one already on its way."""
    rights.right_require(tenant=tenant, actor=actor, right=rights.RETURNS_EXPORT)
    if not tenant.is_shop:
        raise ExportNotOffered("GST returns and registers are a shop's: this is a personal workspace.")
    kind = export_kind_get(kind_code)
    if kind is None:
        raise ValidationError({"kind": [f"{kind_code or 'An empty kind'} is not an export Tijori offers."]})
    if period.start > timezone.localdate():
        raise ValidationError(
            {"period": [f"{period.label} has not started yet: pick a period up to this month."]}
        )
    if period.end < GST_START:
        raise ValidationError({"period": ["GST began on 1 July 2017: pick a period from July 2017 on."]})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValidationError({"options": ["Options are a set of names and values."]})
    cleaned = _json_safe(kind.options_clean(tenant, period, dict(options)))
    # One request at a time per shop, so a double click cannot queue the same export twice.
    Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True).first()
    waiting = Export.objects.for_tenant(tenant).filter(
        kind=kind.code, period_start=period.start, period_end=period.end, status__in=Export.ACTIVE
    )
    for export in waiting:
        if export.options == cleaned:
            return export
    export = Export(
        tenant=tenant,
        kind=kind.code,
        period_start=period.start,
        period_end=period.end,
        period_code=period.code,
        options=cleaned,
        requested_by=actor,
    )
    export.full_clean(exclude=["tenant", "requested_by"], validate_unique=False)
    export.save(force_insert=True)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="export.request",
        summary=f"Asked for {kind.label}, {period.label}",
        target=export,
    )
    transaction.on_commit(lambda: task_send(tasks.export_build_task, export.pk, tenant_id=tenant.pk))
    return export


# --- building --------------------------------------------------------------------------------------


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
    storage = _storage()
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


# --- handing out -----------------------------------------------------------------------------------


@transaction.atomic
def export_download(*, tenant: Tenant, actor: User, export: Export) -> Export:
    """Check that the export's file may be handed to `actor` now, and record that it is."""
    assert export.tenant_id == tenant.id  # callers fetch through selectors; defensive only
    rights.right_require(tenant=tenant, actor=actor, right=rights.RETURNS_EXPORT)
    if export.is_expired:
        kept = settings.EXPORT_KEEP_DAYS
        raise ExportExpired(
            f"This file was removed {kept} days after it was made, as every export is. Its record stays; "
            "start the export again to get a new file."
        )
    if export.status != Export.Status.DONE:
        raise ExportNotReady(
            {
                Export.Status.QUEUED: "The file is not ready yet: it is waiting for a worker.",
                Export.Status.RUNNING: "The file is not ready yet: it is being built.",
                Export.Status.REFUSED: "There is no file: the export was refused. Fix what it lists and "
                "start it again.",
                Export.Status.FAILED: "There is no file: the export failed. Start it again.",
            }.get(export.status, "There is no file to download.")
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="export.download",
        target=export,
        summary=f"Downloaded {export.file_name} ({export.kind_label}, SHA-256 {export.sha256})",
    )
    return export


def export_link(*, export: Export, user: User) -> str:
    """A link to the file that expires in PRIVATE_FILE_URL_EXPIRY_SECONDS, for a user `export_download`
    let through: presigned in S3; on local disk, a signed link that checks the user's membership again."""
    return private_file_url(
        alias=STORAGE_ALIAS, name=export.file.name, user_id=user.pk, tenant_id=export.tenant_id,
        filename=export.file_name,
    )  # fmt: skip


def exports_on_local_disk() -> bool:
    return isinstance(_storage(), FileSystemStorage)


# --- housekeeping ----------------------------------------------------------------------------------

BATCH = 500


def exports_expired_remove(*, now=None) -> int:
    """Delete the files of exports past `expires_at` and mark them expired; the rows stay as the record.

    In S3 the bucket's lifecycle rule (7 days) removes them too, a backstop for a day this job misses.
    Returns how many files went. A file the store cannot delete now is left for the next run.
    """
    now = now or timezone.now()
    storage = _storage()
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
