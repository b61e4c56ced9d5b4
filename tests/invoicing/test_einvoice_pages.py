"""The e-Invoices page (a month's B2B documents, what stops each, the bulk file, the IRP's answer
imported) and the e-invoice part of a document's page, print view and PDF link."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.gst.einvoice import einvoice_schema_problems
from apps.invoicing import services
from apps.invoicing.models import EInvoice, Invoice
from tests.conftest import login
from tests.gst.fake_irp import FakeIrp
from tests.invoicing.conftest import answer_for, b2b_sale, b2b_sale_declared_late
from tests.invoicing.test_einvoice import _import

pytestmark = pytest.mark.django_db

LIST = "/sales/e-invoices/"


@pytest.fixture
def owner_page(client, shop, owner):
    return login(client, owner, shop)


@pytest.fixture
def month(b2b_invoice):
    return b2b_invoice.issued_on.strftime("%Y-%m")


def _upload(answers) -> SimpleUploadedFile:
    return SimpleUploadedFile("answers.json", json.dumps(answers).encode(), content_type="application/json")


def test_the_page_lists_the_months_b2b_documents_with_what_stops_each(
    owner_page, shop, owner, b2b_invoice, trader, month
):
    registered = b2b_sale(shop, owner, trader)
    _import(shop, owner, answer_for(shop, registered))
    four_digits = b2b_sale_declared_late(shop, owner, trader, hsn="7113")

    page = owner_page.get(LIST, {"period": month}).content.decode()

    assert "3 documents: 1 registered, 1 ready, 1 to fix" in page
    assert b2b_invoice.number in page and registered.number in page and four_digits.number in page
    assert "HSN 7113 has 4 digits; the IRP needs 6 or 8" in page
    assert "The IRP refuses documents older than 30 days for turnover of ₹10 crore or more." in page
    assert "An IRN can be cancelled only within 24 hours; its number is never used again." in page
    assert f'href="/sales/e-invoices/bulk.json?period={month}&amp;part=1"' in page


def test_the_page_costs_the_same_queries_for_one_document_or_many(
    owner_page, shop, owner, b2b_invoice, trader, month, assert_app_queries
):
    with assert_app_queries() as one:
        assert owner_page.get(LIST, {"period": month}).status_code == 200
    for _ in range(3):
        _import(shop, owner, answer_for(shop, b2b_sale(shop, owner, trader)))
    b2b_sale(shop, owner, trader)

    with assert_app_queries(one.count):
        assert owner_page.get(LIST, {"period": month}).status_code == 200


def test_the_bulk_file_holds_the_ready_documents_as_the_portal_takes_them(
    owner_page, shop, owner, b2b_invoice, trader, month
):
    blocked = b2b_sale_declared_late(shop, owner, trader, hsn="7113")
    second = b2b_sale(shop, owner, trader)

    response = owner_page.get("/sales/e-invoices/bulk.json", {"period": month, "part": 1})

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="einvoices-{shop.gstin}-{month}.json"'
    documents = json.loads(response.content)
    assert [d["DocDtls"]["No"] for d in documents] == [b2b_invoice.number, second.number]
    assert blocked.number not in response.content.decode()
    assert all(einvoice_schema_problems(d) == [] for d in documents)
    assert b'"TotInvVal":' + str(b2b_invoice.grand_total).encode() in response.content
    event = AuditEvent.objects.get(action="einvoice.bulk_download")
    assert b2b_invoice.number in event.summary and second.number in event.summary


def test_a_month_with_nothing_ready_gives_no_file_but_says_why(owner_page, einvoicing):
    response = owner_page.get("/sales/e-invoices/bulk.json", {"period": "2020-01"}, follow=True)

    assert response.redirect_chain[-1][0] == "/sales/e-invoices/?period=2020-01"
    assert "No document of January 2020 is ready for the IRP" in response.content.decode()


def test_importing_the_answer_file_from_the_page_records_the_irns(
    owner_page, shop, owner, b2b_invoice, trader
):
    second = b2b_sale(shop, owner, trader)
    irp = FakeIrp()
    answers = [answer_for(shop, b2b_invoice, irp), answer_for(shop, second, irp)]

    response = owner_page.post("/sales/e-invoices/import/", {"answers": _upload(answers)}, follow=True)

    assert response.status_code == 200
    assert "Recorded the IRN of 2 documents." in response.content.decode()
    assert set(EInvoice.objects.values_list("document__number", flat=True)) == {
        b2b_invoice.number,
        second.number,
    }


def test_a_refused_answer_file_is_listed_answer_by_answer_and_nothing_is_recorded(
    owner_page, shop, owner, b2b_invoice
):
    answer = answer_for(shop, b2b_invoice)
    unknown = {**answer, "DocNo": "XX/1"}

    response = owner_page.post("/sales/e-invoices/import/", {"answers": _upload([answer, unknown])})

    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "Nothing was recorded" in page and "Answer 2 (INV XX/1): this shop has no issued invoice XX/1" in page
    )
    assert not EInvoice.objects.exists()
    bad = owner_page.post(
        "/sales/e-invoices/import/",
        {"answers": SimpleUploadedFile("a.json", b"not json", "application/json")},
    )
    assert bad.status_code == 422 and "The file is not JSON" in bad.content.decode()


def test_staff_do_not_reach_the_e_invoices_page(client, shop, staff_user, einvoicing):
    login(client, staff_user, shop)
    assert client.get(LIST).status_code == 403
    assert client.post("/sales/e-invoices/import/", {}).status_code == 403


def test_a_shop_that_does_not_e_invoice_is_told_where_to_start(owner_page, shop):
    page = owner_page.get(LIST).content.decode()

    assert "This shop does not e-invoice yet" in page and "#gst-settings" in page


def test_the_invoice_page_shows_what_stops_it_and_offers_its_json(
    owner_page, shop, owner, b2b_invoice, trader
):
    blocked = b2b_sale_declared_late(shop, owner, trader, hsn="7113")

    ready_page = owner_page.get(f"/sales/{b2b_invoice.pk}/").content.decode()
    blocked_page = owner_page.get(f"/sales/{blocked.pk}/").content.decode()

    assert "Ready for the IRP" in ready_page and f"/sales/{b2b_invoice.pk}/e-invoice.json" in ready_page
    assert (
        "HSN 7113 has 4 digits" in blocked_page and f"/sales/{blocked.pk}/e-invoice.json" not in blocked_page
    )
    response = owner_page.get(f"/sales/{b2b_invoice.pk}/e-invoice.json")
    assert response.status_code == 200
    assert json.loads(response.content)["DocDtls"]["No"] == b2b_invoice.number
    refused = owner_page.get(f"/sales/{blocked.pk}/e-invoice.json", follow=True)
    assert "can&#x27;t go to the IRP" in refused.content.decode()


def test_a_registered_document_shows_its_irn_and_qr_code_on_its_page_and_print_view(
    owner_page, shop, owner, b2b_invoice
):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    page = owner_page.get(f"/sales/{b2b_invoice.pk}/").content.decode()
    printed = owner_page.get(f"/sales/{b2b_invoice.pk}/print/").content.decode()

    for html in (page, printed):
        assert einvoice.irn in html and einvoice.ack_no in html
        assert '<svg viewBox="0 0' in html and "Signed QR code of the e-invoice" in html
    assert "Cancel the IRN" in page and "Record the cancellation" in page
    assert "Cancel this invoice" not in page  # only with its IRN


def test_cancelling_from_the_page_cancels_the_irn_and_the_invoice(owner_page, shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    response = owner_page.post(
        f"/sales/{b2b_invoice.pk}/e-invoice/cancel/",
        {"irn-reason": "data_entry_mistake", "irn-remark": "Wrong GSTIN"},
        follow=True,
    )

    assert "The IRN of" in response.content.decode()
    einvoice.refresh_from_db()
    assert einvoice.status == EInvoice.Status.CANCELLED
    assert Invoice.objects.get(pk=b2b_invoice.pk).status == Invoice.Status.CANCELLED
    bad = owner_page.post(f"/sales/{b2b_invoice.pk}/e-invoice/cancel/", {"irn-reason": "whim"})
    assert bad.status_code == 422


def test_past_24_hours_the_page_says_a_credit_note_is_the_way(owner_page, shop, owner, b2b_invoice):
    irp = FakeIrp()
    irp.now = lambda: timezone.localtime() - timedelta(hours=25)
    _import(shop, owner, answer_for(shop, b2b_invoice, irp))

    page = owner_page.get(f"/sales/{b2b_invoice.pk}/").content.decode()

    assert "Cancel the IRN" not in page and "The IRN can no longer be cancelled" in page
    assert "issue a credit note" in page


def test_the_buyers_link_and_the_e_mail_carry_the_copy_with_the_qr_code(
    client, shop, owner, b2b_invoice, mailoutbox
):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]
    link = reverse("invoicing:bill_shared", args=[services.invoice_share_token(b2b_invoice)])

    shared = b"".join(client.get(link).streaming_content)
    services.invoice_email_deliver(invoice_id=b2b_invoice.pk, to="buyer@example.in")

    einvoice.refresh_from_db()
    with einvoice.pdf.open("rb") as pdf:
        copy = pdf.read()
    assert shared == copy and mailoutbox[-1].attachments[0][1] == copy


# --- the shop's GST settings ------------------------------------------------------------------------


def test_owners_set_how_the_shop_files_and_from_when_it_e_invoices(owner_page, shop):
    day = timezone.localdate() - timedelta(days=10)

    response = owner_page.post(
        "/settings/gst/",
        {"gstr1_frequency": "quarterly", "einvoice_from": day.isoformat(), "turnover_ten_crore": "on"},
        follow=True,
    )

    assert "The GST return settings have been saved." in response.content.decode()
    shop.refresh_from_db()
    assert (shop.gstr1_frequency, shop.einvoice_from, shop.turnover_ten_crore) == ("quarterly", day, True)
    summaries = list(AuditEvent.objects.filter(action__in=["tenant.gstr1_frequency", "tenant.einvoicing"])
                     .order_by("action").values_list("summary", flat=True))  # fmt: skip
    assert summaries == [
        f"e-Invoices from {day:%d %b %Y}; turnover ₹10 crore or more: the IRP takes documents within 30 days (was off)",
        "GSTR-1 filed: Quarterly (QRMP) (was Monthly)",
    ]
    assert "e-Invoicing from" in owner_page.get("/settings/").content.decode()


def test_ten_crore_without_a_day_is_refused_and_nothing_changes(owner_page, shop):
    response = owner_page.post("/settings/gst/", {"gstr1_frequency": "monthly", "turnover_ten_crore": "on"})

    assert response.status_code == 422
    assert "must e-invoice: set the day it e-invoices from" in response.content.decode()
    shop.refresh_from_db()
    assert not shop.turnover_ten_crore and shop.einvoice_from is None
    assert not AuditEvent.objects.filter(action="tenant.einvoicing").exists()


def test_staff_cannot_change_the_gst_settings(client, shop, staff_user):
    login(client, staff_user, shop)
    assert client.post("/settings/gst/", {"gstr1_frequency": "quarterly"}).status_code == 403
    shop.refresh_from_db()
    assert shop.gstr1_frequency == "monthly"
