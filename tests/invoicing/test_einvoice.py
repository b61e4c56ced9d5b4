"""e-Invoices of the shop's documents: the IRP's answers recorded (once, on the right document, all or
nothing), registering through the IRP's API, IRN cancellation within 24 hours with its document, the
database keeping the record, and the bill printed again with its signed QR code."""

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.utils import DatabaseError
from django.utils import timezone
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.gst.einvoice import signed_data
from apps.gst.irp import IST
from apps.inventory.models import StockItem
from apps.invoicing import services
from apps.invoicing.exceptions import (
    EInvoiceImportRefused,
    EInvoiceNotCancellable,
    EInvoiceNotReady,
    IrpNotConnected,
)
from apps.invoicing.models import EInvoice, Invoice
from apps.tenants.exceptions import RoleNotAllowedError
from apps.tenants.services import tenant_gst_settings_update
from tests.conftest import add_member
from tests.gst.fake_irp import CREDENTIALS, FakeIrp, irn_of, signed
from tests.invoicing.conftest import TRADER_GSTIN, answer_for, article, b2b_sale, draft_with
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db


def _import(shop, owner, *answers):
    return services.einvoice_answers_import(tenant=shop, actor=owner, answers=json.dumps(list(answers)))


def test_the_payload_of_an_issued_sale_comes_from_its_stored_figures(shop, b2b_invoice):
    payload = services.einvoice_document_payload(tenant=shop, document=b2b_invoice)

    assert payload["DocDtls"] == {
        "Typ": "INV",
        "No": b2b_invoice.number,
        "Dt": b2b_invoice.issued_on.strftime("%d/%m/%Y"),
    }
    assert payload["SellerDtls"]["Pin"] == 400002 and payload["SellerDtls"]["Loc"] == "Mumbai"
    assert payload["BuyerDtls"] | {} == {
        "Gstin": TRADER_GSTIN, "LglNm": "Meera Gems Pvt Ltd", "TrdNm": "Meera Gems Pvt Ltd", "Addr1": "4 Hill Road",
        "Addr2": "Bandra West", "Loc": "Mumbai", "Pin": 400050, "Stcd": "27", "Pos": "27",
    }  # fmt: skip
    ring, repair = b2b_invoice.lines.order_by("position")
    assert [item["AssAmt"] for item in payload["ItemList"]] == [ring.taxable_value, repair.taxable_value]
    assert [item["CgstAmt"] for item in payload["ItemList"]] == [ring.cgst, repair.cgst]
    assert payload["ItemList"][0]["Qty"] == ring.net_weight == Decimal("9.500")
    assert (
        payload["ValDtls"]["TotInvVal"] == b2b_invoice.grand_total
        and payload["ValDtls"]["RndOffAmt"] == b2b_invoice.round_off
    )


def test_importing_the_irps_answer_records_it_on_the_document(
    shop, owner, b2b_invoice, django_capture_on_commit_callbacks
):
    answer = answer_for(shop, b2b_invoice)

    with django_capture_on_commit_callbacks() as callbacks:
        result = _import(shop, owner, answer)

    (einvoice,) = result.recorded
    assert result.already == []
    assert (einvoice.document, einvoice.irn, einvoice.ack_no) == (
        b2b_invoice,
        answer["Irn"],
        str(answer["AckNo"]),
    )
    assert timezone.localtime(einvoice.ack_at, IST).strftime("%Y-%m-%d %H:%M:%S") == answer["AckDt"]
    assert (einvoice.signed_qr, einvoice.signed_invoice) == (answer["SignedQRCode"], answer["SignedInvoice"])
    assert einvoice.status == EInvoice.Status.ACTIVE and einvoice.imported_by == owner
    assert einvoice.retain_until == b2b_invoice.retain_until
    event = AuditEvent.objects.get(action="einvoice.import")
    assert (
        event.target_id == str(einvoice.pk)
        and answer["Irn"] in event.summary
        and b2b_invoice.number in event.summary
    )
    assert len(callbacks) == 1  # the bill is printed again with its QR code after commit
    b2b_invoice.refresh_from_db()
    assert (
        b2b_invoice.status == Invoice.Status.ISSUED and not b2b_invoice.pdf
    )  # the issued document itself is untouched


