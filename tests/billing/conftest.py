"""Fixtures of the AMC billing tests: a super admin, and contracts put in each state through the services.

Dates are relative to the shop's trial, which `tenant_create` starts today: `on(contract, n)` is the
n-th day after the trial's last day, and every service is given the day it runs on (`today=`), so a
test walks the calendar without touching the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from apps.billing import services
from apps.billing.models import Contract, ContractEvent
from tests.accounts.factories import UserFactory

S = Contract.State
A = ContractEvent.Action
PRICE = Decimal("10000.00")


@pytest.fixture
def root():
    return UserFactory(email="root@tijori.in", full_name="Ravi Root", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root):
    client = Client()
    client.force_login(root)
    return client


def contract_of(tenant) -> Contract:
    return Contract.objects.select_related("plan").get(tenant=tenant)


def events_of(tenant) -> list[tuple[str, str, str]]:
    """(action, from, to) of each event of the tenant's contract, oldest first."""
    return list(
        ContractEvent.objects.filter(tenant=tenant)
        .order_by("created_at", "id")
        .values_list("action", "from_state", "to_state")
    )


def after_trial(contract: Contract, days: int) -> date:
    """The day `days` after the trial's (or period's) last day: 1 is the due date."""
    return contract.period_end + timedelta(days=days)


def put_in(tenant, state: str, actor) -> tuple[Contract, date]:
    """The tenant's contract moved into `state` the way it gets there in life, and the day it is now."""
    contract = contract_of(tenant)
    if state == S.TRIALING:
        return contract, contract.period_start
    if state == S.ACTIVE:
        day = contract.period_start
        return services.contract_renew(
            contract=contract, paid_on=day, amount=PRICE, caused_by="payment t1", today=day
        ), day
    if state in (S.GRACE, S.EXPIRED):
        day = after_trial(contract, 1 if state == S.GRACE else contract.plan.grace_days + 1)
        services.contracts_lifecycle_advance(today=day)
        return contract_of(tenant), day
    if state == S.SUSPENDED:
        return services.contract_suspend(
            contract=contract, reason="chargeback under review", actor=actor
        ), contract.period_start
    raise AssertionError(state)


@pytest.fixture
def shop_started_on(db):
    """A shop whose trial started on a given day (made as before billing, then given its contract)."""
    from apps.tenants.models import Tenant

    made = []

    def make(day: date):
        shop = Tenant.objects.create(
            kind=Tenant.Kind.SHOP, name=f"Shop {len(made)}", slug=f"shop-{len(made)}", state_code="27"
        )
        services.contract_start_trial(tenant=shop, caused_by="test", today=day)
        made.append(shop)
        return shop

    return make
