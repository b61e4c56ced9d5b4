"""The platform's revenue figures (apps.billing.revenue): every figure of /admin/stats/ checked to the
paisa against histories worked out by hand (the replay's rules, edge by edge: test_revenue_timeline.py).

The histories are lived through the real services with explicit days (`today=`, `paid_on=`), in the
order they happen, on two plans: AMC (₹10,000 a year, 14-day trial, 15 days of grace; ₹11,800 with 18%
GST) and Plus (₹15,000, 30-day trial, 20 days of grace; ₹17,700 with GST). The figures are read on
20 March 2026: the twelve months are April 2025 to March 2026 (March so far).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apps.billing import services
from apps.billing.models import Plan
from apps.billing.revenue import platform_revenue
from apps.billing.revenue.figures import months_back
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.billing.conftest import contract_of
from tests.billing.histories import History

D = Decimal
TODAY = date(2026, 3, 20)


@pytest.fixture
def plus(root) -> Plan:
    return services.plan_save(
        actor=root, plan=None, code="plus", name="Plus", for_kind="shop", yearly_price=D("15000"),
        trial_days=30, grace_days=20, includes="", is_default=False, is_active=True,
    )  # fmt: skip


@pytest.fixture
def history(root, plus, owner):
    """Seven shops and a personal workspace (free: never revenue). Periods, as replayed:

    A  AMC   paid 10 Dec 2024 for 16 Dec 2024 to 15 Dec 2025; renewed early on 20 Nov 2025 for
             16 Dec 2025 to 15 Dec 2026.
    B  Plus  paid 1 Feb 2025 for 5 Feb 2025 to 4 Feb 2026; grace to 24 Feb, expired; renewed late on
             5 Mar 2026 for 5 Mar 2026 to 4 Mar 2027.
    H  AMC   paid 5 Mar 2025 for 10 Mar 2025 to 9 Mar 2026; in grace on 20 March 2026 (until 24 March).
    C  AMC   signed up June 2025, trial to 15 Jun, paid in its grace on 20 Jun: 16 Jun 2025 to 15 Jun 2026.
    D  AMC   signed up July 2025, trial to 14 Jul, never paid: expired on 30 July.
    E  AMC   signed up August 2025, trial to 17 Aug, three months free (18 Aug to 17 Nov), paid on
             10 Nov 2025 for 18 Nov 2025 to 17 Nov 2026.
    F  Plus  signed up September 2025, trial to 30 Sep, paid 20 Sep for 1 Oct 2025 to 30 Sep 2026,
             refunded by a credit note on 15 Oct 2025: covered 1 to 14 October.
    G  Plus  signed up 10 March 2026, on trial until 8 April.
    """
    tell = History(root)
    tell.signs_up("A", date(2024, 12, 2))
    tell.pays("A", date(2024, 12, 10))
    tell.signs_up("B", date(2025, 1, 6), plus)
    tell.pays("B", date(2025, 2, 1))
    tell.signs_up("H", date(2025, 2, 24))
    tell.pays("H", date(2025, 3, 5))
    tell.signs_up("C", date(2025, 6, 2))
    tell.job(date(2025, 6, 16))  # C's trial is over: grace
    tell.pays("C", date(2025, 6, 20))
    tell.signs_up("D", date(2025, 7, 1))
    tell.job(date(2025, 7, 15))
    tell.job(date(2025, 7, 30))  # D expires
    tell.signs_up("E", date(2025, 8, 4))
    tell.comped("E", date(2025, 8, 10), months=3)
    tell.signs_up("F", date(2025, 9, 1), plus)
    tell.pays("F", date(2025, 9, 20))
    tell.refunded("F", date(2025, 10, 15))
    tell.pays("E", date(2025, 11, 10))
    tell.pays("A", date(2025, 11, 20))
    tell.job(date(2026, 2, 5))  # B's year is over: grace
    tell.job(date(2026, 2, 25))  # and over: expired
    tell.pays("B", date(2026, 3, 5))
    tell.signs_up("G", date(2026, 3, 10), plus)
    tell.job(date(2026, 3, 20))  # H's year is over: grace
    tenant_create(owner=owner, kind="personal", name="Side Builds")
    return tell.shops


def _month(revenue, year: int, month: int):
    return next(m for m in revenue.months if m.month == date(year, month, 1))


def test_paying_shops_mrr_and_arr_at_each_month_end(history):
    revenue = platform_revenue(today=TODAY)

    # ARR at each month's end: A 10,000 + B 15,000 + H 10,000 = 35,000 (April, May); C joins in June
    # (45,000); F's October is refunded; E pays from 18 November (55,000); B lapses 24 February
    # (40,000) and is back on 5 March (55,000). MRR = ARR ÷ 12: 35,000 ÷ 12 = 2,916.67 (half up).
    expected = {
        (2025, 4): (3, "35000.00", "2916.67"), (2025, 5): (3, "35000.00", "2916.67"),
        (2025, 6): (4, "45000.00", "3750.00"), (2025, 7): (4, "45000.00", "3750.00"),
        (2025, 8): (4, "45000.00", "3750.00"), (2025, 9): (4, "45000.00", "3750.00"),
        (2025, 10): (4, "45000.00", "3750.00"), (2025, 11): (5, "55000.00", "4583.33"),
        (2025, 12): (5, "55000.00", "4583.33"), (2026, 1): (5, "55000.00", "4583.33"),
        (2026, 2): (4, "40000.00", "3333.33"), (2026, 3): (5, "55000.00", "4583.33"),
    }  # fmt: skip
    assert [m.month for m in revenue.months] == [date(y, m, 1) for y, m in expected]
    for (year, month), (paying, arr, mrr) in expected.items():
        figures = _month(revenue, year, month)
        assert (figures.paying, figures.arr, figures.mrr) == (paying, D(arr), D(mrr)), (year, month)
    assert _month(revenue, 2026, 3).last_day == TODAY
    # Today: five pay, H among them in grace: its 10,000 ÷ 12 = 833.33 is at risk. G is on trial.
    now = revenue.now
    assert (now.paying, now.in_grace, now.arr, now.mrr, now.mrr_at_risk) == (
        5, 1, D("55000.00"), D("4583.33"), D("833.33")
    )  # fmt: skip
    assert [(p.plan, p.name, p.paying, p.arr, p.mrr) for p in revenue.by_plan] == [
        ("amc", "AMC", 4, D("40000.00"), D("3333.33")),  # A, C, E, H
        ("plus", "Plus", 1, D("15000.00"), D("1250.00")),  # B
    ]


def test_logo_and_revenue_churn_new_and_reactivated_mrr(history):
    revenue = platform_revenue(today=TODAY)

    october, february, march = (_month(revenue, *m) for m in [(2025, 10), (2026, 2), (2026, 3)])
    # October: A, B, C, H and F (its year began on 1 October) pay on the 1st, F no longer on the 31st
    # (refunded on the 15th): logos 1 ÷ 5 = 20.0%; revenue 15,000 ÷ 60,000 = 25.0%, MRR lost 1,250.00.
    assert (october.paying_at_start, october.churned, october.logo_churn) == (5, 1, D("20.0"))
    assert (october.mrr_at_start, october.mrr_lost, october.revenue_churn) == (
        D("5000.00"),
        D("1250.00"),
        D("25.0"),
    )
    # February: B's grace ran out on the 24th: 1 ÷ 5 = 20.0%; 15,000 ÷ 55,000 = 27.3%.
    assert (february.churned, february.logo_churn, february.revenue_churn) == (1, D("20.0"), D("27.3"))
    # March: B back (it had paid before: reactivated, 1,250.00), nobody lost; H in grace still counts.
    assert (march.churned, march.logo_churn, march.reactivated_mrr, march.new_mrr) == (
        0,
        D("0.0"),
        D("1250.00"),
        0,
    )
    assert march.in_grace == 1
    # New MRR: C in June, E in November (833.33 each); nobody churned in any other month.
    assert [(m.month.month, m.new_mrr) for m in revenue.months if m.new_mrr] == [
        (6, D("833.33")), (11, D("833.33"))
    ]  # fmt: skip
    assert [m.month.month for m in revenue.months if m.churned] == [10, 2]


def test_renewals_due_and_done(history):
    revenue = platform_revenue(today=TODAY)

    # A due 16 Dec 2025 (renewed early, in November): done. B due 5 Feb 2026 (renewed late, after
    # expiry): done. H due 10 Mar 2026: not yet. F's refunded year is not due; C and E fall due later.
    due = {(m.month.year, m.month.month): (m.renewals_due, m.renewals_done, m.renewal_rate)
           for m in revenue.months if m.renewals_due}  # fmt: skip
    assert due == {(2025, 12): (1, 1, D("100.0")), (2026, 2): (1, 1, D("100.0")), (2026, 3): (1, 0, D("0.0"))}
    assert _month(revenue, 2025, 11).renewal_rate is None  # nothing due: no rate


def test_conversion_by_signup_month(history):
    revenue = platform_revenue(today=TODAY)

    rows = {(c.month.year, c.month.month): (c.signups, c.converted, c.on_trial, c.lapsed, c.rate)
            for c in revenue.cohorts if c.signups}  # fmt: skip
    assert rows == {
        (2025, 6): (1, 1, 0, 0, D("100.0")),  # C paid in its trial's grace
        (2025, 7): (1, 0, 0, 1, D("0.0")),  # D lapsed
        (2025, 8): (1, 1, 0, 0, D("100.0")),  # E, after its free months
        (2025, 9): (1, 0, 0, 1, D("0.0")),  # F paid and was refunded: not converted
        (2026, 3): (1, 0, 1, 0, None),  # G still on trial: 0 ÷ (1 - 1), no rate yet
    }
    assert [c.month for c in revenue.cohorts] == months_back(TODAY)  # A, B, H signed up before April


def test_collections_by_month_gst_included(history):
    revenue = platform_revenue(today=TODAY)

    # Received: C 11,800 (June); F 17,700 (September); E 11,800 + A 11,800 = 23,600 (November);
    # B 17,700 (March). Refunded: F's 17,700 on 15 October. A's, B's and H's first payments were
    # before April 2025.
    flows = {(m.month.year, m.month.month): (m.received, m.refunded, m.net)
             for m in revenue.months if m.received or m.refunded}  # fmt: skip
    assert flows == {
        (2025, 6): (D("11800.00"), D("0.00"), D("11800.00")),
        (2025, 9): (D("17700.00"), D("0.00"), D("17700.00")),
        (2025, 10): (D("0.00"), D("17700.00"), D("-17700.00")),
        (2025, 11): (D("23600.00"), D("0.00"), D("23600.00")),
        (2026, 3): (D("17700.00"), D("0.00"), D("17700.00")),
    }
    assert sum(m.net for m in revenue.months) == D("53100.00")  # 70,800 in, 17,700 back


def test_contracts_in_grace_expired_and_trialing_now(history):
    standing = platform_revenue(today=TODAY).standing

    assert (standing.trialing, standing.in_grace, standing.expired) == (1, 1, 1)  # G; H; D
    assert [c.tenant.name for c in standing.grace_list] == ["Shop H"]
    assert [c.tenant.name for c in standing.expired_list] == ["Shop D"]


def test_drill_down_by_plan_keeps_that_plans_periods_trials_and_money(history):
    revenue = platform_revenue(today=TODAY, plan="plus")

    assert revenue.plan.name == "Plus" and revenue.problems == []
    # B 15,000 from April to January, gone in February, back in March; F's 1 to 14 October.
    assert [m.paying for m in revenue.months] == [1] * 10 + [0, 1]
    assert {m.mrr for m in revenue.months} == {D("1250.00"), D("0.00")}
    assert (_month(revenue, 2025, 10).churned, _month(revenue, 2026, 2).revenue_churn) == (1, D("100.0"))
    assert (revenue.now.paying, revenue.now.mrr, revenue.now.in_grace) == (1, D("1250.00"), 0)
    assert [(c.month, c.signups) for c in revenue.cohorts if c.signups] == [
        (date(2025, 9, 1), 1), (date(2026, 3, 1), 1)
    ]  # fmt: skip
    assert [(m.month.month, m.net) for m in revenue.months if m.net] == [
        (9, D("17700.00")), (10, D("-17700.00")), (3, D("17700.00"))
    ]  # fmt: skip
    assert (revenue.standing.trialing, revenue.standing.in_grace, revenue.standing.expired) == (1, 0, 0)


def test_drill_down_by_signup_month_keeps_that_months_shops(history):
    revenue = platform_revenue(today=TODAY, cohort="2025-08")

    assert revenue.cohort == date(2025, 8, 1)
    # E alone: paying from 18 November at 10,000 a year; 11,800 received in November.
    assert [m.paying for m in revenue.months] == [0] * 7 + [1] * 5
    assert revenue.now.mrr == D("833.33") and _month(revenue, 2025, 11).new_mrr == D("833.33")
    assert [(m.month.month, m.received) for m in revenue.months if m.received] == [(11, D("11800.00"))]
    assert [c.signups for c in revenue.cohorts] == [0] * 4 + [1] + [0] * 7
    assert (revenue.standing.trialing, revenue.standing.in_grace, revenue.standing.expired) == (0, 0, 0)


@pytest.mark.parametrize(
    "plan, cohort, problem",
    [
        ("gold", "", "There is no shop plan “gold”"),
        ("personal", "", "There is no shop plan “personal”"),
        ("", "2025-13", "“2025-13” is not a signup month like 2026-03"),
        ("", "March", "“March” is not a signup month"),
        ("", "2026-04", "“2026-04” is not a signup month"),  # after today
    ],
)
def test_a_bad_drill_down_value_is_named_and_left_out(history, plan, cohort, problem):
    revenue = platform_revenue(today=TODAY, plan=plan, cohort=cohort)

    assert len(revenue.problems) == 1 and revenue.problems[0].startswith(problem)
    assert (revenue.plan, revenue.cohort, revenue.filtered) == (None, None, False)
    assert revenue.now.mrr == D("4583.33")  # every shop's figures


def test_shops_that_are_not_shops_and_plans_not_for_shops_are_left_out(history):
    revenue = platform_revenue(today=TODAY)

    assert [p.code for p in revenue.plans] == ["amc", "plus"]
    assert sum(c.signups for c in revenue.cohorts) == 5  # the personal workspace is not a signup


def test_a_day_before_anything_was_paid_shows_nothing_paying(history):
    revenue = platform_revenue(today=date(2024, 12, 5))

    assert revenue.now.paying == 0 and revenue.now.mrr == D("0.00")
    assert all(m.paying == 0 and m.logo_churn is None for m in revenue.months)


def test_the_first_signup_at_midnight_india_time_belongs_to_its_month(root, plus):
    shop = Tenant.objects.create(kind="shop", name="Late Night", slug="late-night", state_code="27")
    services.contract_start_trial(tenant=shop, caused_by="test", today=date(2026, 3, 1))
    # 18:30 UTC on 28 February is midnight on 1 March in India.
    Tenant.objects.filter(pk=shop.pk).update(created_at=datetime(2026, 2, 28, 18, 30, tzinfo=UTC))

    revenue = platform_revenue(today=TODAY, cohort="2026-03")

    assert (revenue.cohorts[-1].signups, revenue.cohorts[-1].on_trial) == (1, 1)
    assert platform_revenue(today=TODAY, cohort="2026-02").cohorts[-2].signups == 0


def test_an_extension_and_a_plan_change_made_by_a_super_admin_are_read_from_the_events(root, plus):
    # AMC paid on 10 Jan 2025 for 20 Jan 2025 to 19 Jan 2026, extended by 20 days to 8 Feb; moved to
    # Plus in December; renewed on 20 Jan 2026 at Plus's ₹15,000 from 9 Feb 2026 (₹17,700 with GST).
    tell = History(root)
    shop = tell.signs_up("P", date(2025, 1, 6))
    tell.pays("P", date(2025, 1, 10))
    services.contract_extend(
        contract=contract_of(shop), days=20, reason="Outage in May", actor=root, today=date(2025, 6, 1)
    )
    services.contract_plan_change(contract=contract_of(shop), plan=plus, reason="Wants the API", actor=root)
    tell.pays("P", date(2026, 1, 20))

    revenue = platform_revenue(today=TODAY)
    on_amc = platform_revenue(today=TODAY, plan="amc")

    january, february = (next(m for m in revenue.months if m.month == date(2026, n, 1)) for n in (1, 2))
    assert (january.mrr, january.renewals_due) == (D("833.33"), 0)  # still the extended AMC year
    assert (february.mrr_at_start, february.mrr, february.churned) == (D("833.33"), D("1250.00"), 0)
    assert (february.renewals_due, february.renewals_done) == (1, 1)  # due 9 February, after the extension
    assert [(p.plan, p.mrr) for p in revenue.by_plan] == [("plus", D("1250.00"))]
    amc_february = next(m for m in on_amc.months if m.month == date(2026, 2, 1))
    assert (amc_february.churned, amc_february.logo_churn) == (1, D("100.0"))  # it left AMC
    assert [(m.month.month, m.received) for m in on_amc.months if m.received] == []
    assert [(m.month.month, m.received) for m in revenue.months if m.received] == [(1, D("17700.00"))]