def test_the_same_answer_imported_again_changes_nothing(shop, owner, b2b_invoice):
    answer = answer_for(shop, b2b_invoice)
    first = _import(shop, owner, answer).recorded[0]
    events = AuditEvent.objects.count()

    again = _import(shop, owner, {"success": True, "result": answer}, answer)  # twice in one file, too

    assert again.recorded == [] and again.already == [first, first]
    assert EInvoice.objects.count() == 1 and AuditEvent.objects.count() == events


def test_an_answer_file_of_several_documents_with_notes_is_matched_by_type_number_and_date(
    shop, owner, b2b_invoice, trader
):
    other = b2b_sale(shop, owner, trader)
    note = services.credit_note_draft_create(
        tenant=shop, actor=owner, original=b2b_invoice, reason="sales_return"
    )
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=b2b_invoice.lines.get(kind="article")
    )
    note = services.invoice_issue(tenant=shop, actor=owner, invoice=note)
    irp = FakeIrp()
    answers = {"result": [answer_for(shop, doc, irp) for doc in (b2b_invoice, note, other)]}

    result = services.einvoice_answers_import(tenant=shop, actor=owner, answers=json.dumps(answers))

    assert {e.document for e in result.recorded} == {b2b_invoice, note, other}
    note_einvoice = EInvoice.objects.get(document=note)
    assert signed_data(note_einvoice.signed_qr)["DocTyp"] == "CRN"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"SignedQRCode": "qr-of-another-shop"}, "is for GSTIN 33"),
        ({"SignedQRCode": "qr-unknown-number"}, "no issued invoice LJ/99-00/0001"),
        ({"SignedQRCode": "qr-other-date"}, "but invoice"),
        ({"Irn": "not-an-irn"}, "is not an IRN"),
        ({"Status": "CNL"}, "marks its IRN CNL"),
    ],
)
def test_an_answer_that_does_not_match_refuses_the_whole_file(
    shop, owner, b2b_invoice, trader, change, words
):
    good = answer_for(shop, b2b_invoice)
    second = answer_for(shop, b2b_sale(shop, owner, trader))
    qr = signed_data(second["SignedQRCode"])
    forged = {
        "qr-of-another-shop": {**qr, "SellerGstin": gstin_for("33", pan="AAACB1234C")},
        "qr-unknown-number": {**qr, "DocNo": "LJ/99-00/0001"},
        "qr-other-date": {**qr, "DocDt": "01/01/2020"},
    }
    if change.get("SignedQRCode") in forged:
        change = {"SignedQRCode": signed(forged[change["SignedQRCode"]])}
    events = AuditEvent.objects.count()

    with pytest.raises(EInvoiceImportRefused) as refused:
        _import(shop, owner, good, {**second, **change})

    assert len(refused.value.problems) == 1 and words in refused.value.problems[0], refused.value.problems
    assert refused.value.problems[0].startswith("Answer 2")
    assert EInvoice.objects.count() == 0 and AuditEvent.objects.count() == events  # nothing of the file


def test_a_document_with_an_irn_takes_no_other(shop, owner, b2b_invoice):
    _import(shop, owner, answer_for(shop, b2b_invoice))
    forged = answer_for(shop, b2b_invoice, FakeIrp())  # another IRP's answer for the same number
    forged = {
        **forged,
        "Irn": "f" * 64,
        "SignedQRCode": signed({**signed_data(forged["SignedQRCode"]), "Irn": "f" * 64}),
    }

    with pytest.raises(EInvoiceImportRefused, match="already has IRN"):
        _import(shop, owner, forged)
    assert EInvoice.objects.get().irn != "f" * 64


def test_another_shops_answer_never_lands_on_its_documents(shop, owner, b2b_invoice, other_shop, other_owner):
    answer = answer_for(shop, b2b_invoice)

    with pytest.raises(EInvoiceImportRefused, match="not this shop's"):
        _import(other_shop, other_owner, answer)
    assert not EInvoice.objects.exists()


