"""Every change to a workspace's AMC contract: each in one transaction, on the contract's locked row,
allowed by the transition table (`transitions.TRANSITIONS`), recorded as a ContractEvent and audited.

The rules a shop relies on:
- A new shop starts its plan's trial (14 days on the default AMC plan); a personal workspace goes on the
  free plan, active, with no end.
- A period that ends unpaid starts *access* grace: the workspace keeps working for the plan's grace
  days, counted from the due date (the day after the period's last day), then expires.
- A paid renewal never costs the shop a day: paid before its access ended (on time, early, or in grace)
  the new year follows on from the current period's last day; paid after it expired, the year starts on
  the payment date. A renewal is never refused for the contract's state: paid time is never lost
  (a suspended contract gets its year and stays suspended).
- Super admins extend, give complimentary periods, suspend and resume, always with a reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from apps.billing.exceptions import ContractTransitionRefused, ContractUnderpaid, PlanChangeRefused
from apps.billing.models import Contract, ContractEvent, Plan
from apps.billing.services.transitions import (
    BY_DATES,
    PREVIOUS,
    add_months,
    contract_locked,
    grace_end,
    standing_on,
    super_admin_cause,
    today_local,
    transition_record,
    transition_target,
    year_from,
)
from apps.core.money import inr, rupees

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

S = Contract.State
A = ContractEvent.Action
LIFECYCLE_JOB = "daily lifecycle job"
EXTEND_DAYS_MAX = 366
COMP_MONTHS_MAX = 36


def _day(value: date | None) -> str:
    return "no end" if value is None else value.strftime("%d %b %Y")


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ["Say why: the shop's history and the audit trail keep the reason."]}
        )
    return reason


def _refuse_free(contract: Contract, action: str) -> None:
    if contract.period_kind == Contract.PeriodKind.FREE:
        raise ContractTransitionRefused(
            f"{contract.plan.name} is a free plan with no end: there is no period to {action}.",
            extra={"state": contract.state, "action": action},
        )


def _settle(contract: Contract, today: date) -> str:
    """Put the contract where its dates say (after its period changed), fixing grace's last day."""
    standing = standing_on(contract, today)
    contract.grace_until = (
        contract.period_end + timedelta(days=contract.plan.grace_days)
        if standing in (S.GRACE, S.EXPIRED)
        else None
    )
    return standing


def plan_default(*, kind: str) -> Plan:
    """The plan a new workspace of `kind` starts on (one per kind, enforced by the database)."""
    plan = Plan.objects.filter(for_kind=kind, is_default=True).first()
    if plan is None:
        raise ImproperlyConfigured(
            f"No default plan for {kind} workspaces: make one plan the default in admin "
            "(migration billing.0002 seeds them)."
        )
    return plan


@transaction.atomic
def contract_start_trial(
    *,
    tenant: Tenant,
    plan: Plan | None = None,
    actor: User | None = None,
    caused_by: str = "",
    today: date | None = None,
) -> Contract:
    """Give a new workspace its contract: a shop starts the plan's trial today (the default shop plan's
    unless `plan` is given); on a free plan (personal workspaces) it is active with no end.

    Once per tenant: called by `tenant_create`, and by `contracts_backfill` for tenants made before
    billing existed (a second contract for a tenant breaks the database's unique constraint).
    """
    today = today or today_local()
    plan = plan or plan_default(kind=tenant.kind)
    if plan.for_kind != tenant.kind:
        raise PlanChangeRefused(f"{plan.name} is a plan for {plan.get_for_kind_display().lower()}s.")
    caused_by = caused_by or f"{tenant.get_kind_display().lower()} created"
    if plan.is_free:
        contract = Contract(
            tenant=tenant,
            plan=plan,
            state=S.ACTIVE,
            period_kind=Contract.PeriodKind.FREE,
            period_start=today,
            period_end=None,
        )
        action, audit_summary = A.FREE_STARTED, f"On the free plan {plan.name}"
        audit_action = "contract.free_start"
    else:
        contract = Contract(
            tenant=tenant,
            plan=plan,
            state=S.TRIALING,
            period_kind=Contract.PeriodKind.TRIAL,
            period_start=today,
            period_end=today + timedelta(days=plan.trial_days - 1),
        )
        action = A.TRIAL_STARTED
        audit_summary = f"Trial of {plan.name} started: until {_day(contract.period_end)}"
        audit_action = "contract.trial_start"
    transition_record(
        contract=contract,
        action=action,
        from_state="",
        caused_by=caused_by,
        summary=audit_summary,
        audit_action=audit_action,
        actor=actor,
        details={"plan": plan.code, "period_start": today, "period_end": contract.period_end},
    )
    return contract


