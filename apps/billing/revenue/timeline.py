"""A shop's AMC history as a list of periods, replayed from its contract's events. Pure code: no queries.

Every change to a contract is a `ContractEvent` whose `details` keep the dates and amounts (ISO dates,
amounts as strings). Replaying a shop's events in the order they were written gives its periods:

- `trial_started` opens a trial on its plan; `renewed` a paid year at the plan's price of that day
  (`price`, before GST); `comped` a complimentary period. Each period runs from its `period_start` to
  the new `period_end`.
- `extended` moves the end of the period current at that time (always the latest one granted: a renewal
  or a comp paid ahead is already the contract's period).
- `plan_changed` changes the plan of the periods granted after it; the current one keeps its plan and
  price, as the contract does.
- A paid period whose payment's invoice Tijori reversed with a credit note is *refunded* on the credit
  note's day.

What a period *covers* (`stop`, its last day counted): its end plus its plan's grace days (a shop in
grace still counts, like an overdue subscription, until grace runs out), but never past the day before
the next period starts (a renewal early, on time or in grace follows on from the end, so the next
period takes over) nor past the day before its refund. A period can cover nothing (`stop < start`): a
year paid ahead and refunded before it began. Grace days are those of the plan the period was granted
on, as the plan stands now (plans keep no history of their grace days).

Suspension, grace and expiry events are not replayed: a suspended shop's periods run as their dates
say, and grace and expiry follow from the dates whenever the daily job ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

TRIAL, PAID, COMP = "trial", "paid", "comp"
ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)

# The actions a replay reads; every other action leaves the periods as they are.
REPLAYED = ("trial_started", "renewed", "comped", "extended", "plan_changed")

# What the replay reads of an event, as the event's `details` keep it (ISO dates, amounts as strings):
# (event id, action, period_start, period_end, plan, price). A detail that changed is kept as
# [before, after]: here, its latest value.
Event = tuple[int, str, str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class Period:
    """One period of a shop's AMC, as granted and as far as it counts (see the module's rules)."""

    kind: str  # TRIAL, PAID or COMP
    start: date
    end: date  # the last day granted, after extensions
    plan: str  # the code of the plan it was granted on
    price: Decimal  # the yearly price paid, before GST; 0 for a trial or a comp
    stop: date  # the last day it covers
    renewal_id: int | None = None  # the `renewed` event of a paid period
    refunded_on: date | None = None

    @property
    def is_paid(self) -> bool:
        return self.kind == PAID

    @property
    def due(self) -> date:
        """The day the next period is due: the day after this one's last."""
        return self.end + ONE_DAY

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.stop

    def in_grace_on(self, day: date) -> bool:
        return self.end < day <= self.stop


@dataclass
class _Draft:
    kind: str
    start: date
    end: date
    plan: str
    price: Decimal = ZERO
    renewal_id: int | None = None


def timeline_replay(
    events: Iterable[Event],
    *,
    grace_days: Mapping[str, int],
    refunds: Mapping[int, date],
) -> list[Period]:
    """The periods of one shop from its events, in the order they were written.

    `grace_days` maps a plan's code to its grace days (a code no longer known: none); `refunds` maps a
    renewal event's id to the day its payment was refunded.
    """
    drafts: list[_Draft] = []
    plan = ""
    for event_id, action, start, end, new_plan, price in events:
        if action == "trial_started":
            plan = new_plan or plan
            drafts.append(_Draft(TRIAL, date.fromisoformat(start), date.fromisoformat(end), plan))
        elif action == "renewed":
            drafts.append(
                _Draft(
                    PAID,
                    date.fromisoformat(start),
                    date.fromisoformat(end),
                    plan,
                    price=Decimal(price),
                    renewal_id=event_id,
                )
            )
        elif action == "comped":
            drafts.append(_Draft(COMP, date.fromisoformat(start), date.fromisoformat(end), plan))
        elif action == "extended" and drafts:
            drafts[-1].end = date.fromisoformat(end)
        elif action == "plan_changed":
            plan = new_plan
    periods = []
    for n, draft in enumerate(drafts):
        stop = draft.end + timedelta(days=grace_days.get(draft.plan, 0))
        if n + 1 < len(drafts):
            stop = min(stop, drafts[n + 1].start - ONE_DAY)
        refunded_on = refunds.get(draft.renewal_id) if draft.renewal_id is not None else None
        if refunded_on is not None:
            stop = min(stop, refunded_on - ONE_DAY)
        periods.append(
            Period(
                kind=draft.kind,
                start=draft.start,
                end=draft.end,
                plan=draft.plan,
                price=draft.price,
                stop=stop,
                renewal_id=draft.renewal_id,
                refunded_on=refunded_on,
            )
        )
    return periods


@dataclass
class ShopHistory:
    """A shop's periods and the month it signed up in (its cohort: the first day of that month, India time)."""

    tenant_id: int
    cohort: date
    periods: list[Period] = field(default_factory=list)

    @property
    def trial_plan(self) -> str:
        """The plan the shop started on (its first period's)."""
        return self.periods[0].plan if self.periods else ""

    @property
    def converted(self) -> bool:
        """Whether it ever paid for a year it kept (a refunded year does not count)."""
        return any(p.is_paid and p.refunded_on is None for p in self.periods)

    def on_trial(self, day: date) -> bool:
        """Never paid, and its trial (grace included) still runs on `day`: it can still convert."""
        last = self.periods[-1] if self.periods else None
        return (
            last is not None and last.kind == TRIAL and last.start <= day <= last.stop and not self.converted
        )

    def plan_on(self, day: date) -> str:
        """The plan of the latest period begun by `day` (the first period's before any began)."""
        begun = [p for p in self.periods if p.start <= day]
        return (begun[-1] if begun else self.periods[0]).plan if self.periods else ""
