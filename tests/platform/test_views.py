"""/admin/stats/, the platform's dashboard, and how super admins reach it (apps/platform)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.billing import services as billing
from apps.inventory.models import Purity
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.provisioning.models import Project
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.billing.conftest import contract_of
from tests.billing.histories import revenue_story

pytestmark = pytest.mark.django_db


def _client(**flags) -> Client:
    client = Client()
    client.force_login(UserFactory(**flags))
    return client


def _stock(tenant, owner, *, rate: str | None, grams: list[str], huids: int = 0):
    purity = Purity.objects.get(karat="22K")
    if rate:
        metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram=rate)
    for n, gross in enumerate(grams):
        stock_item_create(
            tenant=tenant, actor=owner, name=f"Ring {n}", purity=purity, gross_weight=gross,
            huid=f"HU{tenant.pk % 10}{n:03d}" if n < huids else "",
            hallmark_status="hallmarked" if n < huids else "pending",
        )  # fmt: skip


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_formats_every_figure_across_every_workspace(tenant, owner, other_tenant, other_owner):
    for shop, usd in [(tenant, "17.57"), (other_tenant, "48.57")]:
        Project.objects.create(
            tenant=shop, name="Site", key=f"k{shop.pk:07d}", region="ap-south-1", tier="small",
            estimate_usd_month=usd, infra_state=Project.InfraState.DEPLOYED,
        )  # fmt: skip
    Project.objects.create(
        tenant=tenant, name="Api", key=f"j{tenant.pk:07d}", region="ap-south-1", tier="small",
        estimate_usd_month="1234.5", infra_state=Project.InfraState.DEPLOYED,
    )  # fmt: skip
    _stock(tenant, owner, rate="6500", grams=["100", "50.5"], huids=1)  # 150.5 g at ₹6,500 = ₹9,78,250.00
    _stock(other_tenant, other_owner, rate=None, grams=["10"])  # no rate: counted, not valued
    assert reverse("admin-stats") == "/admin/stats/"

    response = _client(is_staff=True, is_superuser=True).get("/admin/stats/")

    text = _text(response.content.decode())
    assert response.status_code == 200 and "Platform dashboard" in text
    assert "Shop A Jewellers 2 $1,252.07" in text and "Shop B Gold 1 $48.57" in text  # dollars to the cent
    assert "3 deployed stacks" in text
    assert "Articles in stock or put aside 3 in 2 shops" in text
    assert "With a HUID 1 33% of them" in text
    assert "Net weight 160.500 g" in text
    assert "Metal value ₹9,78,250.00 at each shop's latest rate" in text
    assert "Not valued 1 article in 1 shop with no rate yet" in text
    assert "Jewellery shops 2 2 2 0" in text  # total, active in 7 and 30 days (they acted), deactivated


def test_active_means_acted_or_signed_in_within_the_period(tenant, owner, monkeypatch):
    twenty_days_ago = timezone.now() - timedelta(days=20)
    with monkeypatch.context() as then:  # a shop whose last recorded work was 20 days ago
        then.setattr(timezone, "now", lambda: twenty_days_ago)
        quiet_owner = UserFactory()
        tenant_create(owner=quiet_owner, kind="shop", name="Quiet Gold", state_code="27")
    User.objects.filter(pk=owner.pk).update(last_login=timezone.now() - timedelta(days=2))
    UserFactory(date_joined=timezone.now() - timedelta(days=60))  # signed up, never came back
    audit_record(tenant=tenant, actor=owner, action="rate.set", summary="A rate")

    text = _text(_client(is_staff=True, is_superuser=True).get("/admin/stats/").content.decode())

    assert "Jewellery shops 2 1 2 0" in text
    assert "People (platform staff not counted) 3 1 2" in text


def test_sign_ups_are_counted_per_week_for_twelve_weeks(tenant, owner):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    User.objects.filter(pk=owner.pk).update(date_joined=timezone.now() - timedelta(weeks=3))
    for _ in range(2):
        UserFactory()
    UserFactory(date_joined=timezone.now() - timedelta(weeks=20))  # before the chart

    response = _client(is_staff=True, is_superuser=True).get("/admin/stats/")

    weeks = response.context["signups"]
    assert (
        len(weeks) == 12 and weeks[-1]["week"] == monday and weeks[0]["week"] == monday - timedelta(weeks=11)
    )
    assert weeks[-1]["people"] == 2 and weeks[-1]["shops"] == 1
    assert weeks[-4]["people"] == 1 and sum(w["people"] for w in weeks) == 3
    assert f"{monday:%-d %b %Y}" in response.content.decode()


def test_the_dashboards_queries_do_not_grow_with_shops(tenant, owner, django_assert_max_num_queries):
    admin = _client(is_staff=True, is_superuser=True)
    _stock(tenant, owner, rate="6500", grams=["10"])
    admin.get("/admin/stats/")
    with django_assert_max_num_queries(40) as few:
        admin.get("/admin/stats/")
    for n in range(5):
        user = UserFactory()
        shop = tenant_create(owner=user, kind="shop", name=f"More Gold {n}", state_code="27")
        _stock(shop, user, rate="6400" if n % 2 else None, grams=["5", "6"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get("/admin/stats/")


def test_staff_who_are_not_super_admins_are_refused():
    assert _client(is_staff=True).get("/admin/stats/").status_code == 403


def test_members_of_a_workspace_are_sent_to_the_admin_login(owner_client):
    response = owner_client.get("/admin/stats/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_index_links_the_dashboard_for_super_admins():
    index = _client(is_staff=True, is_superuser=True).get("/admin/")
    staff_index = _client(is_staff=True).get("/admin/")

    assert '<a href="/admin/stats/">Platform dashboard</a>' in index.content.decode()
    assert "/admin/stats/" not in staff_index.content.decode()


@pytest.mark.parametrize(
    "flags, lands",
    [({"is_staff": True, "is_superuser": True}, "/admin/"), ({"is_staff": True}, "/admin/"), ({}, "/")],
)
def test_platform_admins_land_in_django_admin_after_signing_in(client, flags, lands):
    user = UserFactory(**flags)

    response = client.post("/login/", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == lands


def test_a_page_asked_for_before_signing_in_still_wins(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    response = client.post("/login/?next=/account/", {"username": user.email, "password": PASSWORD})
    assert response["Location"] == "/account/"


def test_a_super_admin_without_a_shop_is_sent_to_admin_not_to_create_one(tenant):
    admin = _client(is_staff=True, is_superuser=True)

    assert admin.get("/")["Location"] == "/admin/"
    assert _client().get("/")["Location"] == reverse("tenants:workspace_new")


def test_the_site_header_shows_platform_admins_a_link_to_admin(owner_client, owner, tenant):
    admin_page = _client(is_staff=True).get("/account/").content.decode()
    owner_page = owner_client.get("/").content.decode()

    assert '<a class="header-admin" href="/admin/">Platform admin</a>' in admin_page
    assert "header-admin" not in owner_page


# --- revenue from the AMC -------------------------------------------------------------------------


# The signed-in super admin and the header's memberships (2), sign-ups (2), revenue (8: plans, shops,
# credit notes, events, payments, contract counts, those in grace, those expired), workspaces and people
# (2), stock (2), provisioning (8).
STATS_QUERIES = 24


@pytest.fixture
def root():
    return UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def test_the_revenue_figures_show_paying_shops_mrr_and_who_is_in_grace(root_client, root):
    story = revenue_story(root, shops=2)

    response = root_client.get("/admin/stats/")

    text = _text(response.content.decode())
    assert response.status_code == 200
    # One shop pays ₹10,000 a year: MRR 10,000 ÷ 12 = ₹833.33; the other's trial is in grace.
    assert "1 paying shop · 0 in grace" in text
    assert "₹833.33 MRR · ₹0.00 at risk in grace" in text and "₹10,000.00 ARR" in text
    assert "0 on trial · 1 in grace, 0 expired" in text
    contract = contract_of(story.shops["Late"])
    assert (
        f'<a href="/admin/billing/contract/{contract.pk}/change/">Shop Late</a>' in response.content.decode()
    )
    assert "AMC 1 ₹833.33 ₹10,000.00" in text  # MRR by plan
    month = billing.today_local()
    assert f"{month:%b %Y} (to {month.day} {month:%b}) 1 0 ₹833.33" in text
    # The charts are drawn on the server, named for a screen reader; no script, no CDN.
    html = response.content.decode()
    assert html.count('role="img"') == 3 and '<title id="chart-mrr-name">MRR at each month' in html
    assert "<script" not in html.split('id="revenue"')[1].split("Provisioning")[0]


def test_the_revenue_figures_drill_down_by_plan_and_by_signup_month(root_client, root):
    story = revenue_story(root, shops=6)
    month = f"{billing.today_local() - timedelta(days=20):%Y-%m}"  # "Late" signed up then

    by_plan = _text(root_client.get("/admin/stats/?plan=plus").content.decode())
    by_month = root_client.get(f"/admin/stats/?cohort={month}").content.decode()
    both = _text(root_client.get(f"/admin/stats/?plan=amc&cohort={month}").content.decode())

    # Plus: More0 paid (₹15,000 a year → MRR ₹1,250.00); More3 never paid.
    assert "Showing plan Plus · clear plan" in by_plan and "₹1,250.00 MRR" in by_plan
    assert "1 paying shop" in by_plan
    assert f"Showing shops that signed up in {billing.today_local() - timedelta(days=20):%B %Y}" in _text(
        by_month
    )
    assert 'href="?#revenue">clear signup month</a>' in by_month
    assert "Showing plan AMC" in both and "Showing shops that signed up in" in both
    assert story.shops["Late"].name in by_month


@pytest.mark.parametrize(
    "query, message",
    [
        ("plan=gold", "There is no shop plan “gold”: the figures are for every plan."),
        ("cohort=2026-13", "“2026-13” is not a signup month like"),
        ("cohort=%3Cscript%3E", "“&lt;script&gt;” is not a signup month"),
    ],
)
def test_a_bad_drill_down_value_is_explained_not_a_server_error(root_client, root, query, message):
    revenue_story(root, shops=2)

    response = root_client.get(f"/admin/stats/?{query}")

    assert response.status_code == 200
    assert f'<p class="errornote">{message}' in response.content.decode()
    assert "Showing plan" not in response.content.decode() and "1 paying shop" in _text(
        response.content.decode()
    )


def test_the_revenue_figures_are_for_super_admins_only(root, owner_client):
    revenue_story(root, shops=2)

    refused = _client(is_staff=True).get("/admin/stats/?plan=amc")

    assert refused.status_code == 403 and "MRR" not in refused.content.decode()
    assert owner_client.get("/admin/stats/?plan=amc")["Location"].startswith("/admin/login/")


def test_the_dashboard_costs_the_same_queries_for_two_shops_or_twenty(root_client, root, assert_app_queries):
    revenue_story(root, shops=2)
    root_client.get("/admin/stats/")
    with assert_app_queries(STATS_QUERIES):
        root_client.get("/admin/stats/")
    revenue_story(root, shops=18, prefix="X")
    with assert_app_queries(STATS_QUERIES):
        assert root_client.get("/admin/stats/?plan=amc").status_code == 200
    with assert_app_queries(STATS_QUERIES):
        root_client.get("/admin/stats/")
