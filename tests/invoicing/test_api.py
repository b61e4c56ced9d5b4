from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.invoicing.models import Customer, Invoice, InvoiceLine, ReceiptVoucher
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


def test_the_invoice_list_costs_the_same_queries_for_one_or_many(shop, owner, shop_api, assert_app_queries):
    def add():
        shop_api.post(
            "/api/v1/invoices", {"lines": [{"description": "Polish", "hsn_code": "9987", "amount": "10"}]}
        )

    add()
    with assert_app_queries(3):  # the key, the count, the page
        assert shop_api.get("/api/v1/invoices").json()["count"] == 1
    for _ in range(5):
        add()
    with assert_app_queries(3):
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


def _issued_sale(api, ring) -> dict:
    invoice = api.post(
        "/api/v1/invoices",
        {
            "customer": _customer(api),
            "lines": [
                {"stock_item": ring.pk},
                {"description": "Chain repair", "hsn_code": "9987", "amount": "1000"},
            ],
        },
    ).json()
    issued = api.post(f"/api/v1/invoices/{invoice['id']}/issue")
    assert issued.status_code == 200, issued.content
    return issued.json()


def test_a_credit_note_returning_an_article_over_the_api(shop, owner, shop_api):
    ring = article(shop, owner)
    invoice = _issued_sale(shop_api, ring)
    ring_line, repair_line = (line["id"] for line in invoice["lines"])
    created = shop_api.post("/api/v1/credit-notes", {"original": invoice["id"], "reason": "sales_return"})
    assert created.status_code == 201, created.content
    note = created.json()
    assert (note["original"], note["original_number"], note["reason"]) == (
        invoice["id"], invoice["number"], "sales_return",
    )  # fmt: skip
    assert note["status"] == "draft" and "amount_due" not in note
    added = shop_api.post(f"/api/v1/credit-notes/{note['id']}/lines", {"original_line": ring_line})
    assert added.status_code == 201, added.content
    assert [(line["original_line"], line["taxable_value"]) for line in added.json()["lines"]] == [
        (ring_line, str(RING_TAXABLE))
    ]
    issued = shop_api.post(f"/api/v1/credit-notes/{note['id']}/issue", HTTP_IDEMPOTENCY_KEY="cn-1")
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["number"].startswith("CN/") and body["number"].endswith("/0001")
    assert (body["cgst"], body["sgst"], body["grand_total"]) == ("1015.50", "1015.50", "69731.00")
    assert (
        shop_api.post(f"/api/v1/credit-notes/{note['id']}/issue", HTTP_IDEMPOTENCY_KEY="cn-1").json() == body
    )
    assert shop_api.get(f"/api/v1/credit-notes/{note['id']}").json() == body

    after = shop_api.get(f"/api/v1/invoices/{invoice['id']}").json()
    assert (after["amount_credited"], after["amount_due"]) == ("69731.00", "1180.00")
    assert [i["id"] for i in shop_api.get("/api/v1/invoices").json()["results"]] == [invoice["id"]]
    assert shop_api.get(f"/api/v1/invoices/{note['id']}").status_code == 404
    assert shop_api.get(f"/api/v1/credit-notes/{invoice['id']}").status_code == 404
    assert shop_api.get(f"/api/v1/debit-notes/{note['id']}").status_code == 404
    listed = shop_api.get("/api/v1/credit-notes", {"original": invoice["id"], "status": "issued"}).json()
    assert [n["id"] for n in listed["results"]] == [note["id"]]
    ring.refresh_from_db()
    assert ring.stock_status == "in_stock"

    debit = shop_api.post(
        "/api/v1/debit-notes", {"original": invoice["id"], "reason": "price_increase"}
    ).json()
    no_amount = shop_api.post(f"/api/v1/debit-notes/{debit['id']}/lines", {"original_line": repair_line})
    assert no_amount.status_code == 400 and "amount" in no_amount.json()["fields"]
    shop_api.post(f"/api/v1/debit-notes/{debit['id']}/lines", {"original_line": repair_line, "amount": "100"})
    assert shop_api.post(f"/api/v1/debit-notes/{debit['id']}/issue").json()["grand_total"] == "118.00"
    assert shop_api.get(f"/api/v1/invoices/{invoice['id']}").json()["amount_due"] == "1298.00"


