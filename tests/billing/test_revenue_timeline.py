"""The replay of a shop's contract events into periods (apps.billing.revenue.timeline) and the figures'
pure rules (apps.billing.revenue.figures), event by event and edge by edge, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apps.billing.revenue.figures import month_figures, months_back, percent, renewals
from apps.billing.revenue.timeline import COMP, PAID, TRIAL, ShopHistory, timeline_replay

D = Decimal
TODAY = date(2026, 3, 20)
GRACE = {"amc": 15, "plus": 20}


def _latest(value):
    return value[-1] if isinstance(value, list) else value


def _events(*rows):
    """Events as the replay reads them (`timeline.Event`), from their details as the services write them."""
    return [
        (n, action, details.get("period_start"), _latest(details.get("period_end")), _latest(details.get("plan")),
         details.get("price"))
        for n, (action, details) in enumerate(rows, 1)
    ]  # fmt: skip


def _trial(start: str, end: str, plan: str = "amc"):
    return "trial_started", {"plan": plan, "period_start": start, "period_end": end}


def _renewed(start: str, old_end: str, end: str, price: str = "10000.00"):
    return "renewed", {"paid_on": start, "amount": "11800.00", "price": price, "period_start": start,
                       "period_end": [old_end, end]}  # fmt: skip


def test_a_paid_year_extended_covers_its_new_end_and_its_grace():
    periods = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14"),
            ("extended", {"days": 10, "period_end": ["2026-01-14", "2026-01-24"]}),
        ),
        grace_days=GRACE,
        refunds={},
    )

    trial, paid = periods
    assert (trial.kind, trial.stop) == (TRIAL, date(2025, 1, 14))  # the next period takes over
    assert (paid.kind, paid.start, paid.end, paid.price) == (
        PAID,
        date(2025, 1, 15),
        date(2026, 1, 24),
        D("10000.00"),
    )
    assert paid.stop == date(2026, 2, 8)  # 24 January + 15 days of grace
    assert paid.in_grace_on(date(2026, 1, 25)) and not paid.covers(date(2026, 2, 9))


def test_an_extension_of_a_trial_moves_the_trial_and_not_a_later_period():
    periods = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            ("extended", {"days": 7, "period_end": ["2025-01-14", "2025-01-21"]}),
            _renewed("2025-01-22", "2025-01-21", "2026-01-21"),
        ),
        grace_days=GRACE,
        refunds={},
    )

    assert [(p.kind, p.end, p.stop) for p in periods] == [
        (TRIAL, date(2025, 1, 21), date(2025, 1, 21)),
        (PAID, date(2026, 1, 21), date(2026, 2, 5)),
    ]


def test_a_comp_after_a_paid_year_ends_the_paid_cover_and_is_never_paid():
    periods = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14"),
            ("comped", {"period_start": "2026-01-15", "period_end": ["2026-01-14", "2026-04-14"]}),
        ),
        grace_days=GRACE,
        refunds={},
    )

    paid, comp = periods[1:]
    assert paid.stop == date(2026, 1, 14)  # no grace: the comp follows on
    assert (comp.kind, comp.price, comp.is_paid, comp.stop) == (COMP, D("0.00"), False, date(2026, 4, 29))


def test_a_paid_year_followed_by_a_comp_or_a_refunded_year_was_due_and_not_renewed():
    def shop(*rows, refunds=None):
        periods = timeline_replay(_events(*rows), grace_days=GRACE, refunds=refunds or {})
        return ShopHistory(tenant_id=1, cohort=date(2025, 1, 1), periods=periods)

    first_year = (_trial("2025-01-01", "2025-01-14"), _renewed("2025-01-15", "2025-01-14", "2026-01-14"))
    comped = shop(
        *first_year, ("comped", {"period_start": "2026-01-15", "period_end": ["2026-01-14", "2026-04-14"]})
    )
    refunded = shop(
        *first_year, _renewed("2026-01-15", "2026-01-14", "2027-01-14"), refunds={3: date(2026, 1, 20)}
    )
    renewed = shop(*first_year, _renewed("2026-01-15", "2026-01-14", "2027-01-14"))

    january = date(2026, 1, 1)
    assert renewals([comped], months=[january], today=TODAY, plan=None) == {january: (1, 0)}
    # ... and the refunded year is itself never due.
    assert renewals([refunded], months=[january], today=TODAY, plan=None) == {january: (1, 0)}
    assert renewals([renewed], months=[january], today=TODAY, plan=None) == {january: (1, 1)}
    # Due on 15 January: not yet on the 14th.
    assert renewals([renewed], months=[january], today=date(2026, 1, 14), plan=None) == {january: (0, 0)}


def test_a_renewal_paid_in_grace_follows_on_and_one_paid_after_expiry_leaves_a_gap():
    in_grace = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14"),
            _renewed("2026-01-15", "2026-01-14", "2027-01-14"),  # paid on 20 January, in grace
        ),
        grace_days=GRACE,
        refunds={},
    )
    late = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14"),
            _renewed("2026-03-01", "2026-01-14", "2027-02-28"),  # after grace ended on 29 January
        ),
        grace_days=GRACE,
        refunds={},
    )

    assert in_grace[1].stop == date(2026, 1, 14) and in_grace[2].start == date(2026, 1, 15)
    assert late[1].stop == date(2026, 1, 29) and late[2].start == date(2026, 3, 1)
    shop = ShopHistory(tenant_id=1, cohort=date(2025, 1, 1), periods=late)
    assert not any(p.covers(date(2026, 2, 15)) for p in shop.periods)


def test_a_refund_stops_the_cover_the_day_before_and_a_year_refunded_before_it_began_covers_nothing():
    periods = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14"),
            _renewed("2026-01-15", "2026-01-14", "2027-01-14"),
        ),
        grace_days=GRACE,
        refunds={2: date(2025, 3, 10), 3: date(2025, 12, 1)},
    )

    first, second = periods[1:]
    assert (first.refunded_on, first.stop) == (date(2025, 3, 10), date(2025, 3, 9))
    assert second.stop < second.start  # paid ahead, refunded before it began
    assert not ShopHistory(tenant_id=1, cohort=date(2025, 1, 1), periods=periods).converted


def test_a_plan_change_applies_to_the_periods_granted_after_it():
    periods = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14"),
            ("plan_changed", {"plan": ["amc", "plus"], "yearly_price": ["10000.00", "15000.00"]}),
            _renewed("2026-01-15", "2026-01-14", "2027-01-14", price="15000.00"),
        ),
        grace_days=GRACE,
        refunds={},
    )

    assert [(p.plan, p.price) for p in periods[1:]] == [("amc", D("10000.00")), ("plus", D("15000.00"))]
    assert periods[2].stop == date(2027, 2, 3)  # Plus's 20 days of grace


def test_a_move_to_a_cheaper_plan_is_contraction_not_churn():
    # Plus ₹15,000 until 14 February 2026, then AMC ₹10,000 from the 15th: in February the shop still
    # pays, ₹5,000 a year less: revenue churn 5,000 ÷ 15,000 = 33.3%, logo churn 0%.
    periods = timeline_replay(
        _events(
            _trial("2025-01-16", "2025-02-14", plan="plus"),
            _renewed("2025-02-15", "2025-02-14", "2026-02-14", price="15000.00"),
            ("plan_changed", {"plan": ["plus", "amc"], "yearly_price": ["15000.00", "10000.00"]}),
            _renewed("2026-02-15", "2026-02-14", "2027-02-14"),
        ),
        grace_days=GRACE,
        refunds={},
    )
    shop = ShopHistory(tenant_id=1, cohort=date(2025, 1, 1), periods=periods)

    february = month_figures([shop], today=TODAY, plan=None, collections={}, months=[date(2026, 2, 1)])[0]

    assert (february.paying_at_start, february.paying, february.churned) == (1, 1, 0)
    assert (february.mrr_at_start, february.mrr, february.mrr_lost) == (
        D("1250.00"),
        D("833.33"),
        D("416.67"),
    )
    assert (february.logo_churn, february.revenue_churn) == (D("0.0"), D("33.3"))


def test_mrr_is_the_yearly_price_divided_exactly_and_rounded_half_up():
    # ₹9,999.90 a year ÷ 12 = ₹833.325 exactly: half up to ₹833.33 (a float gives 833.3249… → 833.32).
    periods = timeline_replay(
        _events(
            _trial("2025-01-01", "2025-01-14"),
            _renewed("2025-01-15", "2025-01-14", "2026-01-14", price="9999.90"),
        ),
        grace_days=GRACE,
        refunds={},
    )
    shop = ShopHistory(tenant_id=1, cohort=date(2025, 1, 1), periods=periods)

    march = month_figures(
        [shop], today=date(2025, 3, 31), plan=None, collections={}, months=[date(2025, 3, 1)]
    )[0]

    assert (march.arr, march.mrr) == (D("9999.90"), D("833.33"))


def test_months_and_percentages():
    assert months_back(date(2026, 3, 20))[0] == date(2025, 4, 1) and len(months_back(date(2026, 3, 20))) == 12
    assert months_back(date(2026, 1, 31))[-2:] == [date(2025, 12, 1), date(2026, 1, 1)]
    assert (percent(1, 3), percent(2, 3), percent(1, 0)) == (D("33.3"), D("66.7"), None)
    assert percent(D("15000.00"), D("55000.00")) == D("27.3")
