"""The platform's revenue figures from the shops' replayed periods (`timeline`). Pure code: no queries.

Money is `Decimal` throughout, rupees before GST unless said otherwise, never float.

- A shop *pays* on a day when one of its paid periods covers it (`timeline.Period.stop`: grace
  included, refunds and the next period cut it short). It is *in grace* that day when the period's
  last day has passed: its MRR is still counted, and shown again as "at risk".
- **ARR** on a day = the sum of the yearly prices of the paid periods covering it; **MRR** = ARR ÷ 12,
  to the paisa (half up). Computed from the sum, so the MRR of several plans may differ from the sum
  of their MRRs by a paisa. Trials and complimentary periods are never in it; GST never (prices are
  before GST).
- A month's figures compare two snapshots: its first day and its last (today, in the current month).
  *Logo churn* = shops paying on the first day and not on the last ÷ shops paying on the first day.
  *Revenue churn* = their MRR on the first day + the MRR lost by shops still paying at a lower price
  (contraction) ÷ MRR on the first day. *New MRR*: shops paying on the last day and not on the first
  that never paid before; *reactivated*: those that had. A shop that starts and stops within one month
  shows in neither snapshot.
- *Renewals due* in a month: paid periods (not refunded) whose due day (the day after the last) falls
  in it, up to today in the current month; *done*: those followed by another paid period not
  refunded, early, on time, in grace or late (as of today). Rate = done ÷ due.
- *Conversion* by signup month: shops that signed up, converted (ever paid for a year they kept),
  still on trial today (never paid, trial or its grace running), lapsed (the rest, complimentary
  periods without a payment included); rate = converted ÷ (signups - still on trial).
- *Collections* by month: payments received (GST included) by the day paid, refunds (credit notes'
  totals) by the day issued, and net.

Drill-down: a plan keeps only the periods granted on it (a shop that moves from it at renewal leaves
its figures: churned for that plan), the trials begun on it for conversion, and the payments and
refunds of its periods; a signup month keeps only the shops that signed up in it.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from apps.billing.revenue.timeline import ZERO, Period, ShopHistory
from apps.core.money import rupees

MONTHS = 12
TENTH = Decimal("0.1")


def months_back(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, this one included, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_last_day(month: date, today: date) -> date:
    """The month's last day, or today in the current month."""
    return min(month.replace(day=calendar.monthrange(month.year, month.month)[1]), today)


def mrr_of(arr: Decimal) -> Decimal:
    return rupees(arr / 12)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as a percentage to one place (half up); None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthFigures:
    month: date
    last_day: date
    paying: int  # on the last day
    in_grace: int
    arr: Decimal
    mrr: Decimal
    paying_at_start: int
    mrr_at_start: Decimal
    churned: int
    mrr_lost: Decimal  # churned shops' MRR on the first day + contraction
    new_mrr: Decimal
    reactivated_mrr: Decimal
    logo_churn: Decimal | None  # percent
    revenue_churn: Decimal | None  # percent
    renewals_due: int
    renewals_done: int
    renewal_rate: Decimal | None  # percent
    received: Decimal  # GST included
    refunded: Decimal  # GST included
    net: Decimal


@dataclass(frozen=True)
class CohortFigures:
    month: date
    signups: int
    converted: int
    on_trial: int
    lapsed: int
    rate: Decimal | None  # percent


@dataclass(frozen=True)
class PlanFigures:
    plan: str
    name: str
    paying: int
    arr: Decimal
    mrr: Decimal


@dataclass(frozen=True)
class Today:
    paying: int
    in_grace: int
    arr: Decimal
    mrr: Decimal
    mrr_at_risk: Decimal  # of the shops in grace


def kept_periods(shop: ShopHistory, plan: str | None) -> list[Period]:
    """The shop's paid periods that count under the drill-down (all of them without a plan)."""
    return [p for p in shop.periods if p.is_paid and (plan is None or p.plan == plan)]


def paying_on(
    shops: Iterable[ShopHistory], days: Iterable[date], plan: str | None
) -> dict[date, dict[int, Period]]:
    """For each day, the paid period covering it of each shop that pays that day."""
    ordered = sorted(set(days))
    found: dict[date, dict[int, Period]] = {day: {} for day in ordered}
    for shop in shops:
        for period in kept_periods(shop, plan):
            if period.stop < period.start:
                continue
            for day in ordered[bisect_left(ordered, period.start) : bisect_right(ordered, period.stop)]:
                found[day][shop.tenant_id] = period
    return found


def _paid_before(shop: ShopHistory, day: date, plan: str | None) -> bool:
    return any(p.start < day and p.stop >= p.start for p in kept_periods(shop, plan))


def renewals(
    shops: Iterable[ShopHistory], *, months: list[date], today: date, plan: str | None
) -> dict[date, tuple[int, int]]:
    """(due, done) in each month: the paid periods whose due day falls in it, up to today."""
    counts = {month: [0, 0] for month in months}
    for shop in shops:
        for n, period in enumerate(shop.periods):
            if not (period.is_paid and period.refunded_on is None and (plan is None or period.plan == plan)):
                continue
            month = counts.get(period.due.replace(day=1))
            if month is None or period.due > today:
                continue
            month[0] += 1
            following = shop.periods[n + 1] if n + 1 < len(shop.periods) else None
            if following is not None and following.is_paid and following.refunded_on is None:
                month[1] += 1
    return {month: (due, done) for month, (due, done) in counts.items()}


