"""The e-mails that remind a shop its AMC period is ending, or that its grace is over: one row each."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.billing.models.contracts import Contract
from apps.core.models import TenantOwned

REMINDER_ATTEMPTS_MAX = 4


class Reminder(TenantOwned):
    """One reminder about one period of a contract: which, for which period's end, to whom, and whether
    it went out. The shop's e-mail log, read by super admins.

    The row is the reminder's idempotency key: the database holds one row per contract, kind and
    period end (a renewed period has another end, so it gets a fresh set), and a reminder is sent only
    from a `pending` row under its row lock, which is marked `sent` in the same transaction
    (`apps.billing.services.reminders`). `recipients` and `subject` are what was sent, fixed at
    sending: the shop's owners then. A send that fails counts an attempt and the row stays pending, to
    be tried again; after `REMINDER_ATTEMPTS_MAX` attempts, or when it is no longer due by its turn (the
    period renewed or changed, the contract suspended, a later reminder due), it is `failed` with the reason.
    """

    class Kind(models.TextChoices):
        BEFORE_30 = "before_30", "30 days before the end"
        BEFORE_7 = "before_7", "7 days before the end"
        BEFORE_1 = "before_1", "The day before the end"
        ENDS_TODAY = "ends_today", "On the last day"
        GRACE_OVER = "grace_over", "Grace over: read-only"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    period_end = models.DateField(help_text="The last day of the period the reminder is about.")
    due_on = models.DateField(
        help_text="The day the reminder was due (it may go out later, if the job was late)."
    )
    recipients = models.JSONField(default=list, blank=True, help_text="The shop's owners, when it was sent.")
    subject = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times sending was tried.")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="Why the latest attempt failed.")

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "contract", "kind", "period_end"], name="reminder_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False)
                | (~Q(state="sent") & Q(sent_at__isnull=True)),
                name="reminder_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-due_on", "-id"], name="reminder_tenant_due"),
            # Rows left pending by a failed attempt: what the next run tries again.
            models.Index(fields=["state", "due_on"], name="reminder_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.period_end:%d %b %Y} ({self.get_state_display().lower()})"
