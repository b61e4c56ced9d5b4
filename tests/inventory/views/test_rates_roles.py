"""The day's rates and the stock's value belong to owners and admins; staff read the rates and see articles.
"Start from yesterday's rates" fills the day's form without saving it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.inventory.models import MetalRate, Purity
from apps.inventory.services import metal_rate_set, metal_rates_set
from apps.tenants.exceptions import RoleNotAllowedError
from tests.inventory.factories import MetalRateFactory, StockItemFactory

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def p18():
    return Purity.objects.get(metal="gold", karat="18K")


def test_staff_read_the_rates_but_cannot_set_them(make_client, tenant, owner, staff_user):
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6612.50")
    staff = make_client(staff_user, tenant)

    page = staff.get(reverse("inventory:rates"))
    refused = staff.post(
        reverse("inventory:rates"), {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "7000"}
    )

    html = page.content.decode()
    assert page.status_code == 200 and "₹6,612.50" in html
    assert "Owners and admins set the day's rates." in html and "Save rates" not in html
    assert refused.status_code == 403
    assert MetalRate.objects.for_tenant(tenant).get().rate_per_gram == Decimal("6612.50")


def test_the_service_refuses_a_staff_member_and_saves_nothing(tenant, owner, staff_user):
    for call in (
        lambda: metal_rate_set(tenant=tenant, actor=staff_user, purity=p22(), rate_per_gram="7000"),
        lambda: metal_rates_set(tenant=tenant, actor=staff_user, rates={p22(): "7000"}),
    ):
        with pytest.raises(RoleNotAllowedError, match="Only owners and admins can do this"):
            call()
    assert not MetalRate.objects.for_tenant(tenant).exists()


def test_an_admin_sets_rates_typed_with_grouping(make_client, tenant, admin_user):
    admin = make_client(admin_user, tenant)

    bad = admin.post(
        reverse("inventory:rates"), {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "6,61,2"}
    )
    good = admin.post(
        reverse("inventory:rates"),
        {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "₹6,612.50", f"rate_{p18().pk}": "5,400"},
    )

    assert bad.status_code == 422
    assert bad.context["form"].errors[f"rate_{p22().pk}"] == ["Enter it as a number, like 5,512.50."]
    assert good.status_code == 302
    rates = dict(MetalRate.objects.for_tenant(tenant).values_list("purity__karat", "rate_per_gram"))
    assert rates == {"22K": Decimal("6612.50"), "18K": Decimal("5400.00")}


def test_start_from_the_latest_earlier_days_rates_fills_the_form_without_saving(
    owner_client, tenant, owner, other_tenant, other_owner
):
    today = timezone.localdate()
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6400", effective_on=today - timedelta(days=5))
    MetalRateFactory(
        tenant=tenant, actor=owner, rate_per_gram="6550.5", effective_on=today - timedelta(days=3)
    )
    MetalRateFactory(
        tenant=tenant,
        actor=owner,
        purity=p18(),
        rate_per_gram="123456",
        effective_on=today - timedelta(days=3),
    )
    MetalRateFactory(
        tenant=other_tenant, actor=other_owner, rate_per_gram="1", effective_on=today - timedelta(1)
    )
    saved = MetalRate.objects.count()

    page = owner_client.get(reverse("inventory:rates"))
    started = owner_client.get(reverse("inventory:rates") + "?start=previous")

    three_days_ago = f"{today - timedelta(days=3):%-d %b}"
    assert f"Start from the rates of {three_days_ago}</a>" in page.content.decode()
    form = started.context["form"]
    assert form[f"rate_{p22().pk}"].value() == "6,550.50"
    assert form[f"rate_{p18().pk}"].value() == "1,23,456.00"
    assert form["effective_on"].value() == today
    assert "nothing is saved yet" in started.content.decode()
    assert MetalRate.objects.count() == saved


def test_the_button_says_yesterday_when_the_rates_are_yesterdays(owner_client, tenant, owner):
    MetalRateFactory(tenant=tenant, actor=owner, effective_on=timezone.localdate() - timedelta(days=1))

    assert "Start from yesterday's rates" in owner_client.get(reverse("inventory:rates")).content.decode()


def test_staff_see_articles_but_not_the_stocks_total_value(make_client, tenant, owner, staff_user):
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6000")
    StockItemFactory(tenant=tenant, actor=owner, sku="NK-1", gross_weight="15")
    staff, owner_view = make_client(staff_user, tenant), make_client(owner, tenant)

    for client, sees_value in ((owner_view, True), (staff, False)):
        dashboard = client.get(reverse("tenants:dashboard")).content.decode()
        stock = client.get(reverse("inventory:stock_list")).content.decode()
        rows = client.get(reverse("inventory:stock_list"), headers={"HX-Request": "true"}).content.decode()
        assert ("metal value at the latest rates" in dashboard) is sees_value
        assert ("₹90,000.00" in dashboard) is sees_value
        assert ("in hand worth" in stock) is sees_value and ("in hand worth" in rows) is sees_value
        assert "NK-1" in stock and "15.000 g" in dashboard  # the articles and their weight, for everyone