def month_figures(
    shops: list[ShopHistory],
    *,
    today: date,
    plan: str | None,
    collections: dict[date, tuple[Decimal, Decimal]],
    months: list[date],
) -> list[MonthFigures]:
    """Each month's snapshots, churn, renewals and collections (`collections`: received, refunded)."""
    ends = {month: month_last_day(month, today) for month in months}
    snapshots = paying_on(shops, [*months, *ends.values()], plan)
    by_id = {shop.tenant_id: shop for shop in shops}
    due_and_done = renewals(shops, months=months, today=today, plan=plan)
    figures = []
    for month in months:
        last = ends[month]
        start, end = snapshots[month], snapshots[last]
        start_arr = sum((p.price for p in start.values()), ZERO)
        end_arr = sum((p.price for p in end.values()), ZERO)
        churned = [t for t in start if t not in end]
        churned_arr = sum((start[t].price for t in churned), ZERO)
        contraction = sum((max(ZERO, start[t].price - end[t].price) for t in start if t in end), ZERO)
        new_arr = reactivated_arr = ZERO
        for t in end.keys() - start.keys():
            if _paid_before(by_id[t], month, plan):
                reactivated_arr += end[t].price
            else:
                new_arr += end[t].price
        due, done = due_and_done[month]
        received, refunded = collections.get(month, (ZERO, ZERO))
        figures.append(
            MonthFigures(
                month=month,
                last_day=last,
                paying=len(end),
                in_grace=sum(1 for p in end.values() if p.in_grace_on(last)),
                arr=end_arr,
                mrr=mrr_of(end_arr),
                paying_at_start=len(start),
                mrr_at_start=mrr_of(start_arr),
                churned=len(churned),
                mrr_lost=mrr_of(churned_arr + contraction),
                new_mrr=mrr_of(new_arr),
                reactivated_mrr=mrr_of(reactivated_arr),
                logo_churn=percent(len(churned), len(start)),
                revenue_churn=percent(churned_arr + contraction, start_arr),
                renewals_due=due,
                renewals_done=done,
                renewal_rate=percent(done, due),
                received=received,
                refunded=refunded,
                net=received - refunded,
            )
        )
    return figures


def today_figures(
    shops: list[ShopHistory], *, today: date, plan: str | None, names: Mapping[str, str]
) -> tuple[Today, list[PlanFigures]]:
    """Who pays today, and the MRR by plan (`names`: each plan's name by its code)."""
    paying = paying_on(shops, [today], plan)[today]
    arr = sum((p.price for p in paying.values()), ZERO)
    at_risk = sum((p.price for p in paying.values() if p.in_grace_on(today)), ZERO)
    by_plan: dict[str, list[Period]] = {}
    for period in paying.values():
        by_plan.setdefault(period.plan, []).append(period)
    plans = []
    for code, periods in sorted(by_plan.items()):
        plan_arr = sum((p.price for p in periods), ZERO)
        plans.append(
            PlanFigures(
                plan=code, name=names.get(code, code), paying=len(periods), arr=plan_arr, mrr=mrr_of(plan_arr)
            )
        )
    today_row = Today(
        paying=len(paying), in_grace=sum(1 for p in paying.values() if p.in_grace_on(today)),
        arr=arr, mrr=mrr_of(arr), mrr_at_risk=mrr_of(at_risk),
    )  # fmt: skip
    return today_row, plans


def cohort_figures(
    shops: list[ShopHistory], *, today: date, plan: str | None, months: list[date]
) -> list[CohortFigures]:
    """Conversion of each signup month's shops (under a plan: the shops whose trial was on it)."""
    figures = []
    for month in months:
        cohort = [s for s in shops if s.cohort == month and (plan is None or s.trial_plan == plan)]
        converted = sum(1 for s in cohort if s.converted)
        on_trial = sum(1 for s in cohort if s.on_trial(today))
        figures.append(
            CohortFigures(
                month=month,
                signups=len(cohort),
                converted=converted,
                on_trial=on_trial,
                lapsed=len(cohort) - converted - on_trial,
                rate=percent(converted, len(cohort) - on_trial),
            )
        )
    return figures


def collections_by_month(
    shops: dict[int, ShopHistory],
    *,
    payments: Iterable[tuple[int, int | None, date, Decimal]],
    refunds: Iterable[tuple[int, int | None, date, Decimal]],
    plan: str | None,
    months: list[date],
) -> dict[date, tuple[Decimal, Decimal]]:
    """Received and refunded (GST included) per month, of the shops kept; each amount goes to the plan of
    the period its payment renewed (a payment that renewed nothing: the plan of the shop's latest period
    begun by its day)."""
    plan_of = {p.renewal_id: p.plan for s in shops.values() for p in s.periods if p.renewal_id is not None}
    received: dict[date, Decimal] = {}
    refunded: dict[date, Decimal] = {}
    for rows, totals in ((payments, received), (refunds, refunded)):
        for tenant_id, renewal_id, day, amount in rows:
            shop = shops.get(tenant_id)
            if shop is None:
                continue
            if plan is not None:
                paid_for = plan_of[renewal_id] if renewal_id in plan_of else shop.plan_on(day)
                if paid_for != plan:
                    continue
            month = day.replace(day=1)
            totals[month] = totals.get(month, ZERO) + amount
    return {m: (received.get(m, ZERO), refunded.get(m, ZERO)) for m in months}
