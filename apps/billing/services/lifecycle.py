"""Platform-wide AMC work for beat and commands: the daily lifecycle job, and contracts for tenants
made before billing existed. Both see every tenant, so they run bypassing row-level security (the beat
task is, as every beat job; the management command enters `rls_bypass()` itself)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q, QuerySet

from apps.billing.models import Contract
from apps.billing.services.contracts import LIFECYCLE_JOB, contract_advance_by_dates, contract_start_trial
from apps.billing.services.transitions import today_local
from apps.core.exceptions import ApplicationError
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

S = Contract.State


@dataclass
class LifecycleRun:
    """What one run of the daily job did."""

    day: date
    grace_started: int = 0
    expired: int = 0
    failed: list[int] = field(default_factory=list)  # tenant ids whose contract could not be moved

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(), "grace_started": self.grace_started,
            "expired": self.expired, "failed": self.failed,
        }  # fmt: skip


def contracts_due(*, today: date) -> QuerySet[Contract]:
    """Contracts the job has work for: period over (trialing or active), or grace over."""
    return Contract.objects.filter(
        Q(state__in=[S.TRIALING, S.ACTIVE], period_end__lt=today) | Q(state=S.GRACE, grace_until__lt=today)
    )


def contracts_lifecycle_advance(*, today: date | None = None) -> LifecycleRun:
    """The daily job: move each contract whose period ended unpaid into grace, and each whose grace
    ended to expired. Safe to run twice, or twice at once: each contract is moved in its own
    transaction under its row lock and checked again there, so a second run finds nothing left to do
    and writes no second event. One contract that fails is logged and skipped; the others go on.
    """
    today = today or today_local()
    run = LifecycleRun(day=today)
    due = list(contracts_due(today=today).order_by("pk").values_list("pk", "tenant_id"))
    for contract_id, tenant_id in due:
        try:
            with transaction.atomic():
                contract = (
                    Contract.objects.select_for_update(of=("self",))
                    .select_related("plan", "tenant")
                    .get(pk=contract_id)
                )
                events = contract_advance_by_dates(contract=contract, today=today, caused_by=LIFECYCLE_JOB)
        except (DatabaseError, ApplicationError, ValidationError):
            logger.exception("AMC lifecycle: the contract of tenant %s could not be moved", tenant_id)
            run.failed.append(tenant_id)
            continue
        for event in events:
            if event.to_state == S.GRACE:
                run.grace_started += 1
            elif event.to_state == S.EXPIRED:
                run.expired += 1
    return run


def contracts_backfill(*, caused_by: str, today: date | None = None) -> int:
    """Give every tenant without a contract its start: a shop the default plan's trial from today, a
    personal workspace the free plan. For tenants made before billing existed; returns how many."""
    made = 0
    missing = Tenant.objects.exclude(pk__in=Contract.objects.values("tenant_id")).order_by("pk")
    for tenant in missing:
        try:
            contract_start_trial(tenant=tenant, caused_by=caused_by, today=today)
        except IntegrityError:  # another run gave it one meanwhile
            continue
        made += 1
    return made