def _amount(amount: Decimal | int | str) -> Decimal:
    try:
        value = rupees(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            {"amount": ["Enter the amount paid in rupees, like 10000 or 11,800.00."]}
        ) from None
    if value <= 0:
        raise ValidationError({"amount": ["The amount paid must be more than zero."]})
    return value


@transaction.atomic
def contract_renew(
    *,
    contract: Contract,
    paid_on: date,
    amount: Decimal | int | str,
    caused_by: str,
    actor: User | None = None,
    today: date | None = None,
) -> Contract:
    """Record a paid year of the contract's plan: the payments code calls this once per payment.

    Paid on or before the last day of access (the period's last day, or grace's) the new year follows
    on from the current period's last day, so paying early or in grace loses no day; paid after it
    expired, the year starts on `paid_on`. `amount` is what was paid (GST included, if any) and must
    cover a year at the plan's price before GST; the plan's price becomes the contract's price.
    `caused_by` names the payment ("payment pay_…"). Two renewals at once add two years: the second
    waits for the first's lock and follows on from its new end.
    """
    today = today or today_local()
    if not (caused_by or "").strip():
        raise ValueError("contract_renew needs caused_by: the payment that renews it")
    if paid_on > today:
        raise ValidationError({"paid_on": ["A payment can't be dated after today."]})
    amount = _amount(amount)
    contract = contract_locked(contract)
    target = transition_target(contract, A.RENEWED)
    _refuse_free(contract, "renew")
    price = contract.plan.yearly_price
    if amount < price:
        raise ContractUnderpaid(
            f"{inr(amount)} was paid, but a year of {contract.plan.name} costs {inr(price)} before GST.",
            extra={"amount": str(amount), "price": str(price)},
        )
    from_state, old_end, access_until = contract.state, contract.period_end, grace_end(contract)
    start = old_end + timedelta(days=1) if paid_on <= access_until else paid_on
    contract.period_kind = Contract.PeriodKind.PAID
    contract.period_start, contract.period_end = start, year_from(start)
    contract.period_price = price
    standing = _settle(contract, today)
    if target == S.SUSPENDED:  # the year is the shop's; the hold stays until a super admin resumes it
        contract.suspended_from_state = standing
    else:
        contract.state = standing
    transition_record(
        contract=contract,
        action=A.RENEWED,
        from_state=from_state,
        caused_by=caused_by.strip(),
        actor=actor,
        summary=f"AMC renewed: {inr(amount)} paid on {_day(paid_on)}, paid until {_day(contract.period_end)}",
        audit_action="contract.renew",
        details={
            "paid_on": paid_on,
            "amount": amount,
            "price": price,
            "period_start": start,
            "period_end": [old_end, contract.period_end],
            "year_starts": "after the period" if paid_on <= access_until else "on the payment date",
        },
    )
    return contract