def test_an_answer_file_that_is_not_json_is_a_clear_refusal(shop, owner, b2b_invoice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.einvoice_answers_import(tenant=shop, actor=owner, answers=b"IRN,AckNo\n1,2")
    assert "not JSON" in refused.value.message_dict["answers"][0]
    with pytest.raises(ValidationError, match="no answer"):
        services.einvoice_answers_import(tenant=shop, actor=owner, answers="[]")


def test_staff_cannot_import_answers(shop, b2b_invoice, staff_user):
    with pytest.raises(RoleNotAllowedError):
        _import(shop, staff_user, answer_for(shop, b2b_invoice))


# --- through the IRP's API -------------------------------------------------------------------------


@pytest.fixture
def irp(settings):
    with FakeIrp() as fake:
        settings.IRP_BASE_URL = fake.url
        settings.IRP_USERNAME, settings.IRP_PASSWORD = CREDENTIALS["user_name"], CREDENTIALS["password"]
        settings.IRP_CLIENT_ID, settings.IRP_CLIENT_SECRET = (
            CREDENTIALS["client_id"],
            CREDENTIALS["client_secret"],
        )
        settings.IRP_GSTIN = ""
        yield fake


def test_a_connected_shop_registers_a_document_on_the_irp(shop, owner, b2b_invoice, irp):
    einvoice = services.einvoice_generate(tenant=shop, actor=owner, document=b2b_invoice)

    fy = f"{b2b_invoice.issued_on.year if b2b_invoice.issued_on.month >= 4 else b2b_invoice.issued_on.year - 1}"
    assert einvoice.irn == irn_of(shop.gstin, f"{fy}-{(int(fy) + 1) % 100:02d}", "INV", b2b_invoice.number)
    assert einvoice.irn in irp.documents and einvoice.document == b2b_invoice
    assert AuditEvent.objects.filter(action="einvoice.generate", target_id=str(einvoice.pk)).exists()


def test_an_irn_the_irp_gave_before_the_answer_was_lost_is_read_back(shop, owner, b2b_invoice, irp):
    irp.answer_for(
        services.einvoice_document_payload(tenant=shop, document=b2b_invoice)
    )  # registered, answer lost

    einvoice = services.einvoice_generate(tenant=shop, actor=owner, document=b2b_invoice)

    assert [r["path"] for r in irp.requests] == ["/ei/api/invoice", "/ei/api/invoice/irn"]
    assert einvoice.irn == next(iter(irp.documents))


def test_a_document_the_irp_would_refuse_is_not_sent(shop, owner, einvoicing, buyer, irp):
    walk_in = services.invoice_issue(
        tenant=shop,
        actor=owner,
        invoice=draft_with(shop, owner, article(shop, owner, hsn_code="711319"), customer=buyer),
    )

    with pytest.raises(EInvoiceNotReady) as refused:
        services.einvoice_generate(tenant=shop, actor=owner, document=walk_in)

    assert "not GST-registered" in refused.value.problems[0] and irp.requests == []


def test_without_a_connection_the_shop_is_sent_to_the_portal(shop, owner, b2b_invoice, settings):
    settings.IRP_BASE_URL = ""
    with pytest.raises(IrpNotConnected, match="upload it on the e-invoice portal"):
        services.einvoice_generate(tenant=shop, actor=owner, document=b2b_invoice)


# --- cancelling an IRN ----------------------------------------------------------------------------


def test_an_irn_is_cancelled_within_24_hours_together_with_its_invoice(shop, owner, b2b_invoice, irp):
    einvoice = services.einvoice_generate(tenant=shop, actor=owner, document=b2b_invoice)

    einvoice = services.einvoice_cancel_record(
        tenant=shop, actor=owner, einvoice=einvoice, reason="data_entry_mistake", remark="Wrong buyer"
    )

    assert einvoice.status == EInvoice.Status.CANCELLED and einvoice.cancelled_at is not None
    assert einvoice.cancel_reason == "Data entry mistake: Wrong buyer"
    assert irp.documents[einvoice.irn]["status"] == "CNL"
    b2b_invoice.refresh_from_db()
    assert (
        b2b_invoice.status == Invoice.Status.CANCELLED
        and b2b_invoice.cancel_reason == "IRN cancelled: Wrong buyer"
    )
    assert (
        StockItem.objects.get(pk=b2b_invoice.lines.get(kind="article").stock_item_id).stock_status
        == "in_stock"
    )
    assert AuditEvent.objects.filter(action="einvoice.cancel").count() == 1
    with pytest.raises(EInvoiceNotCancellable, match="was cancelled on"):
        services.einvoice_cancel_record(tenant=shop, actor=owner, einvoice=einvoice, reason="other")


def test_a_registered_invoice_is_not_cancelled_without_its_irn(shop, owner, b2b_invoice):
    from apps.invoicing.exceptions import InvoiceNotIssued

    _import(shop, owner, answer_for(shop, b2b_invoice))

    with pytest.raises(InvoiceNotIssued, match="cancel its IRN"):
        services.invoice_cancel(tenant=shop, actor=owner, invoice=b2b_invoice, reason="Wrong buyer")
    assert Invoice.objects.get(pk=b2b_invoice.pk).status == Invoice.Status.ISSUED


def test_a_cancellation_made_on_the_portal_is_recorded_without_a_connection(shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    einvoice = services.einvoice_cancel_record(
        tenant=shop, actor=owner, einvoice=einvoice, reason="duplicate"
    )

    assert einvoice.status == EInvoice.Status.CANCELLED and einvoice.cancel_reason == "Duplicate: Duplicate"
    assert Invoice.objects.get(pk=b2b_invoice.pk).status == Invoice.Status.CANCELLED


def test_after_24_hours_the_irn_stays_and_a_credit_note_is_the_way(shop, owner, b2b_invoice):
    irp = FakeIrp()
    irp.now = lambda: (timezone.now() - timedelta(hours=24, minutes=1)).astimezone(IST).replace(microsecond=0)
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice, irp)).recorded[0]

    with pytest.raises(EInvoiceNotCancellable) as refused:
        services.einvoice_cancel_record(tenant=shop, actor=owner, einvoice=einvoice, reason="order_cancelled")

    assert "only within 24 hours" in refused.value.message
    assert "issue a credit note against it" in refused.value.message
    einvoice.refresh_from_db()
    assert einvoice.status == EInvoice.Status.ACTIVE
    assert Invoice.objects.get(pk=b2b_invoice.pk).status == Invoice.Status.ISSUED


