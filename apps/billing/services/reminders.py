"""AMC reminders by e-mail: 30, 7 and 1 days before a period (trial, paid or complimentary) ends, on
its last day, and the day its grace is over, when the shop becomes read-only. To the shop's owners.

Which reminder is due follows from the contract's dates and the day (`reminder_current`): the latest
kind whose day has come. A job that missed days catches up with that one only, never a stale one; a
kind whose day fell before the period began is not sent (a 14-day trial has no 30-day reminder); a
renewed or extended period has another end, so it gets a fresh set; "grace over" goes only to a shop
whose contract expired (one that renewed has a new period), and only within
`GRACE_OVER_CATCH_UP_DAYS` of that day. Free plans and suspended contracts get none.

The daily beat job (`reminders_send`, platform-wide: beat jobs run bypassing row-level security)
sends each reminder once, however often it runs and whoever runs it at the same time:
- the reminder's row (contract, kind, period end) is unique in the database: two runs create it once
  (the second's insert waits for the first's, then finds its row);
- a row is sent only while `pending`, in its own transaction holding its row lock (a second run skips
  a locked row: `SELECT … FOR UPDATE SKIP LOCKED`), and is marked `sent` in that same transaction.

That is at-least-once delivery, not exactly-once: the mail is handed to the SMTP server before the
transaction commits. A worker that dies between the hand-off and the commit leaves the row pending,
and the redelivered job sends that one mail again. A death anywhere else sends nothing twice: before
the hand-off nothing went out, after the commit the row says `sent`.

A send that fails (the mail server refused or did not answer) counts an attempt and leaves the row
pending; the task tries again a little later, and after `REMINDER_ATTEMPTS_MAX` attempts the row is
`failed` with the error. A pending row that is no longer due when its turn comes (renewed, suspended,
or a later reminder due by then) is `failed` with that reason, never sent late.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from apps.billing import selectors
from apps.billing.models import GRACE_DAYS_MAX, REMINDER_ATTEMPTS_MAX, Contract, Reminder
from apps.billing.services.transitions import grace_end, today_local
from apps.core.money import inr
from apps.core.pages import site_link
from apps.tenants.models import Role
from apps.tenants.selectors import membership_list

logger = logging.getLogger(__name__)

K = Reminder.Kind
S = Contract.State

# Days from the period's last day to each reminder before grace, in the order they come.
OFFSETS = {K.BEFORE_30: -30, K.BEFORE_7: -7, K.BEFORE_1: -1, K.ENDS_TODAY: 0}
GRACE_OVER_CATCH_UP_DAYS = 30  # a shop that lapsed long before a run is not told again, months later
_LOOK_AHEAD = -min(OFFSETS.values())
_LOOK_BACK = GRACE_DAYS_MAX + 1 + GRACE_OVER_CATCH_UP_DAYS

PERIOD_WORDS = {
    Contract.PeriodKind.TRIAL: "trial",
    Contract.PeriodKind.PAID: "AMC",
    Contract.PeriodKind.COMP: "complimentary AMC",
}


@dataclass(frozen=True)
class DueReminder:
    """The reminder a contract is due today: its kind and the day it was due."""

    contract: Contract
    kind: str
    due_on: date


@dataclass
class ReminderRun:
    """What one run of the job did. `retrying`: reminders whose send failed and are left to try again."""

    day: date
    created: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(), "created": self.created, "sent": self.sent,
            "retrying": self.retrying, "failed": self.failed,
        }  # fmt: skip


def reminder_schedule(contract: Contract) -> list[tuple[str, date]]:
    """Each reminder of the contract's current period and the day it is due, in order."""
    end = contract.period_end
    days = [(kind, end + timedelta(days=offset)) for kind, offset in OFFSETS.items()]
    return [*days, (K.GRACE_OVER, grace_end(contract) + timedelta(days=1))]


def reminder_current(*, contract: Contract, today: date) -> DueReminder | None:
    """The reminder `contract` (with its plan) is due on `today`, or None (see the module's rules)."""
    if contract.period_end is None or contract.state == S.SUSPENDED:
        return None
    come = [(kind, day) for kind, day in reminder_schedule(contract) if day <= today]
    if not come:
        return None
    kind, due_on = come[-1]
    if due_on < contract.period_start:
        return None
    if kind == K.GRACE_OVER:
        if contract.state != S.EXPIRED or today >= due_on + timedelta(days=GRACE_OVER_CATCH_UP_DAYS):
            return None
    elif contract.state not in (S.TRIALING, S.ACTIVE, S.GRACE):
        return None
    return DueReminder(contract=contract, kind=kind, due_on=due_on)


def reminders_due(*, today: date) -> list[DueReminder]:
    """Every active workspace's reminder due today, across tenants (run bypassing row-level security).

    One query: contracts with a period (not free), not suspended, whose period ends within the
    reminders' reach of today; `reminder_current` decides for each.
    """
    contracts = (
        Contract.objects.filter(
            period_end__range=(today - timedelta(days=_LOOK_BACK), today + timedelta(days=_LOOK_AHEAD)),
            tenant__is_active=True,
        )
        .exclude(state=S.SUSPENDED)
        .exclude(period_kind=Contract.PeriodKind.FREE)
        .select_related("plan", "tenant")
        .order_by("period_end", "pk")
    )
    due = (reminder_current(contract=contract, today=today) for contract in contracts)
    return [reminder for reminder in due if reminder is not None]


