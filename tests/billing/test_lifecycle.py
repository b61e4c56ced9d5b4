"""The daily lifecycle job: grace counted from the due date however late it runs, expiry after grace,
one event per move however often it runs, each tenant on its own; and contracts for older tenants."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from apps.billing import services
from apps.billing.models import Contract, ContractEvent
from apps.billing.services import lifecycle
from apps.billing.tasks import contracts_lifecycle_task
from apps.core.rls import request_scope
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.billing.conftest import PRICE, A, S, contract_of, events_of, put_in

pytestmark = pytest.mark.django_db


def test_the_last_day_of_the_trial_is_still_the_trial_and_the_due_date_starts_grace(shop_started_on):
    shop = shop_started_on(date(2026, 3, 18))  # trial to 31 March

    services.contracts_lifecycle_advance(today=date(2026, 3, 31))
    assert contract_of(shop).state == S.TRIALING

    run = services.contracts_lifecycle_advance(today=date(2026, 4, 1))

    contract = contract_of(shop)
    assert (contract.state, contract.grace_until) == (S.GRACE, date(2026, 4, 15))  # 15 days: 1 to 15 April
    assert (run.grace_started, run.expired, run.failed) == (1, 0, [])
    event = ContractEvent.objects.filter(tenant=shop).latest("id")
    assert (event.action, event.from_state, event.actor, event.caused_by) == (
        A.GRACE_STARTED,
        S.TRIALING,
        None,
        "daily lifecycle job",
    )
    assert event.details == {"period_end": "2026-03-31", "grace_until": "2026-04-15"}


def test_grace_lasts_through_its_last_day_and_expires_the_day_after(shop_started_on):
    shop = shop_started_on(date(2026, 3, 18))
    services.contracts_lifecycle_advance(today=date(2026, 4, 1))

    services.contracts_lifecycle_advance(today=date(2026, 4, 15))
    assert contract_of(shop).state == S.GRACE
    run = services.contracts_lifecycle_advance(today=date(2026, 4, 16))

    assert contract_of(shop).state == S.EXPIRED and run.expired == 1
    assert events_of(shop)[-1] == (A.EXPIRED, S.GRACE, S.EXPIRED)


def test_a_job_that_runs_late_still_counts_grace_from_the_due_date(shop_started_on):
    shop = shop_started_on(date(2026, 3, 18))

    services.contracts_lifecycle_advance(today=date(2026, 4, 10))  # nine days late

    assert contract_of(shop).grace_until == date(2026, 4, 15)


def test_a_job_that_missed_the_whole_grace_records_both_moves(shop_started_on):
    shop = shop_started_on(date(2026, 3, 18))

    run = services.contracts_lifecycle_advance(today=date(2026, 5, 1))

    contract = contract_of(shop)
    assert (contract.state, contract.grace_until) == (S.EXPIRED, date(2026, 4, 15))
    assert events_of(shop)[1:] == [(A.GRACE_STARTED, S.TRIALING, S.GRACE), (A.EXPIRED, S.GRACE, S.EXPIRED)]
    assert (run.grace_started, run.expired) == (1, 1)


def test_running_the_job_twice_on_one_day_writes_one_event(shop_started_on):
    shop = shop_started_on(date(2026, 3, 18))

    services.contracts_lifecycle_advance(today=date(2026, 4, 1))
    second = services.contracts_lifecycle_advance(today=date(2026, 4, 1))

    assert (second.grace_started, second.expired) == (0, 0)
    assert [e[0] for e in events_of(shop)] == [A.TRIAL_STARTED, A.GRACE_STARTED]


def test_the_job_moves_each_tenant_by_its_own_dates(
    tenant, other_tenant, owner, other_owner, root, shop_started_on
):
    day = contract_of(tenant).period_end + timedelta(days=1)  # the fixture shops' due date
    put_in(other_tenant, S.ACTIVE, other_owner)  # paid: a year ahead
    lapsing = shop_started_on(day - timedelta(days=40))  # its grace ended yesterday
    services.contracts_lifecycle_advance(today=day - timedelta(days=20))
    held = shop_started_on(day - timedelta(days=60))
    services.contract_suspend(contract=contract_of(held), reason="fraud check", actor=root)
    builds = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side Builds")
    before = {t.pk: len(events_of(t)) for t in (other_tenant, held, builds)}

    run = services.contracts_lifecycle_advance(today=day)

    assert contract_of(tenant).state == S.GRACE
    assert contract_of(lapsing).state == S.EXPIRED
    assert (contract_of(other_tenant).state, contract_of(held).state, contract_of(builds).state) == (
        S.ACTIVE,
        S.SUSPENDED,
        S.ACTIVE,
    )
    assert {t.pk: len(events_of(t)) for t in (other_tenant, held, builds)} == before
    assert (run.grace_started, run.expired, run.failed) == (1, 1, [])


def test_one_contract_that_fails_does_not_stop_the_others(tenant, other_tenant, monkeypatch):
    day = contract_of(tenant).period_end + timedelta(days=1)
    advance = lifecycle.contract_advance_by_dates

    def advance_or_break(*, contract, today, caused_by):
        if contract.tenant_id == tenant.pk:
            raise DatabaseError("the row could not be written")
        return advance(contract=contract, today=today, caused_by=caused_by)

    monkeypatch.setattr(lifecycle, "contract_advance_by_dates", advance_or_break)

    run = services.contracts_lifecycle_advance(today=day)

    assert run.failed == [tenant.pk] and run.grace_started == 1
    assert (contract_of(tenant).state, contract_of(other_tenant).state) == (S.TRIALING, S.GRACE)
    assert len(events_of(tenant)) == 1  # nothing half-written for the one that failed


def test_a_renewal_in_grace_takes_the_contract_off_the_jobs_list(tenant):
    contract = contract_of(tenant)
    end = contract.period_end
    services.contracts_lifecycle_advance(today=end + timedelta(days=1))
    services.contract_renew(contract=contract, paid_on=end + timedelta(days=3), amount=PRICE, caused_by="payment pay_1",
                            today=end + timedelta(days=3))  # fmt: skip

    run = services.contracts_lifecycle_advance(today=end + timedelta(days=30))

    assert contract_of(tenant).state == S.ACTIVE and run.expired == 0


def test_the_beat_task_sees_every_tenant_and_gives_a_missing_contract_its_start(
    tenant, other_tenant, shop_started_on
):
    today = services.today_local()
    lapsed = shop_started_on(today - timedelta(days=20))  # trial over 7 days ago: in grace today
    older = Tenant.objects.create(
        kind=Tenant.Kind.SHOP, name="Older Shop", slug="older-shop", state_code="27"
    )

    with request_scope():  # as a worker runs it: no tenant, and the beat job's own bypass
        result = contracts_lifecycle_task.apply().get()

    assert result["grace_started"] == 1 and result["failed"] == []
    assert contract_of(lapsed).state == S.GRACE
    started = contract_of(older)
    assert (started.state, started.period_start) == (S.TRIALING, today)
    assert ContractEvent.objects.get(tenant=older).caused_by == "daily lifecycle job: contract missing"


def test_the_backfill_command_gives_older_tenants_a_trial_or_the_free_plan_once(tenant):
    shop = Tenant.objects.create(kind=Tenant.Kind.SHOP, name="Older Shop", slug="older-shop", state_code="27")
    personal = Tenant.objects.create(kind=Tenant.Kind.PERSONAL, name="Older Builds", slug="older-builds")
    out = StringIO()

    call_command("billing_contracts_backfill", stdout=out)
    call_command("billing_contracts_backfill", stdout=out)

    assert out.getvalue() == "2 contract(s) started.\n0 contract(s) started.\n"
    assert (contract_of(shop).state, contract_of(personal).state) == (S.TRIALING, S.ACTIVE)
    assert contract_of(personal).period_kind == Contract.PeriodKind.FREE
    assert ContractEvent.objects.filter(tenant=shop).get().caused_by == "contracts for existing workspaces"
    assert len(events_of(tenant)) == 1  # a tenant with a contract is left alone


def test_the_demo_shop_is_on_its_trial(db):
    call_command("demo_seed", quiet=True)

    shop = Tenant.objects.get(slug="lakshmi-jewellers")
    assert contract_of(shop).state == S.TRIALING and contract_of(shop).plan.code == "amc"
    assert {contract_of(t).plan.code for t in Tenant.objects.filter(kind=Tenant.Kind.PERSONAL)} == {
        "personal"
    }
