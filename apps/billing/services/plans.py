"""Plans, edited by super admins in admin: validated here, saved in a transaction, audited as platform
events (no tenant). A new price or number of days applies to each contract from its next renewal (the
price) or its next grace (the grace days); nothing already granted changes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.audit.services import audit_record
from apps.billing.models import Contract, Plan
from apps.core.money import inr

if TYPE_CHECKING:
    from apps.accounts.models import User


def plan_validate(
    *,
    plan: Plan | None,
    for_kind: str,
    yearly_price: Decimal,
    trial_days: int,
    is_default: bool,
    is_active: bool,
) -> None:
    """Refuse, by field, a plan that would leave new workspaces without a default or strand a contract.

    `plan` is the stored plan being changed (None for a new one).
    """
    errors: dict[str, list[str]] = {}
    if yearly_price is not None and yearly_price > 0 and (trial_days or 0) < 1:
        errors["trial_days"] = ["A paid plan needs a trial of at least one day: a new shop starts on it."]
    if is_default and not is_active:
        errors["is_active"] = ["The default plan must be offered: every new workspace starts on it."]
    if plan is not None and plan.pk is not None:
        stored = Plan.objects.get(pk=plan.pk)
        if stored.is_default and (not is_default or for_kind != stored.for_kind):
            errors["is_default"] = [
                "Every new workspace needs a default plan: make another plan of this kind the default instead."
            ]
        on_it = Contract.objects.filter(plan=stored).exists()
        if on_it and for_kind != stored.for_kind:
            errors["for_kind"] = ["Workspaces are on this plan: it stays a plan for their kind."]
        if on_it and yearly_price is not None and (yearly_price == 0) != stored.is_free:
            errors["yearly_price"] = [
                "Workspaces are on this plan: a free plan can't become paid, nor a paid one free. Add a new plan."
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_save(
    *,
    actor: User,
    plan: Plan | None,
    code: str,
    name: str,
    for_kind: str,
    yearly_price: Decimal,
    trial_days: int,
    grace_days: int,
    includes: str,
    is_default: bool,
    is_active: bool,
) -> Plan:
    """Add a plan (`plan` None) or change one. Made the default, it takes the default from the plan of
    its kind that had it, in the same transaction (the database allows one default per kind)."""
    list(Plan.objects.select_for_update().filter(for_kind=for_kind))  # one default switch at a time
    plan_validate(
        plan=plan, for_kind=for_kind, yearly_price=yearly_price, trial_days=trial_days,
        is_default=is_default, is_active=is_active,
    )  # fmt: skip
    stored = Plan.objects.get(pk=plan.pk) if plan is not None and plan.pk is not None else None
    target = stored or Plan()
    values = {
        "code": code, "name": name.strip(), "for_kind": for_kind, "yearly_price": yearly_price,
        "trial_days": trial_days, "grace_days": grace_days, "includes": includes.strip(),
        "is_default": is_default, "is_active": is_active,
    }  # fmt: skip
    changed = [field for field, value in values.items() if stored is None or getattr(stored, field) != value]
    for field, value in values.items():
        setattr(target, field, value)
    previous_default = None
    if is_default:  # first, so the database's one-default rule holds when this plan takes it
        previous_default = (
            Plan.objects.filter(for_kind=for_kind, is_default=True).exclude(pk=target.pk).first()
        )
        if previous_default is not None:
            Plan.objects.filter(pk=previous_default.pk).update(is_default=False)
    target.full_clean()  # rolled back with the default switch if it fails
    target.save()
    price = "free" if target.is_free else f"{inr(target.yearly_price)} a year"
    if stored is None:
        audit_record(
            tenant=None, actor=actor, action="plan.create", target=target,
            summary=f"AMC plan {target.name} added: {price}, {target.trial_days}-day trial, {target.grace_days} days of grace",
        )  # fmt: skip
    elif changed:
        audit_record(
            tenant=None, actor=actor, action="plan.update", target=target,
            summary=f"AMC plan {target.name} changed: {', '.join(f.replace('_', ' ') for f in changed)} ({price})",
        )  # fmt: skip
    if previous_default is not None:
        audit_record(
            tenant=None, actor=actor, action="plan.update", target=previous_default,
            summary=f"AMC plan {previous_default.name} is no longer the default: {target.name} is",
        )  # fmt: skip
    if plan is not None:
        plan.pk = target.pk
    return target
