"""The dashboard's notice that the AMC's period ends within 30 days: the date, the days left and a link
to renew, for the members who may see the AMC; it costs the dashboard no query (the AMC banner's
contract is read once per request), and a shop sees only its own dates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.dateformat import format as date_format

from apps.billing import services
from apps.tenants.models import Membership, Role
from tests.billing.conftest import PRICE, contract_of
from tests.conftest import add_member

pytestmark = pytest.mark.django_db

URL = reverse("tenants:dashboard")


def _day(value) -> str:
    return date_format(value, "j M Y")


def _notice(client) -> str:
    """The notice's text on the dashboard ("" when there is none), spaces collapsed."""
    html = client.get(URL).content.decode()
    if 'id="amc-ending"' not in html:
        return ""
    notice = html.split('id="amc-ending"', 1)[1].split("</div>", 1)[0]
    return " ".join(notice.split())


def _shop_of(owner, shop_started_on, days_ago: int):
    shop = shop_started_on(services.today_local() - timedelta(days=days_ago))
    Membership.objects.create(tenant=shop, user=owner, role=Role.OWNER)
    return shop


def test_the_owner_reads_when_the_trial_ends_and_where_to_renew(owner_client, tenant):
    end = contract_of(tenant).period_end  # a 14-day trial started today

    notice = _notice(owner_client)

    assert f"Your trial ends on {_day(end)} (in 13 days)." in notice
    assert f'<a href="{reverse("billing:contract")}">Renew now</a>' in notice


def test_an_admin_sees_it_and_staff_do_not(make_client, tenant, admin_user, staff_user):
    assert "Your trial ends on" in _notice(make_client(admin_user, tenant))
    assert _notice(make_client(staff_user, tenant)) == ""


def test_a_paid_or_complimentary_period_reads_your_amc_and_the_last_day_reads_today(
    make_client, other_owner, shop_started_on, root
):
    today = services.today_local()
    last_day = _shop_of(other_owner, shop_started_on, 13)  # the trial's last day is today
    client = make_client(other_owner, last_day)
    assert f"Your trial ends today, {_day(today)}." in _notice(client)

    services.contract_comp(
        contract=contract_of(last_day), until=today + timedelta(days=7), reason="offer", actor=root
    )

    assert f"Your AMC ends on {_day(today + timedelta(days=7))} (in 7 days)." in _notice(client)


def test_no_notice_a_month_away_nor_in_grace_where_the_banner_speaks(
    owner_client, tenant, make_client, other_owner, shop_started_on
):
    day = services.today_local()
    services.contract_renew(
        contract=contract_of(tenant), paid_on=day, amount=PRICE, caused_by="payment t", today=day
    )
    assert _notice(owner_client) == ""  # a year ahead

    lapsed = _shop_of(other_owner, shop_started_on, 20)
    services.contracts_lifecycle_advance(today=day)
    client = make_client(other_owner, lapsed)
    assert contract_of(lapsed).state == "grace"
    assert _notice(client) == "" and "access continues until" in client.get(URL).content.decode()


def test_a_shop_reads_its_own_dates_never_another_shops(owner_client, tenant, other_tenant, root):
    today = services.today_local()
    services.contract_comp(
        contract=contract_of(other_tenant), until=today + timedelta(days=20), reason="offer", actor=root
    )
    other_end = contract_of(other_tenant).period_end

    notice = _notice(owner_client)

    assert _day(contract_of(tenant).period_end) in notice and _day(other_end) not in notice


def test_the_notice_reads_the_contract_the_banner_reads_once_and_costs_no_query(
    owner_client, tenant, django_assert_num_queries, django_assert_max_num_queries
):
    for _ in range(3):
        add_member(tenant, Role.STAFF)
    owner_client.get(URL)  # from here the stock figures come from the cache (a renewal leaves them)
    with django_assert_max_num_queries(18) as with_notice:
        assert 'id="amc-ending"' in owner_client.get(URL).content.decode()
    contract_reads = [q["sql"] for q in with_notice.captured_queries if 'FROM "billing_contract"' in q["sql"]]
    assert len(contract_reads) == 1, contract_reads
    day = services.today_local()
    services.contract_renew(
        contract=contract_of(tenant), paid_on=day, amount=PRICE, caused_by="payment t", today=day
    )

    with django_assert_num_queries(len(with_notice.captured_queries)):
        assert 'id="amc-ending"' not in owner_client.get(URL).content.decode()
