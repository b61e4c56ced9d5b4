"""The AMC contract's state machine: every transition a shop lives through, every edge of renewal, and
every transition the table refuses (refused with a clear message, writing nothing)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.billing import services
from apps.billing.exceptions import ContractTransitionRefused, ContractUnderpaid, PlanChangeRefused
from apps.billing.models import Contract, ContractEvent, Plan
from apps.billing.services import TRANSITIONS
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.billing.conftest import PRICE, A, S, contract_of, events_of, put_in

pytestmark = pytest.mark.django_db


def _snapshot(tenant) -> tuple:
    """Everything a refused action must leave as it was: the contract, its events, the audit trail."""
    contract = contract_of(tenant)
    fields = [f.attname for f in Contract._meta.concrete_fields if f.name != "updated_at"]
    return (
        {name: getattr(contract, name) for name in fields},
        ContractEvent.objects.filter(tenant=tenant).count(),
        AuditEvent.objects.filter(tenant=tenant).count(),
    )


# --- starting ---------------------------------------------------------------------------------------


def test_a_new_shop_starts_a_14_day_trial_of_the_default_plan(tenant, owner):
    contract = contract_of(tenant)

    assert contract.plan.code == "amc" and contract.plan.yearly_price == PRICE
    assert (contract.state, contract.period_kind) == (S.TRIALING, Contract.PeriodKind.TRIAL)
    assert contract.period_end - contract.period_start == timedelta(days=13)  # 14 days, both included
    assert contract.period_start == services.today_local()
    assert contract.period_price == 0 and contract.grace_until is None
    event = ContractEvent.objects.get(tenant=tenant)
    assert (event.action, event.from_state, event.to_state) == (A.TRIAL_STARTED, "", S.TRIALING)
    assert (event.actor, event.caused_by) == (owner, "jewellery shop created")
    audit = AuditEvent.objects.filter(tenant=tenant, action="contract.trial_start").get()
    assert audit.actor == owner and "Trial of AMC started" in audit.summary


def test_a_personal_workspace_is_on_the_free_plan_active_with_no_end(owner):
    builds = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side Builds")

    contract = contract_of(builds)

    assert contract.plan.code == "personal" and contract.plan.is_free
    assert (contract.state, contract.period_kind, contract.period_end) == (S.ACTIVE, "free", None)
    assert events_of(builds) == [(A.FREE_STARTED, "", S.ACTIVE)]
    # The daily job never moves a contract with no end.
    services.contracts_lifecycle_advance(today=date(2040, 1, 1))
    assert contract_of(builds).state == S.ACTIVE and len(events_of(builds)) == 1


def test_a_shop_can_start_on_another_offered_plan_but_not_on_a_personal_one(owner, root):
    plus = services.plan_save(
        actor=root, plan=None, code="amc-plus", name="AMC Plus", for_kind="shop", yearly_price=Decimal("15000"),
        trial_days=30, grace_days=20, includes="", is_default=False, is_active=True,
    )  # fmt: skip
    shop = Tenant.objects.create(kind=Tenant.Kind.SHOP, name="Old Shop", slug="old-shop", state_code="27")

    with pytest.raises(PlanChangeRefused, match="plan for personal workspaces"):
        services.contract_start_trial(tenant=shop, plan=Plan.objects.get(code="personal"))
    contract = services.contract_start_trial(tenant=shop, plan=plus, today=date(2026, 5, 1))

    assert (contract.plan, contract.period_start, contract.period_end) == (
        plus,
        date(2026, 5, 1),
        date(2026, 5, 30),
    )


# --- renewals ---------------------------------------------------------------------------------------


def test_paying_during_the_trial_starts_the_paid_year_after_the_trial_so_no_day_is_lost(tenant):
    contract = contract_of(tenant)
    trial_end = contract.period_end
    day = contract.period_start + timedelta(days=3)

    contract = services.contract_renew(
        contract=contract, paid_on=day, amount=PRICE, caused_by="payment pay_1", today=day
    )

    assert contract.state == S.ACTIVE and contract.period_kind == "paid"
    assert contract.period_start == trial_end + timedelta(days=1)
    assert contract.period_end == services.year_from(trial_end + timedelta(days=1))
    assert contract.period_price == PRICE
    event = ContractEvent.objects.filter(tenant=tenant).latest("id")
    assert (event.action, event.from_state, event.to_state, event.caused_by) == (
        A.RENEWED,
        S.TRIALING,
        S.ACTIVE,
        "payment pay_1",
    )
    assert event.details["period_end"] == [trial_end.isoformat(), contract.period_end.isoformat()]
    assert event.details["amount"] == "10000.00" and event.details["year_starts"] == "after the period"


def test_an_early_renewal_of_a_paid_year_adds_the_next_year_after_it(tenant):
    contract = contract_of(tenant)
    contract = services.contract_renew(
        contract=contract,
        paid_on=contract.period_start,
        amount=PRICE,
        caused_by="payment pay_1",
        today=contract.period_start,
    )
    first_end = contract.period_end
    day = first_end - timedelta(days=40)  # paid 40 days early

    contract = services.contract_renew(
        contract=contract, paid_on=day, amount=PRICE, caused_by="payment pay_2", today=day
    )

    assert contract.period_start == first_end + timedelta(days=1)
    assert contract.period_end == services.year_from(first_end + timedelta(days=1))
    assert contract.state == S.ACTIVE


def test_a_renewal_paid_on_the_periods_last_day_follows_on_from_it(tenant):
    contract = contract_of(tenant)
    last = contract.period_end

    contract = services.contract_renew(
        contract=contract, paid_on=last, amount=PRICE, caused_by="payment pay_1", today=last
    )

    assert (contract.period_start, contract.state) == (last + timedelta(days=1), S.ACTIVE)


def test_a_renewal_during_grace_follows_on_from_the_periods_end(tenant, owner):
    contract, _ = put_in(tenant, S.GRACE, owner)
    end = contract.period_end
    day = contract.grace_until  # the last day of grace

    contract = services.contract_renew(
        contract=contract, paid_on=day, amount=PRICE, caused_by="payment pay_1", today=day
    )

    assert contract.state == S.ACTIVE and contract.grace_until is None
    assert contract.period_start == end + timedelta(days=1)  # the grace days shop used are in the paid year
    assert contract.period_end == services.year_from(end + timedelta(days=1))
    assert events_of(tenant)[-1] == (A.RENEWED, S.GRACE, S.ACTIVE)


def test_a_payment_after_expiry_starts_the_year_on_the_payment_date(tenant, owner):
    contract, expired_on = put_in(tenant, S.EXPIRED, owner)
    paid_on = expired_on + timedelta(days=20)

    contract = services.contract_renew(
        contract=contract,
        paid_on=paid_on,
        amount="11800",
        caused_by="payment pay_9",
        today=paid_on + timedelta(days=1),
    )

    assert contract.state == S.ACTIVE and contract.grace_until is None
    assert (contract.period_start, contract.period_end) == (paid_on, services.year_from(paid_on))
    assert contract.period_price == PRICE  # the plan's price; the GST paid on top is the payment's
    event = ContractEvent.objects.filter(tenant=tenant).latest("id")
    assert (event.from_state, event.details["year_starts"], event.details["amount"]) == (
        S.EXPIRED,
        "on the payment date",
        "11800.00",
    )


def test_a_payment_made_in_grace_but_recorded_after_expiry_still_follows_on_from_the_periods_end(
    tenant, owner
):
    contract, expired_on = put_in(tenant, S.EXPIRED, owner)
    end, paid_on = contract.period_end, contract.grace_until  # paid on grace's last day, arrived late

    contract = services.contract_renew(
        contract=contract,
        paid_on=paid_on,
        amount=PRICE,
        caused_by="payment pay_3",
        today=expired_on + timedelta(days=5),
    )

    assert (contract.state, contract.period_start) == (S.ACTIVE, end + timedelta(days=1))


@pytest.mark.parametrize("days_after_grace, starts", [(0, "after the period"), (1, "on the payment date")])
def test_the_renewal_rule_turns_on_the_last_day_of_grace(shop_started_on, days_after_grace, starts):
    shop = shop_started_on(date(2026, 3, 18))  # trial to 31 March, grace to 15 April
    paid_on = date(2026, 4, 15) + timedelta(days=days_after_grace)
    services.contracts_lifecycle_advance(today=paid_on)

    contract = services.contract_renew(
        contract=contract_of(shop), paid_on=paid_on, amount=PRICE, caused_by="payment pay_10", today=paid_on
    )

    expected_start = date(2026, 4, 1) if starts == "after the period" else paid_on
    assert (contract.state, contract.period_start) == (S.ACTIVE, expected_start)
    assert ContractEvent.objects.filter(tenant=shop).latest("id").details["year_starts"] == starts


def test_a_renewal_while_suspended_adds_the_year_and_the_hold_stays(tenant, root):
    contract = contract_of(tenant)
    trial_end, day = contract.period_end, contract.period_start
    services.contract_suspend(contract=contract, reason="chargeback under review", actor=root)

    contract = services.contract_renew(
        contract=contract, paid_on=day, amount=PRICE, caused_by="payment pay_4", today=day
    )

    assert (contract.state, contract.suspended_from_state) == (S.SUSPENDED, S.ACTIVE)
    assert contract.period_end == services.year_from(trial_end + timedelta(days=1))
    contract = services.contract_resume(contract=contract, reason="chargeback won", actor=root, today=day)
    assert (contract.state, contract.suspended_from_state) == (S.ACTIVE, "")


@pytest.mark.parametrize(
    "amount, error, match",
    [
        ("9999.99", ContractUnderpaid, "₹9,999.99 was paid, but a year of AMC costs ₹10,000.00"),
        ("0", ValidationError, "more than zero"),
        ("ten thousand", ValidationError, "amount paid in rupees"),
    ],
)
def test_a_renewal_that_does_not_pay_a_year_is_refused_and_changes_nothing(tenant, amount, error, match):
    contract = contract_of(tenant)
    before = _snapshot(tenant)

    with pytest.raises(error, match=match):
        services.contract_renew(
            contract=contract, paid_on=contract.period_start, amount=amount, caused_by="payment pay_5",
            today=contract.period_start,
        )  # fmt: skip

    assert _snapshot(tenant) == before


def test_a_payment_dated_after_today_is_refused(tenant):
    contract = contract_of(tenant)
    before = _snapshot(tenant)

    with pytest.raises(ValidationError, match="dated after today"):
        services.contract_renew(
            contract=contract, paid_on=contract.period_start + timedelta(days=1), amount=PRICE,
            caused_by="payment pay_6", today=contract.period_start,
        )  # fmt: skip

    assert _snapshot(tenant) == before


def test_a_free_plan_has_nothing_to_renew_extend_or_give(owner, root):
    builds = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side Builds")
    contract = contract_of(builds)
    before = _snapshot(builds)

    for call in (
        lambda: services.contract_renew(
            contract=contract, paid_on=contract.period_start, amount=PRICE, caused_by="p"
        ),
        lambda: services.contract_extend(contract=contract, days=5, reason="goodwill", actor=root),
        lambda: services.contract_comp(contract=contract, months=2, reason="goodwill", actor=root),
    ):
        with pytest.raises(ContractTransitionRefused, match="Personal is a free plan with no end"):
            call()

    assert _snapshot(builds) == before


# --- the daily job's moves, through the services that undo them --------------------------------------


def test_comp_then_lapse_goes_through_grace_to_expired(tenant, root):
    contract = contract_of(tenant)
    day = contract.period_start
    until = day + timedelta(days=90)

    contract = services.contract_comp(
        contract=contract, until=until, reason="launch partner", actor=root, today=day
    )

    assert (contract.state, contract.period_kind, contract.period_price) == (S.ACTIVE, "comp", 0)
    assert (contract.period_start, contract.period_end) == (contract.period_start, until)
    services.contracts_lifecycle_advance(today=until)  # its last day: nothing happens
    assert contract_of(tenant).state == S.ACTIVE
    services.contracts_lifecycle_advance(today=until + timedelta(days=1))
    contract = contract_of(tenant)
    assert (contract.state, contract.grace_until) == (S.GRACE, until + timedelta(days=15))
    services.contracts_lifecycle_advance(today=until + timedelta(days=16))
    assert contract_of(tenant).state == S.EXPIRED
    assert [e[0] for e in events_of(tenant)] == [A.TRIAL_STARTED, A.COMPED, A.GRACE_STARTED, A.EXPIRED]


def test_a_comp_by_months_follows_the_trial_and_one_after_expiry_starts_today(root, shop_started_on):
    shop = shop_started_on(date(2026, 1, 18))  # a trial to 31 January
    contract = services.contract_comp(contract=contract_of(shop), months=1, reason="festival offer", actor=root,
                                      today=date(2026, 1, 20))  # fmt: skip
    assert (contract.period_start, contract.period_end) == (date(2026, 2, 1), date(2026, 2, 28))

    lapsed = shop_started_on(date(2026, 1, 1))  # trial to 14 January, grace to 29 January
    services.contracts_lifecycle_advance(today=date(2026, 3, 1))
    contract = services.contract_comp(contract=contract_of(lapsed), months=3, reason="came back", actor=root,
                                      today=date(2026, 3, 10))  # fmt: skip
    assert (contract.state, contract.period_start, contract.period_end) == (
        S.ACTIVE,
        date(2026, 3, 10),
        date(2026, 6, 9),
    )
    assert events_of(lapsed)[-1] == (A.COMPED, S.EXPIRED, S.ACTIVE)


def test_a_comp_never_shortens_time_already_granted(tenant, root):
    contract = contract_of(tenant)
    before = _snapshot(tenant)

    with pytest.raises(ValidationError, match="must end on or after"):
        services.contract_comp(
            contract=contract,
            until=contract.period_end,
            reason="oops",
            actor=root,
            today=contract.period_start,
        )
    with pytest.raises(ValidationError, match="at most 36 months"):
        services.contract_comp(
            contract=contract,
            until=date(2099, 1, 1),
            reason="forever",
            actor=root,
            today=contract.period_start,
        )
    with pytest.raises(ValidationError, match="either the last complimentary day or a number of months"):
        services.contract_comp(contract=contract, reason="both", actor=root, until=date(2099, 1, 1), months=2)

    assert _snapshot(tenant) == before


def test_extending_a_trial_keeps_it_a_trial(tenant, root):
    contract = contract_of(tenant)
    end = contract.period_end

    contract = services.contract_extend(
        contract=contract, days=7, reason="slow onboarding", actor=root, today=contract.period_start
    )

    assert (contract.state, contract.period_kind, contract.period_end) == (
        S.TRIALING,
        "trial",
        end + timedelta(days=7),
    )


def test_extending_a_lapsed_trial_in_grace_makes_it_a_trial_again(tenant, owner, root):
    contract, day = put_in(tenant, S.GRACE, owner)
    end = contract.period_end

    contract = services.contract_extend(
        contract=contract, days=10, reason="asked for more time", actor=root, today=day
    )

    assert (contract.state, contract.period_end, contract.grace_until) == (
        S.TRIALING,
        end + timedelta(days=10),
        None,
    )
    assert events_of(tenant)[-1] == (A.EXTENDED, S.GRACE, S.TRIALING)


def test_extending_too_little_leaves_grace_but_moves_its_last_day(tenant, owner, root):
    contract, _ = put_in(tenant, S.GRACE, owner)
    end = contract.period_end
    day = end + timedelta(days=10)

    contract = services.contract_extend(
        contract=contract, days=3, reason="bank holiday", actor=root, today=day
    )

    assert (contract.state, contract.period_end) == (S.GRACE, end + timedelta(days=3))
    assert contract.grace_until == end + timedelta(days=3 + 15)


def test_extending_an_expired_paid_year_makes_it_active_again(tenant, owner, root):
    contract, _ = put_in(tenant, S.ACTIVE, owner)
    paid_end = contract.period_end
    day = paid_end + timedelta(days=20)
    services.contracts_lifecycle_advance(today=day)
    assert contract_of(tenant).state == S.EXPIRED

    contract = services.contract_extend(
        contract=contract, days=30, reason="server outage credit", actor=root, today=day
    )

    assert (contract.state, contract.period_kind, contract.grace_until) == (S.ACTIVE, "paid", None)


@pytest.mark.parametrize(
    "days, reason, field",
    [(0, "x", "days"), (367, "x", "days"), ("5", "x", "days"), (5, "   ", "reason")],
)
def test_an_extension_needs_a_sensible_number_of_days_and_a_reason(tenant, root, days, reason, field):
    contract = contract_of(tenant)
    before = _snapshot(tenant)

    with pytest.raises(ValidationError) as caught:
        services.contract_extend(contract=contract, days=days, reason=reason, actor=root)

    assert field in caught.value.message_dict
    assert _snapshot(tenant) == before


@pytest.mark.parametrize("state", [S.TRIALING, S.ACTIVE, S.GRACE, S.EXPIRED])
def test_suspend_then_resume_returns_to_the_state_it_held(tenant, owner, root, state):
    contract, day = put_in(tenant, state, owner)

    contract = services.contract_suspend(contract=contract, reason="fraud check", actor=root)
    assert (contract.state, contract.suspended_from_state) == (S.SUSPENDED, state)
    contract = services.contract_resume(contract=contract, reason="cleared", actor=root, today=day)

    assert (contract.state, contract.suspended_from_state) == (state, "")
    assert events_of(tenant)[-2:] == [(A.SUSPENDED, state, S.SUSPENDED), (A.RESUMED, S.SUSPENDED, state)]


def test_resuming_after_the_period_ended_meanwhile_starts_grace_from_the_due_date(tenant, root):
    contract = contract_of(tenant)
    end = contract.period_end
    services.contract_suspend(contract=contract, reason="fraud check", actor=root)
    services.contracts_lifecycle_advance(
        today=end + timedelta(days=40)
    )  # the job leaves a held contract alone
    assert contract_of(tenant).state == S.SUSPENDED

    contract = services.contract_resume(
        contract=contract, reason="cleared", actor=root, today=end + timedelta(days=5)
    )

    assert (contract.state, contract.grace_until) == (S.GRACE, end + timedelta(days=15))
    event = ContractEvent.objects.filter(tenant=tenant).latest("id")
    assert (event.action, event.actor, event.caused_by) == (
        A.GRACE_STARTED,
        None,
        "daily lifecycle job rules, on resume",
    )


def test_changing_the_plan_keeps_the_period_and_the_next_renewal_pays_the_new_price(tenant, root):
    plus = services.plan_save(
        actor=root, plan=None, code="amc-plus", name="AMC Plus", for_kind="shop", yearly_price=Decimal("15000"),
        trial_days=30, grace_days=20, includes="", is_default=False, is_active=True,
    )  # fmt: skip
    contract = contract_of(tenant)
    end = contract.period_end

    contract = services.contract_plan_change(
        contract=contract, plan=plus, reason="wants e-invoicing", actor=root
    )

    assert (contract.plan, contract.state, contract.period_end) == (plus, S.TRIALING, end)
    with pytest.raises(ContractUnderpaid, match=r"costs ₹15,000\.00"):
        services.contract_renew(
            contract=contract, paid_on=end, amount=PRICE, caused_by="payment pay_7", today=end
        )
    contract = services.contract_renew(
        contract=contract, paid_on=end, amount="15000", caused_by="payment pay_7", today=end
    )
    assert contract.period_price == Decimal("15000.00")


def test_a_plan_change_to_the_same_plan_another_kind_an_unoffered_or_a_free_plan_is_refused(tenant, root):
    contract = contract_of(tenant)
    retired = services.plan_save(
        actor=root, plan=None, code="amc-2019", name="AMC 2019", for_kind="shop", yearly_price=Decimal("8000"),
        trial_days=14, grace_days=15, includes="", is_default=False, is_active=False,
    )  # fmt: skip
    free_shop = services.plan_save(
        actor=root, plan=None, code="shop-free", name="Shop Free", for_kind="shop", yearly_price=Decimal("0"),
        trial_days=0, grace_days=0, includes="", is_default=False, is_active=True,
    )  # fmt: skip
    before = _snapshot(tenant)

    for plan, match in [
        (contract.plan, "already on AMC"),
        (Plan.objects.get(code="personal"), "plan for personal workspaces"),
        (retired, "no longer offered"),
        (free_shop, "between a free plan and a paid one"),
    ]:
        with pytest.raises(PlanChangeRefused, match=match):
            services.contract_plan_change(contract=contract, plan=plan, reason="test", actor=root)

    assert _snapshot(tenant) == before


# --- the table, walked whole --------------------------------------------------------------------------

ADMIN_ACTIONS = {
    A.EXTENDED: lambda c, root, day: services.contract_extend(
        contract=c, days=5, reason="r", actor=root, today=day
    ),
    A.COMPED: lambda c, root, day: services.contract_comp(
        contract=c, months=1, reason="r", actor=root, today=day
    ),
    A.SUSPENDED: lambda c, root, day: services.contract_suspend(contract=c, reason="r", actor=root),
    A.RESUMED: lambda c, root, day: services.contract_resume(contract=c, reason="r", actor=root, today=day),
    A.RENEWED: lambda c, root, day: services.contract_renew(
        contract=c, paid_on=day, amount=PRICE, caused_by="p", today=day
    ),
}


@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
@pytest.mark.parametrize("state", list(S))
def test_every_action_is_allowed_exactly_where_the_table_says(tenant, owner, root, state, action):
    contract, day = put_in(tenant, state, owner)
    allowed = (state, action) in TRANSITIONS

    if allowed:
        ADMIN_ACTIONS[action](contract, root, day)
        assert ContractEvent.objects.filter(tenant=tenant).latest("id").action == action
    else:
        before = _snapshot(tenant)
        with pytest.raises(ContractTransitionRefused) as refused:
            ADMIN_ACTIONS[action](contract, root, day)
        assert refused.value.message.startswith(("An AMC that is", "The AMC is"))
        assert _snapshot(tenant) == before


@pytest.mark.parametrize(
    "state, action, message",
    [
        (S.SUSPENDED, A.SUSPENDED, "The AMC is already suspended."),
        (S.SUSPENDED, A.EXTENDED, "The AMC is suspended: resume it before extending it."),
        (S.ACTIVE, A.RESUMED, "An AMC that is active can't be resumed."),
        (S.EXPIRED, A.RESUMED, "An AMC that is expired can't be resumed."),
    ],
)
def test_a_refusal_says_why_in_words(tenant, owner, root, state, action, message):
    contract, day = put_in(tenant, state, owner)

    with pytest.raises(ContractTransitionRefused) as refused:
        ADMIN_ACTIONS[action](contract, root, day)

    assert refused.value.message == message and refused.value.code == "contract_transition_refused"


def test_every_event_says_who_or_what_caused_it(tenant, root):
    contract = contract_of(tenant)
    end = contract.period_end
    services.contracts_lifecycle_advance(today=end + timedelta(days=1))
    services.contract_renew(contract=contract, paid_on=end + timedelta(days=2), amount=PRICE, caused_by="payment pay_8",
                            today=end + timedelta(days=2))  # fmt: skip
    services.contract_suspend(contract=contract, reason="KYC mismatch", actor=root)

    rows = list(
        ContractEvent.objects.filter(tenant=tenant)
        .order_by("id")
        .values_list("action", "actor__email", "caused_by", "reason")
    )
    assert rows[1:] == [
        (A.GRACE_STARTED, None, "daily lifecycle job", ""),
        (A.RENEWED, None, "payment pay_8", ""),
        (A.SUSPENDED, "root@tijori.in", "super admin root@tijori.in", "KYC mismatch"),
    ]
    audit = AuditEvent.objects.filter(tenant=tenant, action="contract.suspend").get()
    assert audit.actor == root and audit.summary == "AMC suspended (super admin root@tijori.in): KYC mismatch"


def test_a_year_runs_to_the_day_before_the_same_date_next_year():
    assert services.year_from(date(2026, 4, 1)) == date(2027, 3, 31)
    assert services.year_from(date(2027, 3, 1)) == date(2028, 2, 29)  # a leap year's year has 366 days
    assert services.year_from(date(2028, 2, 29)) == date(2029, 2, 28)
