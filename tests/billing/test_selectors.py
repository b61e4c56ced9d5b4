"""What later work reads: whether a workspace may write now (and why not), what renewing costs, who is due."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.billing import selectors
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.billing.conftest import S, contract_of, put_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "state, refusal",
    [
        (S.TRIALING, None),
        (S.ACTIVE, None),
        (S.GRACE, None),  # grace is access grace: everything keeps working
        (S.EXPIRED, "Your AMC has expired: renew to make changes. Everything stays readable and exportable."),
        (
            S.SUSPENDED,
            "Your AMC is suspended: contact Tijori to make changes. Everything stays readable and exportable.",
        ),
    ],
)
def test_only_an_expired_or_suspended_contract_refuses_writes(
    tenant, other_tenant, owner, other_owner, state, refusal
):
    put_in(other_tenant, S.ACTIVE, other_owner)
    put_in(tenant, state, owner)

    assert selectors.contract_write_refusal(tenant=tenant) == refusal
    assert selectors.contract_write_allowed(tenant=tenant) is (refusal is None)
    assert selectors.contract_write_allowed(tenant=other_tenant) is True  # another shop's state is its own


def test_the_write_gate_costs_one_query(tenant, owner, django_assert_num_queries):
    put_in(tenant, S.EXPIRED, owner)

    with django_assert_num_queries(1):
        assert selectors.contract_write_refusal(tenant=tenant) is not None


def test_a_tenant_with_no_contract_yet_may_write():
    older = Tenant.objects.create(
        kind=Tenant.Kind.SHOP, name="Older Shop", slug="older-shop", state_code="27"
    )

    assert selectors.contract_for(tenant=older) is None
    assert selectors.contract_write_allowed(tenant=older) is True


def test_the_amount_due_is_a_year_of_the_plan_before_gst(tenant, owner):
    builds = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side Builds")

    assert selectors.contract_amount_due(contract=contract_of(tenant)) == Decimal("10000.00")
    assert selectors.contract_amount_due(contract=contract_of(builds)) == Decimal("0.00")