def test_an_issued_note_refuses_every_change_over_the_api(shop, owner, shop_api):
    invoice = _issued_sale(shop_api, article(shop, owner))
    repair_line = invoice["lines"][1]["id"]
    note = shop_api.post("/api/v1/credit-notes", {"original": invoice["id"], "reason": "deficiency"}).json()
    note = shop_api.post(
        f"/api/v1/credit-notes/{note['id']}/lines", {"original_line": repair_line, "amount": "10"}
    ).json()
    shop_api.post(f"/api/v1/credit-notes/{note['id']}/issue")
    line_id = note["lines"][0]["id"]
    for response, status in (
        (shop_api.patch(f"/api/v1/credit-notes/{note['id']}", {"reason": "correction"}), 405),
        (shop_api.patch(f"/api/v1/credit-notes/{note['id']}/lines/{line_id}", {"amount": "1"}), 405),
        (shop_api.delete(f"/api/v1/credit-notes/{note['id']}"), 409),
        (shop_api.delete(f"/api/v1/credit-notes/{note['id']}/lines/{line_id}"), 409),
        (
            shop_api.post(
                f"/api/v1/credit-notes/{note['id']}/lines", {"original_line": repair_line, "amount": "1"}
            ),
            409,
        ),
        (shop_api.post(f"/api/v1/credit-notes/{note['id']}/issue"), 409),
    ):
        assert response.status_code == status, response.content
    assert shop_api.get(f"/api/v1/credit-notes/{note['id']}").json()["lines"][0]["amount"] == "10.00"
    cancelled = shop_api.post(f"/api/v1/invoices/{invoice['id']}/cancel", {"reason": "Wrong"})
    assert cancelled.status_code == 409 and "Issue a credit note instead" in cancelled.json()["message"]


def test_bad_notes_are_refused_and_leave_nothing(shop, owner, shop_api, staff_api):
    invoice = _issued_sale(shop_api, article(shop, owner))
    draft = shop_api.post(
        "/api/v1/invoices", {"lines": [{"description": "x", "hsn_code": "9987", "amount": "1"}]}
    )
    for body, status, field in (
        ({"original": invoice["id"], "reason": "price_increase"}, 400, "reason"),
        ({"original": 987654321, "reason": "sales_return"}, 400, "original"),
        ({"original": draft.json()["id"], "reason": "sales_return"}, 409, None),
    ):
        response = shop_api.post("/api/v1/credit-notes", body)
        assert response.status_code == status, response.content
        if field:
            assert field in response.json()["fields"]
    assert (
        staff_api.post(
            "/api/v1/credit-notes", {"original": invoice["id"], "reason": "sales_return"}
        ).status_code
        == 403
    )
    assert not Invoice.objects.for_tenant(shop).exclude(doc_type="invoice").exists()

    note = shop_api.post("/api/v1/credit-notes", {"original": invoice["id"], "reason": "deficiency"}).json()
    other_line = draft.json()["lines"][0]["id"]
    repair_line = invoice["lines"][1]["id"]
    for body, status, field in (
        ({"original_line": other_line, "amount": "1"}, 400, "original_line"),
        ({"original_line": repair_line, "amount": "1000.01"}, 409, None),
        ({"original_line": repair_line, "amount": "-1"}, 400, "amount"),
        ({"original_line": repair_line}, 400, "original_line"),  # no article on a repair line
    ):
        response = shop_api.post(f"/api/v1/credit-notes/{note['id']}/lines", body)
        assert response.status_code == status, response.content
        if field:
            assert field in response.json()["fields"], response.json()
    assert not InvoiceLine.objects.filter(invoice_id=note["id"]).exists()


def test_the_note_lists_cost_the_same_queries_for_one_or_many(shop, owner, shop_api, assert_app_queries):
    invoice = _issued_sale(shop_api, article(shop, owner))

    def add():
        shop_api.post("/api/v1/credit-notes", {"original": invoice["id"], "reason": "deficiency"})

    add()
    with assert_app_queries(3):  # the key, the count, the page
        assert shop_api.get("/api/v1/credit-notes").json()["count"] == 1
    for _ in range(5):
        add()
    with assert_app_queries(3):
        assert shop_api.get("/api/v1/credit-notes", {"status": "draft"}).json()["count"] == 6


