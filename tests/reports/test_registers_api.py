"""/api/v1/registers/…: the registers for integrations, read with an API key."""

import pytest

from apps.tenants.models import Role
from tests.api_helpers import ApiClient, make_key
from tests.conftest import add_member
from tests.reports.test_registers_views import _more_sales

pytestmark = pytest.mark.django_db

OCT = {"from": "2026-10-01", "to": "2026-10-31"}
PATHS = ["sales", "hsn-summary", "payments", "old-gold", "stock-movement"]


@pytest.fixture
def staff_api(book):
    """A key made by a staff member: reading registers is a staff right."""
    staff = add_member(book.tenant, Role.STAFF, "counter@shop-a.in")
    return ApiClient(make_key(book.tenant, staff, "staff"))


def test_the_sales_register_answers_rows_and_totals(staff_api, book):
    response = staff_api.get("/api/v1/registers/sales", OCT)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["range"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert [r["number"] for r in body["results"]] == [
        book.documents[n].number for n in ("I1", "I2", "CN1", "DN1")
    ]
    credit = body["results"][2]
    assert (credit["doc_type"], credit["taxable_value"], credit["grand_total"], credit["counted"]) == (
        "credit_note", "-67700.00", "-69731.00", True,
    )  # fmt: skip
    assert body["results"][1]["counted"] is False  # cancelled
    assert body["totals"] == {
        "documents": 4, "cancelled": 1, "taxable_value": "1100.00", "cgst": "99.00", "sgst": "99.00",
        "igst": "0.00", "tax": "198.00", "round_off": "0.00", "grand_total": "1298.00",
    }  # fmt: skip


def test_each_register_answers_its_hand_worked_totals(staff_api, book):
    def get(path, **params):
        response = staff_api.get(f"/api/v1/registers/{path}", {**OCT, **params})
        assert response.status_code == 200, response.content
        return response.json()

    hsn = get("hsn-summary")
    assert hsn["totals"]["all"]["taxable_value"] == "1100.00" and hsn["totals"]["b2c"]["quantity"] == "-9.500"
    assert [(r["section"], r["hsn_code"], r["uqc"]) for r in hsn["results"]] == [
        ("b2b", "7113", "GMS"), ("b2b", "9987", "OTH"), ("b2c", "7113", "GMS"),
    ]  # fmt: skip
    payments = get("payments")
    assert {m["mode"]: m["amount"] for m in payments["totals"]["modes"]}["advance_received"] == "5000.00"
    assert (payments["totals"]["money_in"], payments["count"]) == ("56029.00", 5)
    assert [r["kind"] for r in get("payments", mode="advance_received")["results"]] == ["advance_received"]
    old_gold = get("old-gold")
    assert old_gold["results"][0]["fine_weight"] == "10.534" and old_gold["totals"]["value"] == "63204.00"
    stock = get("stock-movement")
    gold = stock["results"][0]
    assert (gold["purity"], gold["opening"]["count"], gold["closing"], gold["in_hand_now"]) == (
        "22K916", 2, {"count": 3, "net": "28.500", "gross": "30.000"}, None,
    )  # fmt: skip
    assert [m["metal"] for m in stock["totals"]["metals"]] == ["gold", "silver"]


def test_another_shops_key_reads_only_its_own(book, other_shop, other_owner):
    theirs = ApiClient(make_key(other_shop, other_owner, "owner"))
    sales = theirs.get("/api/v1/registers/sales", OCT).json()
    assert [r["buyer_name"] for r in sales["results"]] == ["Kavya"]
    payments = theirs.get("/api/v1/registers/payments", OCT).json()
    assert {r["customer_name"] for r in payments["results"]} == {"Kavya"}
    assert theirs.get("/api/v1/registers/old-gold", OCT).json()["totals"]["vouchers"] == 1


@pytest.mark.parametrize(
    "params, field, says",
    [
        ({"from": "2026-13-01"}, "from", "Enter a date as 2026-10-31 or 31-10-2026."),
        ({"from": "2026-10-31", "to": "2026-10-01"}, "to", "The range ends before it starts"),
        ({"from": "2025-10-01", "to": "2026-10-31"}, "to", "at most 366 days"),
        ({"from": "2026-10-01", "to": "2100-01-01"}, "to", "Choose a day between 01-01-2000 and 31-12-2099."),
        ({"kind": "receipt"}, "kind", "Select a valid choice."),
        ({"q": "x" * 101}, "q", "at most 100 characters"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(staff_api, params, field, says):
    response = staff_api.get("/api/v1/registers/sales", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [field]
    assert says in body["fields"][field][0]


def test_lists_are_paged_and_totals_cover_every_page(staff_api):
    first = staff_api.get("/api/v1/registers/payments", {**OCT, "page_size": 2}).json()
    assert (first["count"], len(first["results"])) == (5, 2)
    assert first["next"] and first["previous"] is None
    assert first["totals"]["listed"] == {"count": 5, "amount": "76029.00"}
    last = staff_api.get("/api/v1/registers/payments", {**OCT, "page_size": 2, "page": 3}).json()
    assert [r["amount"] for r in last["results"]] == ["118.00"]
    assert staff_api.get("/api/v1/registers/payments", {**OCT, "page": 9}).status_code == 404


def test_an_anonymous_caller_is_refused(client):
    assert client.get("/api/v1/registers/sales").status_code in (401, 403)


@pytest.mark.parametrize("path", PATHS)
def test_a_register_costs_the_same_queries_however_many_rows(
    path, book, staff_api, on_day, assert_app_queries
):
    url = f"/api/v1/registers/{path}"
    staff_api.get(url, OCT)  # the key's first use is recorded once
    with assert_app_queries() as few:
        assert staff_api.get(url, OCT).status_code == 200
    _more_sales(book, on_day, 6)
    with assert_app_queries(few.count):
        assert staff_api.get(url, OCT).status_code == 200
    # The key with its workspace (1), then as on the register's page.
    assert (
        few.count == {"sales": 4, "hsn-summary": 4, "payments": 5, "old-gold": 4, "stock-movement": 3}[path]
    )