def test_an_irn_is_not_cancelled_when_its_invoice_cannot_be(
    shop, owner, trader, einvoicing, monkeypatch, irp
):
    draft = draft_with(shop, owner, article(shop, owner, hsn_code="711319"), customer=trader)
    yesterday = timezone.localdate() - timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: yesterday)
    b2b_invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=draft)
    monkeypatch.undo()
    einvoice = services.einvoice_generate(
        tenant=shop, actor=owner, document=b2b_invoice
    )  # acknowledged today

    with pytest.raises(EInvoiceNotCancellable) as refused:
        services.einvoice_cancel_record(tenant=shop, actor=owner, einvoice=einvoice, reason="other")

    assert "can be cancelled only on its day" in refused.value.message
    assert irp.documents[einvoice.irn]["status"] == "ACT"  # the IRP was not asked
    einvoice.refresh_from_db()
    assert einvoice.status == EInvoice.Status.ACTIVE


def test_a_refusal_of_the_irp_leaves_the_invoice_issued(shop, owner, b2b_invoice, irp):
    einvoice = services.einvoice_generate(tenant=shop, actor=owner, document=b2b_invoice)
    irp.later(hours=25)  # the IRP's clock runs ahead of ours

    from apps.gst.irp import IrpRefused

    with pytest.raises(IrpRefused, match="2270"):
        services.einvoice_cancel_record(tenant=shop, actor=owner, einvoice=einvoice, reason="other")

    assert Invoice.objects.get(pk=b2b_invoice.pk).status == Invoice.Status.ISSUED
    assert EInvoice.objects.get(pk=einvoice.pk).status == EInvoice.Status.ACTIVE


def test_staff_cannot_cancel_an_irn(shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]
    with pytest.raises(RoleNotAllowedError):
        services.einvoice_cancel_record(
            tenant=shop, actor=add_member(shop, "staff"), einvoice=einvoice, reason="other"
        )


# --- the bill with its QR code ---------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_bill_is_printed_again_with_its_irn_and_qr_code_after_the_import(
    client, shop, owner, b2b_invoice, django_capture_on_commit_callbacks
):
    own = services.invoice_pdf_store(tenant=shop, invoice=b2b_invoice)
    with django_capture_on_commit_callbacks(execute=True):
        einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    einvoice.refresh_from_db()
    assert einvoice.pdf.name.startswith(f"invoices/t{shop.pk}/einvoice-") and len(einvoice.pdf_sha256) == 64
    with einvoice.pdf.open("rb") as pdf:
        data = pdf.read()
    text = _pdf_text(data)
    assert "e-Invoice" in text.replace("E-INVOICE", "e-Invoice") or "E-INVOICE" in text
    assert einvoice.irn in "".join(text.split()) and einvoice.ack_no in text and b2b_invoice.number in text
    b2b_invoice.refresh_from_db()
    assert (
        b2b_invoice.pdf.name == own.pdf.name and b2b_invoice.pdf_sha256 == own.pdf_sha256
    )  # the issued PDF stays
    assert einvoice.irn not in "".join(
        _pdf_text(services.invoice_pdf_render(tenant=shop, invoice=b2b_invoice)).split()
    )
    # The page's PDF link now hands out the copy with the QR code.
    client.force_login(owner)
    served = client.get(f"/sales/{b2b_invoice.pk}/pdf/", follow=True)
    assert b"".join(served.streaming_content) == data


