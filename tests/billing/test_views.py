"""The workspace's Billing page: its plan, state and dates, and its history; for owners and admins."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.billing import services
from apps.tenants.models import Role, Tenant
from apps.tenants.services import tenant_create
from tests.billing.conftest import S, contract_of, put_in
from tests.conftest import add_member

pytestmark = pytest.mark.django_db

URL = "/settings/billing/"


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_owner_sees_the_trial_with_its_days_left_and_history(owner_client, tenant, other_tenant, root):
    services.contract_suspend(contract=contract_of(other_tenant), reason="Another shop's secret", actor=root)
    contract = contract_of(tenant)

    response = owner_client.get(URL)

    assert response.status_code == 200
    text = _text(response)
    assert "AMC of Shop A Jewellers" in text
    assert "₹10,000.00 a year + GST" in text
    assert f"Trial until {contract.period_end:%d %b %Y}" in text
    assert "14 days left" in text  # a 14-day trial that started today, today included
    assert "Trial started" in text and "jewellery shop created" in text
    assert "Stock with BIS hallmark HUIDs" in text  # what the plan includes
    assert "Another shop's secret" not in text and "Suspended" not in text  # another tenant's history
    assert 'aria-current="page">Billing</a>' in response.content.decode()


def test_an_admin_sees_it_and_staff_do_not(make_client, tenant, admin_user, staff_user):
    assert make_client(admin_user, tenant).get(URL).status_code == 200
    assert make_client(staff_user, tenant).get(URL).status_code == 403
    team = make_client(staff_user, tenant).get(reverse("tenants:team")).content.decode()
    assert ">Billing</a>" not in team


def test_a_shop_in_grace_reads_until_when_everything_keeps_working(owner_client, tenant, owner):
    contract, _ = put_in(tenant, S.GRACE, owner)

    text = _text(owner_client.get(URL))

    assert "In grace until" in text
    assert (
        f"The trial ended on {contract.period_end:%d %b %Y} unpaid. Everything keeps working as before until "
        f"{contract.grace_until:%d %b %Y}, the last day of grace." in text
    )


def test_an_expired_shop_reads_that_nothing_is_deleted(owner_client, tenant, owner):
    contract, _ = put_in(tenant, S.EXPIRED, owner)

    response = owner_client.get(URL)

    assert response.status_code == 200
    text = _text(response)
    assert f"Grace ended {contract.grace_until:%d %b %Y}" in text
    assert "Nothing is deleted: every record stays readable and exportable." in text
    assert "Grace started" in text and "Expired" in text and "daily lifecycle job" in text


def test_a_paid_shop_reads_paid_until(owner_client, tenant, owner):
    contract, _ = put_in(tenant, S.ACTIVE, owner)

    text = _text(owner_client.get(URL))

    assert f"Paid until {contract.period_end:%d %b %Y}" in text and "payment t1" in text


def test_a_personal_workspace_is_free_and_shows_its_provisioning_quotas(make_client, owner, settings):
    settings.PROVISIONING_MAX_PROJECTS = 3
    builds = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side Builds")

    text = _text(make_client(owner, builds).get(URL))

    assert "Personal" in text and "Free" in text and "Personal is free and has no end." in text
    assert "Up to 3 projects at once, each estimated at $50.00 a month at most, and $100.00 a month" in text


# The user, the memberships, the contract (the page's, and the AMC banner's of the base template), the history.
# Member, contract (shared with the AMC banner), history, and the paying part: the GST rate, the open
# order, Tijori's invoices and the payments.
PAGE_QUERIES = 8


def test_the_page_costs_the_same_few_queries_however_long_the_history(
    owner_client, tenant, root, assert_app_queries
):
    contract = contract_of(tenant)
    owner_client.get(URL)  # warm the session's first read
    with assert_app_queries(PAGE_QUERIES):
        owner_client.get(URL)
    for days in range(1, 8):
        services.contract_extend(contract=contract, days=days, reason="goodwill", actor=root)

    with assert_app_queries(PAGE_QUERIES):
        response = owner_client.get(URL)

    assert _text(response).count("goodwill") == 7


def test_a_second_shop_of_the_same_owner_shows_its_own_contract(make_client, owner, tenant):
    second = tenant_create(owner=owner, kind=Tenant.Kind.SHOP, name="Shop A Annexe", state_code="27")
    add_member(second, Role.STAFF)
    services.contract_extend(contract=contract_of(second), days=30, reason="Annexe opening", actor=owner)

    first_page = _text(make_client(owner, tenant).get(URL))
    second_page = _text(make_client(owner, second).get(URL))

    assert "Annexe opening" in second_page and "Annexe opening" not in first_page
    assert f"Trial until {contract_of(second).period_end:%d %b %Y}" in second_page
    assert contract_of(second).period_end == contract_of(tenant).period_end + timedelta(days=30)
