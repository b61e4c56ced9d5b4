"""The platform's revenue from the AMC, for super admins (/admin/stats/): paying shops, MRR and ARR,
churn, renewals, trial conversion and collections, over the last twelve months, with a drill-down by
plan and by signup month.

How: each shop's contract events are replayed into periods (`timeline`: pure, the rules of what a
period covers), the figures computed from them (`figures`: pure, the definitions of each figure), from
a fixed number of queries whatever the number of shops (`queries`). Prices are before GST; collections
are what came in, GST included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from apps.billing.revenue import figures, queries
from apps.billing.revenue.figures import CohortFigures, MonthFigures, PlanFigures, Today
from apps.billing.revenue.queries import PlanRow, Standing
from apps.billing.revenue.timeline import ShopHistory, timeline_replay

__all__ = ["Revenue", "platform_revenue"]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Revenue:
    """Everything the revenue part of the dashboard shows, under its drill-down."""

    today: date
    plans: list[PlanRow]
    plan: PlanRow | None  # the drill-down's plan
    cohort: date | None  # the drill-down's signup month
    problems: list[str]  # why a filter asked for was left out, in words to show
    now: Today
    by_plan: list[PlanFigures]
    months: list[MonthFigures]
    cohorts: list[CohortFigures]
    standing: Standing

    @property
    def filtered(self) -> bool:
        return self.plan is not None or self.cohort is not None


def _cohort(text: str, today: date) -> date | None:
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        return None
    month = date(int(match[1]), int(match[2]), 1)
    return month if month <= today else None


def platform_revenue(*, today: date, plan: str | None = None, cohort: str | None = None) -> Revenue:
    """The revenue figures as of `today`, for one shop plan's periods (`plan`, its code) and for the
    shops that signed up in one month (`cohort`, "2026-03"), each when given. A value that names no
    shop plan or no month up to today is left out, with the reason in `problems`."""
    plans = queries.plans_load()
    problems = []
    chosen = None
    if plan:
        chosen = next((row for row in plans if row.code == plan), None)
        if chosen is None:
            problems.append(f"There is no shop plan “{plan[:40]}”: the figures are for every plan.")
    month = None
    if cohort:
        month = _cohort(cohort, today)
        if month is None:
            problems.append(
                f"“{cohort[:40]}” is not a signup month like {today:%Y-%m}: the figures are for every shop."
            )
    code = chosen.code if chosen else None
    grace_days = {row.code: row.grace_days for row in plans}
    signups = queries.shops_load(cohort=month)
    refunds = queries.refunds_load()
    refunded_on = {renewal: day for _tenant, renewal, day, _total in refunds if renewal is not None}
    histories = {pk: ShopHistory(tenant_id=pk, cohort=signed) for pk, signed in signups.items()}
    for tenant_id, events in queries.events_load(cohort=month):
        if tenant_id in histories:
            histories[tenant_id].periods = timeline_replay(events, grace_days=grace_days, refunds=refunded_on)
    shops = list(histories.values())
    months = figures.months_back(today)
    collections = figures.collections_by_month(
        histories, payments=queries.payments_load(since=months[0]), refunds=refunds, plan=code, months=months
    )
    now, by_plan = figures.today_figures(
        shops, today=today, plan=code, names={row.code: row.name for row in plans}
    )
    return Revenue(
        today=today,
        plans=plans,
        plan=chosen,
        cohort=month,
        problems=problems,
        now=now,
        by_plan=by_plan,
        months=figures.month_figures(shops, today=today, plan=code, collections=collections, months=months),
        cohorts=figures.cohort_figures(shops, today=today, plan=code, months=months),
        standing=queries.contracts_standing(plan=code, cohort=month),
    )