def reminder_record(*, due: DueReminder) -> tuple[Reminder, bool]:
    """The due reminder's row, made pending if missing; True when this call made it.

    Race-safe: the database's unique key lets one insert win; a second run's insert waits for it and
    then reads the winner's row (Django's get_or_create catches the IntegrityError in a savepoint).
    """
    contract = due.contract
    return Reminder.objects.get_or_create(
        tenant_id=contract.tenant_id,
        contract=contract,
        kind=due.kind,
        period_end=contract.period_end,
        defaults={"due_on": due.due_on},
    )


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _superseded(reminder: Reminder, today: date) -> str:
    """Why a pending reminder is no longer to be sent today; "" while it is."""
    contract = reminder.contract
    if contract.period_end != reminder.period_end:
        return "Not sent: the period's end changed (renewed or extended) before it went out."
    if contract.state == S.SUSPENDED:
        return "Not sent: the AMC was suspended before it went out."
    current = reminder_current(contract=contract, today=today)
    if current is None or current.kind != reminder.kind:
        return "Not sent: it was no longer due when its turn came (a later reminder was due, or none)."
    return ""


def reminder_message(*, reminder: Reminder, recipients: list[str], today: date) -> EmailMessage:
    """The reminder's e-mail: the shop, when its period ends or ended, what happens next, the amount due
    and a link to the Billing page. Plain text, like the platform's other mail."""
    contract, tenant = reminder.contract, reminder.tenant
    end = contract.period_end
    last_day_of_grace = grace_end(contract)
    word = PERIOD_WORDS.get(contract.period_kind, "AMC")
    shop = tenant.name
    if reminder.kind == K.GRACE_OVER:
        subject = f"{shop} is read-only now: renew the Tijori AMC to make changes"
    elif reminder.kind == K.ENDS_TODAY and today > end:
        subject = f"The Tijori {word} of {shop} ended on {_day(end)}: access until {_day(last_day_of_grace)}"
    elif reminder.kind == K.ENDS_TODAY:
        subject = f"The Tijori {word} of {shop} ends today, {_day(end)}"
    elif reminder.kind == K.BEFORE_1:
        subject = f"The Tijori {word} of {shop} ends tomorrow, {_day(end)}"
    else:
        subject = f"The Tijori {word} of {shop} ends on {_day(end)}"
    context = {
        "kind": reminder.kind,
        "shop": shop,
        "word": word,
        "plan": contract.plan.name,
        "end": _day(end),
        "days_to_end": (end - today).days,
        "ended": today > end,
        "grace_days": (last_day_of_grace - end).days,
        "last_day_of_grace": _day(last_day_of_grace),
        "read_only_from": _day(last_day_of_grace + timedelta(days=1)),
        "amount": inr(selectors.contract_amount_due(contract=contract)),
        "link": site_link("billing:contract"),
    }
    body = render_to_string("billing/email/reminder.txt", context)
    return EmailMessage(subject=subject[:200], body=body, to=recipients)


def _owner_emails(reminder: Reminder) -> list[str]:
    owners = membership_list(tenant=reminder.tenant, role=Role.OWNER).filter(user__is_active=True)
    return sorted({email for email in owners.values_list("user__email", flat=True) if email})


def reminder_deliver(*, reminder_id: int, today: date) -> str:
    """Send one pending reminder, once: in one transaction holding its row lock, the mail handed over
    and the row marked `sent`. Returns the row's state after ("" when there was nothing to do: it is
    sent or failed already, or another run holds it).

    A reminder no longer due is marked failed with the reason, unsent. A send that fails counts an
    attempt and stays pending, until the last allowed attempt marks it failed.
    """
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("contract__plan", "tenant")
            .filter(pk=reminder_id, state=Reminder.State.PENDING)
            .first()
        )
        if reminder is None:
            return ""
        reason = _superseded(reminder, today)
        recipients = [] if reason else _owner_emails(reminder)
        if not reason and not recipients:
            reason = "Not sent: the workspace has no active owner to send it to."
        if reason:
            reminder.state, reminder.error = Reminder.State.FAILED, reason
            reminder.save(update_fields=["state", "error", "updated_at"])
            return reminder.state
        message = reminder_message(reminder=reminder, recipients=recipients, today=today)
        reminder.attempts += 1
        reminder.recipients, reminder.subject = recipients, message.subject
        try:
            message.send()
        except OSError as exc:  # smtplib's errors are OSErrors, as are refused and timed-out connections
            logger.warning("AMC reminder %s to tenant %s not sent: %s", reminder.pk, reminder.tenant_id, exc)
            reminder.error = f"{type(exc).__name__}: {exc}"[:500]
            if reminder.attempts >= REMINDER_ATTEMPTS_MAX:
                reminder.state = Reminder.State.FAILED
        else:
            reminder.state, reminder.sent_at, reminder.error = Reminder.State.SENT, timezone.now(), ""
        reminder.save(
            update_fields=["state", "attempts", "recipients", "subject", "sent_at", "error", "updated_at"]
        )
        return reminder.state


def reminders_send(*, today: date | None = None) -> ReminderRun:
    """The daily job: record each reminder due today, then send every pending one, each on its own.

    Not one transaction: every row is created, and later sent, in a transaction of its own, so a run
    that dies part-way keeps what it did, and the next run (or the redelivered task) goes on from there.
    """
    today = today or today_local()
    run = ReminderRun(day=today)
    for due in reminders_due(today=today):
        _, created = reminder_record(due=due)
        run.created += created
    pending = Reminder.objects.filter(state=Reminder.State.PENDING).order_by("due_on", "pk")
    for reminder_id in list(pending.values_list("pk", flat=True)):
        state = reminder_deliver(reminder_id=reminder_id, today=today)
        if state == Reminder.State.SENT:
            run.sent += 1
        elif state == Reminder.State.PENDING:
            run.retrying += 1
        elif state == Reminder.State.FAILED:
            run.failed += 1
    return run