@transaction.atomic
def contract_extend(
    *, contract: Contract, days: int, reason: str, actor: User, today: date | None = None
) -> Contract:
    """Add `days` to the current period (a trial stays a trial). A lapsed contract goes where its new
    dates put it: back within its period, or still in grace with a later last day of grace."""
    today = today or today_local()
    reason = _reason_required(reason)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= EXTEND_DAYS_MAX:
        raise ValidationError(
            {"days": [f"Extend by 1 to {EXTEND_DAYS_MAX} days; for longer, give a complimentary period."]}
        )
    contract = contract_locked(contract)
    target = transition_target(contract, A.EXTENDED)
    _refuse_free(contract, "extend")
    from_state, old_end = contract.state, contract.period_end
    contract.period_end = old_end + timedelta(days=days)
    standing = _settle(contract, today)
    contract.state = standing if target == BY_DATES else target
    transition_record(
        contract=contract,
        action=A.EXTENDED,
        from_state=from_state,
        caused_by=super_admin_cause(actor),
        actor=actor,
        reason=reason,
        audit_action="contract.extend",
        summary=f"AMC extended by {days} day{'s' if days != 1 else ''}: until {_day(contract.period_end)}",
        details={
            "days": days,
            "period_end": [old_end, contract.period_end],
            "grace_until": contract.grace_until,
        },
    )
    return contract


@transaction.atomic
def contract_comp(
    *,
    contract: Contract,
    reason: str,
    actor: User,
    until: date | None = None,
    months: int | None = None,
    today: date | None = None,
) -> Contract:
    """Give a complimentary period (price ₹0) ending on `until`, or lasting `months`: the contract is
    active. Like a renewal it follows on from the current period while the shop still has access, and
    starts today once it has expired; it never shortens time already granted."""
    today = today or today_local()
    reason = _reason_required(reason)
    if (until is None) == (months is None):
        raise ValidationError({"until": ["Give either the last complimentary day or a number of months."]})
    if months is not None and (isinstance(months, bool) or not 1 <= months <= COMP_MONTHS_MAX):
        raise ValidationError({"months": [f"Give 1 to {COMP_MONTHS_MAX} months."]})
    contract = contract_locked(contract)
    target = transition_target(contract, A.COMPED)
    _refuse_free(contract, "give free")
    from_state, old_end = contract.state, contract.period_end
    start = old_end + timedelta(days=1) if today <= grace_end(contract) else today
    if months is not None:
        until = add_months(start, months) - timedelta(days=1)
    if until < start or until < today:
        raise ValidationError(
            {
                "until": [
                    f"The complimentary period must end on or after {_day(max(start, today))}: it follows the current one."
                ]
            }
        )
    if until >= add_months(start, COMP_MONTHS_MAX):
        raise ValidationError({"until": [f"A complimentary period lasts at most {COMP_MONTHS_MAX} months."]})
    contract.period_kind = Contract.PeriodKind.COMP
    contract.period_start, contract.period_end = start, until
    contract.period_price = Decimal("0.00")
    contract.grace_until = None
    contract.state = target
    transition_record(
        contract=contract,
        action=A.COMPED,
        from_state=from_state,
        caused_by=super_admin_cause(actor),
        actor=actor,
        reason=reason,
        audit_action="contract.comp",
        summary=f"Complimentary AMC from {_day(start)} until {_day(until)}",
        details={"period_start": start, "period_end": [old_end, until]},
    )
    return contract


@transaction.atomic
def contract_suspend(*, contract: Contract, reason: str, actor: User) -> Contract:
    """Hold the contract whatever its dates say; resuming returns it to the state it holds now."""
    reason = _reason_required(reason)
    contract = contract_locked(contract)
    target = transition_target(contract, A.SUSPENDED)
    from_state = contract.state
    contract.suspended_from_state, contract.state = from_state, target
    transition_record(
        contract=contract,
        action=A.SUSPENDED,
        from_state=from_state,
        caused_by=super_admin_cause(actor),
        actor=actor,
        reason=reason,
        audit_action="contract.suspend",
        summary="AMC suspended",
    )
    return contract


