"""What the revenue figures read, across every shop, in a fixed number of queries whatever their number.

Each load is one query returning plain tuples (no model instances), so the cost per shop is a few rows
decoded, never a query: the plans, the shops' signup times, the events the replay reads, the credit
notes (the refunds, and which renewal each reverses), the year's payments, and the contracts standing
in grace or expired now. Platform-wide: run where row-level security is bypassed (Django admin's
requests are).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.billing.models import BillingPayment, Contract, ContractEvent, Plan, PlatformInvoice
from apps.billing.revenue.timeline import REPLAYED, Event
from apps.tenants.models import Tenant

LAPSED_SHOWN = 20  # contracts listed in each of "in grace" and "expired"; the counts cover them all


@dataclass(frozen=True)
class PlanRow:
    code: str
    name: str
    grace_days: int
    yearly_price: Decimal


def month_span(month: date) -> tuple[datetime, datetime]:
    """The month as aware instants in India: [its first midnight, the next month's)."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(month, time.min), zone),
        timezone.make_aware(datetime.combine(following, time.min), zone),
    )


def _signed_up_in(month: date | None, prefix: str = "") -> Q:
    if month is None:
        return Q()
    start, end = month_span(month)
    return Q(**{f"{prefix}created_at__gte": start, f"{prefix}created_at__lt": end})


def plans_load() -> list[PlanRow]:
    """The shops' plans, in the order admin lists them."""
    rows = (
        Plan.objects.filter(for_kind=Tenant.Kind.SHOP)
        .order_by("yearly_price", "name")
        .values_list("code", "name", "grace_days", "yearly_price")
    )
    return [PlanRow(*row) for row in rows]


def shops_load(*, cohort: date | None) -> dict[int, date]:
    """Each shop's id and its signup month (the first day of the month it was made in, India time)."""
    rows = (
        Tenant.objects.filter(_signed_up_in(cohort), kind=Tenant.Kind.SHOP)
        .order_by()
        .values_list("pk", "created_at")
    )
    return {pk: timezone.localtime(created).date().replace(day=1) for pk, created in rows}


def _latest(key: str):
    """A detail kept as [before, after] when it changed, or as itself when set once: its latest value."""
    return Coalesce(KT(f"details__{key}__1"), KT(f"details__{key}"))


def events_load(*, cohort: date | None) -> Iterator[tuple[int, list[Event]]]:
    """The events the replay reads, by shop: (tenant id, its events in the order they were written).

    The database picks the few details the replay reads out of each event's JSON, as text: decoding
    every event's whole `details` in Python would cost more than all the rest of the figures."""
    rows = (
        ContractEvent.objects.filter(_signed_up_in(cohort, "tenant__"), action__in=REPLAYED)
        .filter(tenant__kind=Tenant.Kind.SHOP)
        .order_by("tenant_id", "created_at", "id")
        .values_list(
            "tenant_id", "id", "action", KT("details__period_start"), _latest("period_end"), _latest("plan"),
            KT("details__price"),
        )
    )  # fmt: skip
    for tenant_id, events in groupby(rows, key=itemgetter(0)):
        yield tenant_id, [event[1:] for event in events]


def refunds_load() -> list[tuple[int, int | None, date, Decimal]]:
    """Every credit note reversing a payment's invoice: (tenant id, the renewal it paid for, day, total)."""
    return list(
        PlatformInvoice.objects.filter(doc_type=PlatformInvoice.Kind.CREDIT_NOTE)
        .order_by()
        .values_list("tenant_id", "payment__renewal_id", "issued_on", "total")
    )


def payments_load(*, since: date) -> list[tuple[int, int | None, date, Decimal]]:
    """Payments received from `since` on: (tenant id, the renewal it paid for, day paid, amount)."""
    return list(
        BillingPayment.objects.filter(paid_on__gte=since).values_list(
            "tenant_id", "renewal_id", "paid_on", "amount"
        )
    )


@dataclass(frozen=True)
class Standing:
    """Contracts as they stand now: counts, and the first of those in grace and expired, with their shop."""

    trialing: int
    in_grace: int
    expired: int
    grace_list: list[Contract]
    expired_list: list[Contract]


def contracts_standing(*, plan: str | None, cohort: date | None) -> Standing:
    """Shops' contracts trialing, in grace and expired now (on `plan` now, signed up in `cohort`); in
    grace listed by the day grace ends (soonest first), expired by the day grace ended (latest first)."""
    S = Contract.State
    contracts = Contract.objects.filter(_signed_up_in(cohort, "tenant__"), tenant__kind=Tenant.Kind.SHOP)
    if plan is not None:
        contracts = contracts.filter(plan__code=plan)
    counts = contracts.aggregate(
        trialing=Count("pk", filter=Q(state=S.TRIALING)),
        in_grace=Count("pk", filter=Q(state=S.GRACE)),
        expired=Count("pk", filter=Q(state=S.EXPIRED)),
    )
    listed = contracts.select_related("tenant", "plan")
    return Standing(
        **counts,
        grace_list=list(listed.filter(state=S.GRACE).order_by("grace_until", "pk")[:LAPSED_SHOWN]),
        expired_list=list(listed.filter(state=S.EXPIRED).order_by("-grace_until", "-pk")[:LAPSED_SHOWN]),
    )
