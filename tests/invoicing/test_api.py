from decimal import Decimal

import pytest

from apps.invoicing.models import Customer, Invoice, InvoiceLine
from tests.api_helpers import ApiClient, make_key
from tests.invoicing.conftest import RING_TAXABLE, article

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_api(shop, owner):
    return ApiClient(make_key(shop, owner, "owner"))


@pytest.fixture
def staff_api(shop, staff_user):
    return ApiClient(make_key(shop, staff_user, "staff"))


def _customer(api) -> int:
    body = {
        "name": "Meera Shah",
        "phone": "98200 12345",
        "address": "4 Hill Road, Mumbai",
        "state_code": "27",
    }
    response = api.post("/api/v1/customers", body)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_counter_sale_from_draft_to_issued_invoice(shop, owner, staff_api):
    ring = article(shop, owner)
    customer = _customer(staff_api)
    response = staff_api.post(
        "/api/v1/invoices",
        {"customer": customer, "lines": [{"stock_item": ring.pk},
                                         {"description": "Gift box polish", "hsn_code": "9987", "amount": "100"}]},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["number"] == ""
    assert [line["taxable_value"] for line in draft["lines"]] == [str(RING_TAXABLE), "100.00"]
    issued = staff_api.post(f"/api/v1/invoices/{draft['id']}/issue", HTTP_IDEMPOTENCY_KEY="issue-1")
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["status"] == "issued" and body["number"].endswith("/0001")
    # 3% of 67,700 and 18% of 100, each split in two halves
    assert (body["cgst"], body["sgst"], body["igst"]) == ("1024.50", "1024.50", "0.00")
    assert body["grand_total"] == "69849.00" and body["seller_gstin"] == shop.gstin
    again = staff_api.post(f"/api/v1/invoices/{draft['id']}/issue", HTTP_IDEMPOTENCY_KEY="issue-1")
    assert again.json() == body  # a retried issue answers as the first did, and numbers nothing twice
    assert Invoice.objects.for_tenant(shop).filter(status="issued").count() == 1


def test_an_issued_invoice_is_409_on_every_change(shop, owner, shop_api):
    invoice = shop_api.post(
        "/api/v1/invoices", {"lines": [{"description": "Polish", "hsn_code": "9987", "amount": "10"}]}
    ).json()
    assert shop_api.post(f"/api/v1/invoices/{invoice['id']}/issue").status_code == 200
    line_id = invoice["lines"][0]["id"]
    for response in (
        shop_api.patch(f"/api/v1/invoices/{invoice['id']}", {"place_of_supply": "29"}),
        shop_api.delete(f"/api/v1/invoices/{invoice['id']}"),
        shop_api.post(
            f"/api/v1/invoices/{invoice['id']}/lines", {"description": "x", "hsn_code": "9987", "amount": "1"}
        ),
        shop_api.patch(f"/api/v1/invoices/{invoice['id']}/lines/{line_id}", {"amount": "1"}),
        shop_api.delete(f"/api/v1/invoices/{invoice['id']}/lines/{line_id}"),
        shop_api.post(f"/api/v1/invoices/{invoice['id']}/issue"),
    ):
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "invoice_not_draft"
    assert InvoiceLine.objects.filter(invoice_id=invoice["id"]).get().amount == Decimal("10.00")


def test_bad_lines_are_400_and_leave_no_draft(shop, owner, shop_api):
    sold = article(shop, owner, huid="", hallmark_status="pending")  # gold without its HUID
    for lines, status, field in (
        ([{"description": "Polish", "hsn_code": "9987"}], 400, "lines.0.non_field_errors"),
        ([{"description": "Box", "hsn_code": "4819", "amount": "5"}], 400, "gst_rate"),
        ([{"stock_item": 999999}], 400, "stock_item"),
        ([{"description": "Polish", "hsn_code": "9987", "amount": "5"}, {"stock_item": sold.pk}], 409, None),
    ):
        response = shop_api.post("/api/v1/invoices", {"lines": lines})
        assert response.status_code == status, response.content
        if field:
            assert field in response.json()["fields"], response.json()
    assert not Invoice.objects.for_tenant(shop).exists()


def test_cancelling_needs_an_admin_and_a_reason(shop, owner, staff_api, shop_api):
    invoice = staff_api.post(
        "/api/v1/invoices", {"lines": [{"description": "Polish", "hsn_code": "9987", "amount": "10"}]}
    ).json()
    staff_api.post(f"/api/v1/invoices/{invoice['id']}/issue")
    assert staff_api.post(f"/api/v1/invoices/{invoice['id']}/cancel", {"reason": "Wrong"}).status_code == 403
    assert shop_api.post(f"/api/v1/invoices/{invoice['id']}/cancel", {}).status_code == 400
    response = shop_api.post(f"/api/v1/invoices/{invoice['id']}/cancel", {"reason": "Typed the wrong buyer"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_customers_are_searched_by_name_phone_or_gstin(shop, shop_api):
    _customer(shop_api)
    assert [c["name"] for c in shop_api.get("/api/v1/customers", {"q": "meera"}).json()["results"]] == [
        "Meera Shah"
    ]
    assert shop_api.get("/api/v1/customers", {"q": "12345"}).json()["count"] == 1
    assert shop_api.get("/api/v1/customers", {"q": "nobody"}).json()["count"] == 0
    bad = shop_api.post(
        "/api/v1/customers", {"kind": "registered", "name": "Ratna", "gstin": "27AAAAA0000A1Z0"}
    )
    assert bad.status_code == 400 and "gstin" in bad.json()["fields"]
    assert Customer.objects.for_tenant(shop).count() == 1


def test_the_invoice_list_costs_the_same_queries_for_one_or_many(
    shop, owner, shop_api, django_assert_num_queries
):
    def add():
        shop_api.post(
            "/api/v1/invoices", {"lines": [{"description": "Polish", "hsn_code": "9987", "amount": "10"}]}
        )

    add()
    with django_assert_num_queries(3):  # the key, the count, the page
        assert shop_api.get("/api/v1/invoices").json()["count"] == 1
    for _ in range(5):
        add()
    with django_assert_num_queries(3):
        assert shop_api.get("/api/v1/invoices", {"status": "draft"}).json()["count"] == 6


def test_payments_and_old_gold_over_the_api(shop, owner, staff_api):
    customer = _customer(staff_api)
    ring = article(shop, owner)
    invoice = staff_api.post(
        "/api/v1/invoices", {"customer": customer, "lines": [{"stock_item": ring.pk}]}
    ).json()
    staff_api.post(f"/api/v1/invoices/{invoice['id']}/issue")
    voucher = staff_api.post(
        "/api/v1/old-gold-vouchers",
        {"customer": customer, "gross_weight": "5", "purity_percent": "91.6", "rate_per_gram": "7000"},
    )
    assert voucher.status_code == 201, voucher.content
    assert voucher.json()["value"] == "32060.00" and voucher.json()["spent"] == "0.00"
    paid = staff_api.post(
        "/api/v1/payments",
        {
            "invoice": invoice["id"],
            "mode": "old_gold",
            "amount": "32060",
            "old_gold_voucher": voucher.json()["id"],
        },
    )
    assert paid.status_code == 201, paid.content
    too_much_cash = staff_api.post(
        "/api/v1/payments", {"invoice": invoice["id"], "mode": "cash", "amount": "40000"}
    )
    assert too_much_cash.status_code == 400 and "amount" in too_much_cash.json()["fields"]
    staff_api.post(
        "/api/v1/payments", {"invoice": invoice["id"], "mode": "card", "amount": "37671", "reference": "4242"}
    )
    detail = staff_api.get(f"/api/v1/invoices/{invoice['id']}").json()
    assert (detail["amount_paid"], detail["payment_status"]) == ("69731.00", "paid")
    assert staff_api.get("/api/v1/invoices", {"paid": "paid"}).json()["count"] == 1
    assert staff_api.get("/api/v1/payments", {"invoice": invoice["id"]}).json()["count"] == 2