@transaction.atomic
def contract_resume(*, contract: Contract, reason: str, actor: User, today: date | None = None) -> Contract:
    """Lift a suspension: the contract returns to the state it held, then the daily job's rules apply at
    once (a period that ended while it was suspended starts grace, counted from its due date)."""
    today = today or today_local()
    reason = _reason_required(reason)
    contract = contract_locked(contract)
    target = transition_target(contract, A.RESUMED)
    assert target == PREVIOUS
    contract.state, contract.suspended_from_state = contract.suspended_from_state, ""
    transition_record(
        contract=contract,
        action=A.RESUMED,
        from_state=S.SUSPENDED,
        caused_by=super_admin_cause(actor),
        actor=actor,
        reason=reason,
        audit_action="contract.resume",
        summary=f"AMC resumed: {contract.get_state_display().lower()}",
    )
    contract_advance_by_dates(contract=contract, today=today, caused_by=f"{LIFECYCLE_JOB} rules, on resume")
    return contract


@transaction.atomic
def contract_plan_change(*, contract: Contract, plan: Plan, reason: str, actor: User) -> Contract:
    """Move the contract to another plan of its workspace's kind. The current period and its price stay
    as they are (so does a grace already started); the next renewal pays the new plan's price."""
    reason = _reason_required(reason)
    contract = contract_locked(contract)
    target = transition_target(contract, A.PLAN_CHANGED)
    from_state, old = contract.state, contract.plan
    if plan.pk == old.pk:
        raise PlanChangeRefused(f"The AMC is already on {plan.name}.")
    if plan.for_kind != contract.tenant.kind:
        raise PlanChangeRefused(f"{plan.name} is a plan for {plan.get_for_kind_display().lower()}s.")
    if not plan.is_active:
        raise PlanChangeRefused(f"{plan.name} is no longer offered.")
    if plan.is_free != old.is_free:
        raise PlanChangeRefused(
            "Moving between a free plan and a paid one is not possible: a free plan has no period."
        )
    contract.plan, contract.state = plan, target
    transition_record(
        contract=contract,
        action=A.PLAN_CHANGED,
        from_state=from_state,
        caused_by=super_admin_cause(actor),
        actor=actor,
        reason=reason,
        audit_action="contract.plan_change",
        summary=f"AMC plan changed from {old.name} to {plan.name}",
        details={"plan": [old.code, plan.code], "yearly_price": [old.yearly_price, plan.yearly_price]},
    )
    return contract


def contract_advance_by_dates(*, contract: Contract, today: date, caused_by: str) -> list[ContractEvent]:
    """The daily job's rules for one locked contract: a period over unpaid starts grace, with its last
    day fixed from the due date (however late the job runs); grace over expires. Writes nothing when
    nothing is due, so running it twice on one day changes nothing."""
    assert transaction.get_connection().in_atomic_block, "called with the contract's row locked"
    events = []
    if (
        contract.state in (S.TRIALING, S.ACTIVE)
        and contract.period_end is not None
        and contract.period_end < today
    ):
        from_state = contract.state
        contract.state = transition_target(contract, A.GRACE_STARTED)
        contract.grace_until = contract.period_end + timedelta(days=contract.plan.grace_days)
        events.append(
            transition_record(
                contract=contract,
                action=A.GRACE_STARTED,
                from_state=from_state,
                caused_by=caused_by,
                audit_action="contract.grace",
                summary=(
                    f"{'Trial' if contract.period_kind == Contract.PeriodKind.TRIAL else 'AMC period'} ended "
                    f"{_day(contract.period_end)} unpaid: grace until {_day(contract.grace_until)}"
                ),
                details={"period_end": contract.period_end, "grace_until": contract.grace_until},
            )
        )
    if contract.state == S.GRACE and contract.grace_until < today:
        contract.state = transition_target(contract, A.EXPIRED)
        events.append(
            transition_record(
                contract=contract,
                action=A.EXPIRED,
                from_state=S.GRACE,
                caused_by=caused_by,
                audit_action="contract.expire",
                summary=f"AMC expired: grace ended {_day(contract.grace_until)}",
                details={"period_end": contract.period_end, "grace_until": contract.grace_until},
            )
        )
    return events
