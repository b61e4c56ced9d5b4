"""The stock API (`apps/inventory/api/stock.py`): purities and articles."""

import pytest

from apps.audit.models import AuditEvent
from apps.inventory.models import Purity, StockItem
from apps.inventory.services import (
    stock_item_create,
)
from tests.api_helpers import ApiClient, make_key

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def test_purities_list(api):
    body = api.get("/api/v1/purities").json()
    assert {"metal": "gold", "karat": "22K", "fineness": 916, "label": "22K916"}.items() <= next(
        p for p in body if p["label"] == "22K916"
    ).items()


def test_create_read_update_delete(api, tenant):
    created = api.post(
        "/api/v1/stock-items",
        {
            "name": "Haar",
            "category": "necklace",
            "purity": p22().pk,
            "gross_weight": "25.5",
            "stone_weight": "1.25",
            "huid": "ab12cd",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["net_weight"], body["huid"], body["hallmark_status"], body["hsn_code"]) == (
        "24.250",
        "AB12CD",
        "hallmarked",
        "7113",
    )
    item_id = body["id"]
    updated = api.patch(
        f"/api/v1/stock-items/{item_id}", {"ready_for_sale": True, "stock_status": "reserved"}
    )
    assert updated.status_code == 200 and updated.json()["stock_status"] == "reserved"
    assert api.get(f"/api/v1/stock-items/{item_id}").json()["ready_for_sale"] is True
    assert api.delete(f"/api/v1/stock-items/{item_id}").status_code == 204
    assert not StockItem.objects.exists()
    assert AuditEvent.objects.filter(tenant=tenant, action="stock.delete").exists()


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"huid": "AB12"}, "huid", "6 letters or digits"),
        ({"gross_weight": "heavy"}, "gross_weight", "as a number"),
        ({"gross_weight": "2", "stone_weight": "3"}, "stone_weight", "more than the gross"),
        ({"purity": 999999}, "purity", "Choose a purity"),
        ({"ready_for_sale": True}, "huid", "needs its HUID"),
        ({"gross_weight": "9" * 20}, "gross_weight", "digits in total"),
        ({"gross_weight": "99999999999"}, "gross_weight", "digits"),
        ({"stone_value": "-1"}, "stone_value", "greater than or equal to 0"),
    ],
)
def test_bad_input_is_400_by_field_and_saves_nothing(api, payload, field, message):
    body = {"name": "Ring", "purity": p22().pk, "gross_weight": "5", **payload}
    response = api.post("/api/v1/stock-items", body)
    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["fields"][field])
    assert not StockItem.objects.exists()


def test_filters_search_and_ordering(api, tenant, owner):
    silver = Purity.objects.get(metal="silver", fineness=925)
    a = stock_item_create(
        tenant=tenant, actor=owner, sku="A-1", name="Gold chain", purity=p22(), gross_weight="8"
    )
    stock_item_create(
        tenant=tenant, actor=owner, sku="A-2", name="Gold ring", purity=p22(), gross_weight="3", huid="ZZ11ZZ"
    )
    stock_item_create(
        tenant=tenant, actor=owner, sku="B-1", name="Silver anklet", purity=silver, gross_weight="40"
    )
    stock_item_create(
        tenant=tenant, actor=owner, sku="C-1", name="Nose pin", purity=p22(), gross_weight="1.2"
    )

    def skus(**params):
        return [r["sku"] for r in api.get("/api/v1/stock-items", params).json()["results"]]

    assert skus(missing_huid="true") == ["A-1"]
    assert skus(metal="silver") == ["B-1"]
    assert skus(q="zz11zz") == ["A-2"]
    assert skus(q="gold", ordering="sku") == ["A-1", "A-2"]
    assert skus(hallmark_status="hallmarked") == ["A-2"]
    assert skus(purity=p22().pk, ordering="-net_weight") == ["A-1", "A-2", "C-1"]
    assert api.get("/api/v1/stock-items", {"ordering": "password"}).status_code == 400
    assert a.pk in [r["id"] for r in api.get("/api/v1/stock-items").json()["results"]]


def test_staff_edit_stock_but_only_admins_delete(tenant, owner, staff_user):
    staff = ApiClient(make_key(tenant, staff_user, "staff"))
    created = staff.post("/api/v1/stock-items", {"name": "Ring", "purity": p22().pk, "gross_weight": "1.5"})
    assert created.status_code == 201
    assert staff.delete(f"/api/v1/stock-items/{created.json()['id']}").status_code == 403


def test_sold_article_cannot_be_deleted(api, tenant, owner):
    item = stock_item_create(
        tenant=tenant, actor=owner, name="Coin", purity=p22(), gross_weight="1", stock_status="sold"
    )
    response = api.delete(f"/api/v1/stock-items/{item.pk}")
    assert response.status_code == 409 and response.json()["code"] == "stock_item_in_use"


def test_list_query_count_is_flat(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    for i in range(3):
        stock_item_create(tenant=tenant, actor=owner, name=f"R{i}", purity=p22(), gross_weight="1")
    api.get("/api/v1/stock-items")
    with django_assert_max_num_queries(10) as first:
        api.get("/api/v1/stock-items", {"metal": "gold"})
    for i in range(40):
        stock_item_create(tenant=tenant, actor=owner, name=f"S{i}", purity=p22(), gross_weight="1")
    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get("/api/v1/stock-items", {"metal": "gold"})
    assert response.json()["count"] == 43
