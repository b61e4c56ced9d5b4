"""/api/v1/e-invoices (list, one, import the IRP's answers, cancel an IRN) and each document's
`…/{id}/e-invoice` JSON."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.invoicing import services
from apps.invoicing.models import EInvoice, Invoice
from tests.api_helpers import ApiClient, make_key
from tests.gst.fake_irp import FakeIrp
from tests.invoicing.conftest import answer_for, b2b_sale, b2b_sale_declared_late
from tests.invoicing.test_einvoice import _import

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_api(shop, owner):
    return ApiClient(make_key(shop, owner, "owner"))


@pytest.fixture
def staff_api(shop, staff_user):
    return ApiClient(make_key(shop, staff_user, "staff"))


def test_a_documents_e_invoice_json_is_the_payload_with_its_amounts_as_issued(shop_api, b2b_invoice):
    response = shop_api.get(f"/api/v1/invoices/{b2b_invoice.pk}/e-invoice")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    text = response.content.decode()
    assert f'"TotInvVal":{b2b_invoice.grand_total}' in text and '"Qty":9.500' in text
    body = json.loads(text)
    assert body["Version"] == "1.1" and body["DocDtls"]["No"] == b2b_invoice.number
    assert [item["HsnCd"] for item in body["ItemList"]] == ["711319", "998729"]


def test_a_document_the_irp_would_refuse_is_409_with_each_problem(shop_api, shop, owner, einvoicing, trader):
    blocked = b2b_sale_declared_late(shop, owner, trader, hsn="7113")

    response = shop_api.get(f"/api/v1/invoices/{blocked.pk}/e-invoice")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "einvoice_not_ready"
    assert body["fields"]["problems"] == [
        "Line 1 (Lakshmi ring): HSN 7113 has 4 digits; the IRP needs 6 or 8 (like 711319 for gold jewellery)."
    ]
    assert blocked.number in body["message"]


def test_a_credit_notes_e_invoice_names_its_invoice(shop_api, shop, owner, b2b_invoice):
    note = services.credit_note_draft_create(
        tenant=shop, actor=owner, original=b2b_invoice, reason="sales_return"
    )
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=b2b_invoice.lines.get(kind="article")
    )
    note = services.invoice_issue(tenant=shop, actor=owner, invoice=note)

    body = shop_api.get(f"/api/v1/credit-notes/{note.pk}/e-invoice").json()

    assert body["DocDtls"]["Typ"] == "CRN"
    assert body["RefDtls"] == {
        "PrecDocDtls": [{"InvNo": b2b_invoice.number, "InvDt": b2b_invoice.issued_on.strftime("%d/%m/%Y")}]
    }


def test_importing_answers_records_them_and_a_retry_replays_the_first_answer(shop_api, shop, b2b_invoice):
    answer = answer_for(shop, b2b_invoice)
    body = {"answers": [{**answer, "AckNo": str(answer["AckNo"])}]}

    response = shop_api.post("/api/v1/e-invoices/import", body, HTTP_IDEMPOTENCY_KEY="irp-file-1")

    assert response.status_code == 200, response.content
    (recorded,) = response.json()["recorded"]
    assert (recorded["document"], recorded["document_number"], recorded["irn"]) == (
        b2b_invoice.pk,
        b2b_invoice.number,
        answer["Irn"],
    )
    assert recorded["status"] == "active" and response.json()["already"] == []
    replay = shop_api.post("/api/v1/e-invoices/import", body, HTTP_IDEMPOTENCY_KEY="irp-file-1")
    assert replay.json() == response.json()
    again = shop_api.post("/api/v1/e-invoices/import", body)
    assert again.json()["recorded"] == [] and again.json()["already"][0]["irn"] == answer["Irn"]
    assert EInvoice.objects.count() == 1


def test_answers_that_do_not_match_are_400_listing_each_and_record_nothing(shop_api, shop, b2b_invoice):
    answer = answer_for(shop, b2b_invoice)

    response = shop_api.post("/api/v1/e-invoices/import", {"answers": [answer, {**answer, "DocNo": "ZZ/9"}]})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "einvoice_import_refused"
    assert body["fields"]["answers"] == ["Answer 2 (INV ZZ/9): this shop has no issued invoice ZZ/9 under GSTIN "
                                         f"{shop.gstin}."]  # fmt: skip
    assert not EInvoice.objects.exists()
    invalid = shop_api.post("/api/v1/e-invoices/import", {"answers": [{"Irn": "x"}]})
    assert invalid.status_code == 400 and "answers.0.AckNo" in invalid.json()["fields"]


def test_the_list_and_one_e_invoice(shop_api, shop, owner, b2b_invoice, trader, assert_app_queries):
    first = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]
    shop_api.get("/api/v1/me")  # the key's first use is recorded once
    with assert_app_queries(3):  # the key, the count, the page
        listed = shop_api.get("/api/v1/e-invoices")
    for _ in range(3):
        _import(shop, owner, answer_for(shop, b2b_sale(shop, owner, trader)))
    with assert_app_queries(3):
        assert shop_api.get("/api/v1/e-invoices").json()["count"] == 4

    assert listed.json()["results"][0]["irn"] == first.irn
    one = shop_api.get(f"/api/v1/e-invoices/{first.pk}").json()
    assert (one["ack_no"], one["document_type"], one["retain_until"]) == (
        first.ack_no, "invoice", b2b_invoice.retain_until.isoformat()
    )  # fmt: skip
    assert shop_api.get("/api/v1/e-invoices", {"status": "cancelled"}).json()["count"] == 0


def test_cancelling_an_irn_through_the_api(shop_api, shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    response = shop_api.post(
        f"/api/v1/e-invoices/{einvoice.pk}/cancel", {"reason": "order_cancelled", "remark": "Buyer backed out"},
        HTTP_IDEMPOTENCY_KEY="cancel-1",
    )  # fmt: skip

    assert response.status_code == 200, response.content
    assert (
        response.json()["status"] == "cancelled"
        and response.json()["cancel_reason"] == "Order cancelled: Buyer backed out"
    )
    assert Invoice.objects.get(pk=b2b_invoice.pk).status == Invoice.Status.CANCELLED
    again = shop_api.post(f"/api/v1/e-invoices/{einvoice.pk}/cancel", {"reason": "other"})
    assert again.status_code == 409 and again.json()["code"] == "einvoice_not_cancellable"
    assert shop_api.post(f"/api/v1/e-invoices/{einvoice.pk}/cancel", {"reason": "whim"}).status_code == 400


def test_past_24_hours_the_api_refuses_and_changes_nothing(shop_api, shop, owner, b2b_invoice):
    irp = FakeIrp()
    irp.now = lambda: timezone.localtime() - timedelta(hours=25)
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice, irp)).recorded[0]
    events = AuditEvent.objects.count()

    response = shop_api.post(f"/api/v1/e-invoices/{einvoice.pk}/cancel", {"reason": "other"})

    assert response.status_code == 409 and "issue a credit note against it" in response.json()["message"]
    assert AuditEvent.objects.count() == events
    assert EInvoice.objects.get(pk=einvoice.pk).status == "active"


def test_staff_keys_are_refused_e_invoices(staff_api, shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    assert staff_api.get("/api/v1/e-invoices").status_code == 403
    assert staff_api.get(f"/api/v1/invoices/{b2b_invoice.pk}/e-invoice").status_code == 403
    assert staff_api.post(f"/api/v1/e-invoices/{einvoice.pk}/cancel", {"reason": "other"}).status_code == 403
    assert staff_api.post("/api/v1/e-invoices/import", {"answers": []}).status_code == 403


def test_another_shops_e_invoices_are_not_listed(shop, owner, b2b_invoice, other_tenant, other_owner):
    _import(shop, owner, answer_for(shop, b2b_invoice))
    theirs = ApiClient(make_key(other_tenant, other_owner, "owner"))

    assert theirs.get("/api/v1/e-invoices").json()["count"] == 0
