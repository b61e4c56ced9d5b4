"""The contract's state machine, written once: which action may move a contract from which state, and
to where; how a contract's standing follows from its dates; how a transition is recorded.

Every service in this package moves a contract only through `transition_record` after `transition_target`,
so an action a state does not allow raises `ContractTransitionRefused` with a message a super admin (or
the payments code) can show as it is.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.billing.exceptions import ContractTransitionRefused
from apps.billing.models import Contract, ContractEvent

if TYPE_CHECKING:
    from apps.accounts.models import User

S = Contract.State
A = ContractEvent.Action

# Targets that depend on the contract rather than on the action alone.
BY_DATES = "by_dates"  # where the contract's dates put it today (see `standing_on`)
PREVIOUS = "previous"  # the state it held before it was suspended

_STANDING = (S.TRIALING, S.ACTIVE, S.GRACE, S.EXPIRED)  # every state but suspended

# (from state, action) → to state. A pair not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    # The daily job: a period over unpaid starts grace; grace over expires.
    (S.TRIALING, A.GRACE_STARTED): S.GRACE,
    (S.ACTIVE, A.GRACE_STARTED): S.GRACE,
    (S.GRACE, A.EXPIRED): S.EXPIRED,
    # A paid year makes any contract active; a suspended one stays suspended, its paid time added.
    **{(state, A.RENEWED): S.ACTIVE for state in _STANDING},
    (S.SUSPENDED, A.RENEWED): S.SUSPENDED,
    # Super admins.
    **{(state, A.EXTENDED): BY_DATES for state in _STANDING},
    **{(state, A.COMPED): S.ACTIVE for state in _STANDING},
    **{(state, A.SUSPENDED): S.SUSPENDED for state in _STANDING},
    (S.SUSPENDED, A.RESUMED): PREVIOUS,
    **{(state, A.PLAN_CHANGED): state for state in (*_STANDING, S.SUSPENDED)},
}

# What a refusal says, where a generic sentence would not help.
REFUSALS: dict[tuple[str, str], str] = {
    (S.SUSPENDED, A.EXTENDED): "The AMC is suspended: resume it before extending it.",
    (S.SUSPENDED, A.COMPED): "The AMC is suspended: resume it before giving a complimentary period.",
    (S.SUSPENDED, A.SUSPENDED): "The AMC is already suspended.",
}


# How a refusal names a state and an action: "An AMC that is on trial can't be resumed."
STATE_WORDS = {S.TRIALING: "on trial", S.ACTIVE: "active", S.GRACE: "in grace", S.EXPIRED: "expired",
               S.SUSPENDED: "suspended"}  # fmt: skip
ACTION_WORDS = {
    A.TRIAL_STARTED: "started on a trial", A.FREE_STARTED: "started on a free plan", A.RENEWED: "renewed",
    A.GRACE_STARTED: "moved into grace", A.EXPIRED: "expired", A.EXTENDED: "extended",
    A.COMPED: "given a complimentary period", A.SUSPENDED: "suspended", A.RESUMED: "resumed",
    A.PLAN_CHANGED: "moved to another plan",
}  # fmt: skip


def today_local() -> date:
    """Today in India, where the shops are: a period ends at the end of its last day there."""
    return timezone.localdate()


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 1 March in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def year_from(start: date) -> date:
    """The last day of a year that begins on `start`: a year paid on 1 April 2026 runs to 31 March 2027."""
    return add_years(start, 1) - timedelta(days=1)


def grace_end(contract: Contract) -> date | None:
    """The last day of grace: fixed when grace started, else the period's last day + the plan's grace days.

    Grace is counted from the due date (the day after the period's last day), whenever the job runs.
    """
    if contract.grace_until is not None:
        return contract.grace_until
    if contract.period_end is None:
        return None
    return contract.period_end + timedelta(days=contract.plan.grace_days)


def standing_on(contract: Contract, today: date) -> str:
    """Where the contract's dates put it today, suspension aside: within its period (trialing on a
    trial, else active), within grace, or expired. A free plan has no end: always active."""
    if contract.period_end is None:
        return S.ACTIVE
    if contract.period_end >= today:
        return S.TRIALING if contract.period_kind == Contract.PeriodKind.TRIAL else S.ACTIVE
    if contract.period_end + timedelta(days=contract.plan.grace_days) >= today:
        return S.GRACE
    return S.EXPIRED


def transition_target(contract: Contract, action: str) -> str:
    """The state `action` moves the contract to; refused (409) when its state does not allow it."""
    target = TRANSITIONS.get((contract.state, action))
    if target is None:
        message = REFUSALS.get((contract.state, action)) or (
            f"An AMC that is {STATE_WORDS[contract.state]} can't be {ACTION_WORDS[action]}."
        )
        raise ContractTransitionRefused(message, extra={"state": contract.state, "action": action})
    return target


def contract_locked(contract: Contract) -> Contract:
    """The contract's row, locked until the transaction ends, with its plan (the plan row is not locked)."""
    return (
        Contract.objects.for_tenant(contract.tenant)
        .select_for_update(of=("self",))
        .select_related("plan", "tenant")
        .get(pk=contract.pk)
    )


def super_admin_cause(actor: User) -> str:
    return f"super admin {actor.email}"


def transition_record(
    *,
    contract: Contract,
    action: str,
    from_state: str,
    caused_by: str,
    summary: str,
    audit_action: str,
    actor: User | None = None,
    reason: str = "",
    details: dict | None = None,
) -> ContractEvent:
    """Save the contract as changed and write its event and the audit event, in the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "a transition runs inside its service's transaction"
    # The database holds the contract's constraints; checking them here would cost a query each.
    contract.full_clean(exclude=["tenant", "plan"], validate_constraints=False)
    contract.save()
    event = ContractEvent(
        tenant=contract.tenant,
        contract=contract,
        action=action,
        from_state=from_state,
        to_state=contract.state,
        reason=reason.strip()[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
        caused_by=caused_by[:200],
        details={key: _plain(value) for key, value in (details or {}).items()},
    )
    event.full_clean(exclude=["tenant", "contract", "actor"])
    event.save(force_insert=True)
    audit_record(
        tenant=contract.tenant,
        actor=event.actor,
        action=audit_action,
        target=contract,
        summary=f"{summary} ({caused_by}){': ' + event.reason if event.reason else ''}",
    )
    return event


def _plain(value):
    """Dates and amounts as JSON keeps them: ISO dates, amounts as strings (never floats)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
