"""/admin/stats/, the platform's dashboard, and how super admins reach it (apps/platform)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.inventory.models import Purity
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.provisioning.models import Project
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory

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
