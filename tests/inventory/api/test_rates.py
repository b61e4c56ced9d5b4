"""The metal rate API (`apps/inventory/api/rates.py`): record, correct, list, latest."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import MetalRate, Purity
from apps.inventory.services import (
    metal_rate_set,
)

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def p18():
    return Purity.objects.get(metal="gold", karat="18K")


def test_record_then_correct_todays_rate(api, tenant):
    created = api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": "6,500.5"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["rate_per_gram"], body["effective_on"], body["purity"]["label"]) == (
        "6500.50",
        str(timezone.localdate()),
        "22K916",
    )
    corrected = api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": 6550})
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["id"] == body["id"] and corrected.json()["rate_per_gram"] == "6550.00"
    assert MetalRate.objects.for_tenant(tenant).get().rate_per_gram == Decimal("6550.00")
    assert AuditEvent.objects.filter(tenant=tenant, action="rate.set").count() == 2


def test_rates_list_newest_first_with_filters(api, tenant, owner, other_tenant, other_owner):
    today = timezone.localdate()
    for days, purity, rate in [
        (0, p22(), "6600"),
        (1, p22(), "6500"),
        (1, p18(), "5400"),
        (5, p22(), "6400"),
    ]:
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=purity,
            rate_per_gram=rate,
            effective_on=today - timedelta(days=days),
        )
    metal_rate_set(tenant=other_tenant, actor=other_owner, purity=p22(), rate_per_gram="1")

    def rates(**params):
        response = api.get("/api/v1/metal-rates", params)
        assert response.status_code == 200, response.json()
        return [
            (r["effective_on"], r["purity"]["karat"], r["rate_per_gram"]) for r in response.json()["results"]
        ]

    assert [r[2] for r in rates()] == ["6600.00", "6500.00", "5400.00", "6400.00"]
    assert [r[2] for r in rates(purity=p18().pk)] == ["5400.00"]
    yesterday = str(today - timedelta(days=1))
    assert [r[2] for r in rates(date_from=yesterday)] == ["6600.00", "6500.00", "5400.00"]
    assert [r[2] for r in rates(date_from=yesterday, date_to=yesterday)] == ["6500.00", "5400.00"]
    assert api.get("/api/v1/metal-rates", {"date_from": "yesterday"}).status_code == 400
    assert api.get("/api/v1/metal-rates", {"purity": 2**70}).status_code == 400


def test_latest_rate_per_purity(api, tenant, owner):
    today = timezone.localdate()
    metal_rate_set(
        tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500", effective_on=today - timedelta(days=2)
    )
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6600")
    metal_rate_set(
        tenant=tenant, actor=owner, purity=p18(), rate_per_gram="5400", effective_on=today - timedelta(days=3)
    )
    latest = api.get("/api/v1/metal-rates/latest")
    assert latest.status_code == 200
    assert [(r["purity"]["label"], r["rate_per_gram"]) for r in latest.json()] == [
        ("22K916", "6600.00"),
        ("18K750", "5400.00"),
    ]
    earlier = api.get("/api/v1/metal-rates/latest", {"on": str(today - timedelta(days=1))}).json()
    assert [r["rate_per_gram"] for r in earlier] == ["6500.00", "5400.00"]
    assert api.get("/api/v1/metal-rates/latest", {"on": "someday"}).status_code == 400


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"rate_per_gram": "0"}, "rate_per_gram", "more than zero"),
        ({"rate_per_gram": "-5"}, "rate_per_gram", "more than zero"),
        ({"rate_per_gram": "gold"}, "rate_per_gram", "as a number"),
        ({"rate_per_gram": "9" * 20}, "rate_per_gram", "digits in total"),
        ({"rate_per_gram": "999999999999999"}, "rate_per_gram", "digits"),
        ({"rate_per_gram": None}, "rate_per_gram", "may not be null"),
        ({"purity": 999999}, "purity", "Choose a purity"),
        ({"purity": "22K"}, "purity", "valid integer"),
        ({"purity": 2**70}, "purity", "less than or equal to"),
        ({"effective_on": "future"}, "effective_on", "future day"),
        ({"effective_on": "31-12-2025"}, "effective_on", "wrong format"),
    ],
)
def test_bad_rate_is_400_on_its_field_and_saves_nothing(api, tenant, change, field, message):
    payload = {"purity": p22().pk, "rate_per_gram": "6500", **change}
    if payload.get("effective_on") == "future":
        payload["effective_on"] = str(timezone.localdate() + timedelta(days=1))
    response = api.post("/api/v1/metal-rates", payload)
    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["fields"][field]), response.json()
    assert not MetalRate.objects.exists()
    assert not AuditEvent.objects.filter(action="rate.set").exists()


def test_staff_read_rates_but_only_owners_and_admins_record_them(tenant, owner, staff_api, admin_api):
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6400")
    refused = staff_api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": "6500"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only owners and admins can do this: set the day's metal rates."
    assert staff_api.get("/api/v1/metal-rates/latest").json()[0]["rate_per_gram"] == "6400.00"
    created = admin_api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": "₹6,500.50"})
    assert created.status_code == 200 and created.json()["rate_per_gram"] == "6500.50"


def test_rate_list_query_count_is_flat(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    today = timezone.localdate()
    for days in range(3):
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=p22(),
            rate_per_gram="6500",
            effective_on=today - timedelta(days),
        )
    api.get("/api/v1/metal-rates")
    with django_assert_max_num_queries(10) as first:
        api.get("/api/v1/metal-rates")
    for days in range(3, 30):
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=p18(),
            rate_per_gram="5400",
            effective_on=today - timedelta(days),
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get("/api/v1/metal-rates")
    assert response.json()["count"] == 30