def test_advances_over_the_api_are_written_once_and_adjusted_as_payments(shop, owner, staff_api):
    customer = _customer(staff_api)
    body = {"customer": customer, "mode": "upi", "amount": "50000", "description": "Bridal set to order",
            "reference": "UPI 9"}  # fmt: skip
    first = staff_api.post("/api/v1/receipt-vouchers", body, HTTP_IDEMPOTENCY_KEY="advance-1")
    assert first.status_code == 201, first.content
    voucher = first.json()
    assert voucher["number"].startswith("RV/") and voucher["number"].endswith("/0001")
    assert (voucher["amount"], voucher["adjusted"], voucher["left"]) == ("50000.00", "0.00", "50000.00")
    again = staff_api.post("/api/v1/receipt-vouchers", body, HTTP_IDEMPOTENCY_KEY="advance-1")
    assert again.json() == voucher  # a retried advance answers as the first did and numbers nothing twice
    assert ReceiptVoucher.objects.for_tenant(shop).count() == 1
    url = f"/api/v1/receipt-vouchers/{voucher['id']}"
    for response in (staff_api.put(url, body), staff_api.patch(url, {"amount": "1"}), staff_api.delete(url)):
        assert response.status_code == 405, response.content

    invoice = staff_api.post(
        "/api/v1/invoices", {"customer": customer, "lines": [{"stock_item": article(shop, owner).pk}]}
    ).json()
    staff_api.post(f"/api/v1/invoices/{invoice['id']}/issue")
    unnamed = staff_api.post("/api/v1/payments", {"invoice": invoice["id"], "mode": "advance", "amount": "1"})
    assert unnamed.status_code == 400 and "receipt_voucher" in unnamed.json()["fields"]
    paid = staff_api.post(
        "/api/v1/payments",
        {"invoice": invoice["id"], "mode": "advance", "amount": "30000", "receipt_voucher": voucher["id"]},
    )
    assert paid.status_code == 201, paid.content
    assert (paid.json()["mode"], paid.json()["receipt_voucher"]) == ("advance", voucher["id"])
    overspent = staff_api.post(
        "/api/v1/payments",
        {"invoice": invoice["id"], "mode": "advance", "amount": "20001", "receipt_voucher": voucher["id"]},
    )
    assert overspent.status_code == 400 and "₹20,000.00 left" in overspent.json()["fields"]["amount"][0]
    detail = staff_api.get(url).json()
    assert (detail["adjusted"], detail["left"]) == ("30000.00", "20000.00")


def test_receipt_vouchers_are_filtered_by_customer_and_day_and_bad_ones_are_400(shop, owner, staff_api):
    customer = _customer(staff_api)
    today = timezone.localdate()
    body = {"customer": customer, "mode": "cash", "amount": "1000", "description": "Anklets to order"}
    assert staff_api.post("/api/v1/receipt-vouchers", body).status_code == 201
    other = staff_api.post("/api/v1/customers", {"name": "Ravi Kumar", "state_code": "27"}).json()["id"]
    for query, count in (
        ({"customer": customer}, 1), ({"customer": other}, 0), ({"received_from": today.isoformat()}, 1),
        ({"received_to": (today - timedelta(days=1)).isoformat()}, 0), ({}, 1),
    ):  # fmt: skip
        assert staff_api.get("/api/v1/receipt-vouchers", query).json()["count"] == count, query
    for bad, field in (
        ({**body, "amount": "200000"}, "amount"), ({**body, "amount": "0"}, "amount"),
        ({**body, "mode": "old_gold"}, "mode"), ({**body, "description": ""}, "description"),
        ({**body, "customer": 999999}, "customer"),
    ):  # fmt: skip
        response = staff_api.post("/api/v1/receipt-vouchers", bad)
        assert response.status_code == 400 and field in response.json()["fields"], (bad, response.content)
    assert ReceiptVoucher.objects.for_tenant(shop).count() == 1


def test_the_receipt_voucher_list_costs_the_same_queries_for_one_or_many(
    shop, owner, buyer, shop_api, assert_app_queries
):
    def add():
        body = {"customer": buyer.pk, "mode": "upi", "amount": "100", "description": "Ring to order"}
        assert shop_api.post("/api/v1/receipt-vouchers", body).status_code == 201

    add()
    with assert_app_queries(3):  # the key, the count, the page
        assert shop_api.get("/api/v1/receipt-vouchers").json()["count"] == 1
    for _ in range(5):
        add()
    with assert_app_queries(3):
        assert shop_api.get("/api/v1/receipt-vouchers", {"customer": buyer.pk}).json()["count"] == 6
