"""What a shop asked to export, and where the export stands: built by a worker, kept for a week."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from apps.core.models import TenantOwned
from apps.gst.periods import DateRange, ReturnPeriod
from apps.reports.kinds import export_kind_get


def exports_storage():
    return storages["exports"]


class Export(TenantOwned):
    """One export of one kind (GSTR-1 JSON, a register as CSV, e-invoices for the IRP) for one period.

    The row is the export's whole state: a page or an API client follows `status` and the progress
    counters while a worker on the `reports` queue writes the file; a refusal keeps the list of what to
    fix in `problems`. Files expire after `EXPORT_KEEP_DAYS`; the row stays as the record of who
    exported what, when, with how many documents and which checksum.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        REFUSED = "refused", "Refused: fix the documents listed"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    ACTIVE = (Status.QUEUED, Status.RUNNING)  # a worker has it, or will

    kind = models.CharField(max_length=40, help_text="A code of `apps.reports.kinds`.")
    period_start = models.DateField()
    period_end = models.DateField()
    period_code = models.CharField(max_length=12, help_text="2026-10, or 2026-27-Q3.")
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    document_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows or documents per section.")
    problems = models.JSONField(default=list, blank=True, help_text="What to fix before it can be exported.")
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(storage=exports_storage, max_length=200, blank=True, editable=False)
    file_name = models.CharField(max_length=120, blank=True, help_text="The name the download is saved as.")
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Builds started; a build finding a higher count has been taken over."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="export_tenant_time"),
            models.Index(fields=["tenant", "kind", "period_start"], name="export_tenant_kind_period"),
            models.Index(fields=["status", "expires_at"], name="export_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_code}"

    @property
    def is_finished(self) -> bool:
        return self.status not in self.ACTIVE

    @property
    def period(self) -> ReturnPeriod:
        start, end = self.period_start, self.period_end
        return ReturnPeriod(start, (end.year - start.year) * 12 + end.month - start.month + 1)

    @property
    def days(self) -> DateRange | None:
        """A register's own range of days (options `from`, `to`), when it is not the whole period it is
        filed under: what the list and the file name then show."""
        try:
            days = DateRange(date.fromisoformat(self.options["from"]), date.fromisoformat(self.options["to"]))
        except (KeyError, TypeError, ValueError):
            return None
        return None if (days.start, days.end) == (self.period_start, self.period_end) else days

    @property
    def period_label(self) -> str:
        days = self.days
        return days.label if days else self.period.label

    @property
    def covers_code(self) -> str:
        """The period's code (2026-10, 2026-27-Q3), or a range of days as 2026-10-05-to-2026-10-20."""
        if days := self.days:
            return f"{days.start.isoformat()}-to-{days.end.isoformat()}"
        return self.period_code

    @property
    def kind_label(self) -> str:
        kind = export_kind_get(self.kind)
        return kind.label if kind else self.kind

    @property
    def is_expired(self) -> bool:
        """Past its week: the file is gone, or is about to be removed by the daily job."""
        if self.status == self.Status.EXPIRED:
            return True
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and not self.is_expired

    @property
    def progress_percent(self) -> int | None:
        """How far the build is, 0-100, when the writer has said how many documents there are."""
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