def test_printing_again_is_done_once(shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]
    first = services.einvoice_pdf_store(tenant=shop, einvoice=einvoice)
    again = services.einvoice_pdf_store(tenant=shop, einvoice=einvoice)
    assert again.pdf.name == first.pdf.name and again.pdf_sha256 == first.pdf_sha256


def test_the_e_invoice_copy_is_locked_in_s3_until_its_documents_retention_day(
    shop, owner, b2b_invoice, invoices_in_s3, monkeypatch
):
    import boto3

    from apps.core.storage import lock_instant
    from tests.conftest import INVOICES_BUCKET

    monkeypatch.setattr(EInvoice._meta.get_field("pdf"), "storage", invoices_in_s3)
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]

    einvoice = services.einvoice_pdf_store(tenant=shop, einvoice=einvoice)

    head = boto3.client("s3", region_name="ap-south-1").head_object(
        Bucket=INVOICES_BUCKET, Key=einvoice.pdf.name
    )
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == (
        "COMPLIANCE", lock_instant(b2b_invoice.retain_until)
    )  # fmt: skip


# --- the database keeps the record -----------------------------------------------------------------


def _refused(call) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        call()
    return str(caught.value)


@pytest.mark.postgres
def test_the_database_keeps_an_e_invoice_as_it_keeps_its_document(shop, owner, b2b_invoice):
    einvoice = _import(shop, owner, answer_for(shop, b2b_invoice)).recorded[0]
    rows = EInvoice.objects.filter(pk=einvoice.pk)

    assert "cannot be changed" in _refused(lambda: rows.update(irn="0" * 64))
    assert "cannot be changed" in _refused(lambda: rows.update(ack_at=timezone.now()))
    assert "cannot be changed" in _refused(lambda: rows.update(retain_until="2027-01-01"))
    assert "cannot be deleted" in _refused(lambda: rows.delete())
    # The app role may not TRUNCATE at all; a role that may is stopped by the trigger.
    assert _refused(
        lambda: transaction.get_connection().cursor().execute("TRUNCATE invoicing_einvoice CASCADE")
    )
    # The PDF is recorded once; the IRN is cancelled once, and never brought back.
    rows.update(pdf="invoices/x/einvoice-1.pdf", pdf_sha256="a" * 64)
    assert "cannot be changed" in _refused(lambda: rows.update(pdf="invoices/x/einvoice-2.pdf"))
    rows.update(status="cancelled", cancelled_at=timezone.now(), cancel_reason="Duplicate")
    assert "cannot be changed" in _refused(lambda: rows.update(status="active"))
    assert "cannot be changed" in _refused(lambda: rows.update(cancel_reason="Something else"))
    assert rows.get().irn == einvoice.irn


def test_a_shop_above_five_crore_issues_only_six_digit_hsn_codes(einvoicing, owner, trader):
    """Notification 78/2020-CT: above ₹5 crore (an e-invoicing shop), 6 digits on every invoice."""
    draft = draft_with(einvoicing, owner, article(einvoicing, owner, hsn_code="7113"), customer=trader)
    with pytest.raises(ValidationError, match=r"Line 1 \(.*\): HSN 7113 has 4 digits; .* at least 6"):
        services.invoice_issue(tenant=einvoicing, actor=owner, invoice=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (Invoice.Status.DRAFT, "")
    # Before the shop's e-invoicing day the 4-digit code still issues.
    tenant_gst_settings_update(
        tenant=einvoicing, actor=owner, gstr1_frequency="monthly",
        einvoice_from=timezone.localdate() + timedelta(days=1), turnover_ten_crore=False,
    )  # fmt: skip
    einvoicing.refresh_from_db()
    assert (
        services.invoice_issue(tenant=einvoicing, actor=owner, invoice=draft).status == Invoice.Status.ISSUED
    )
