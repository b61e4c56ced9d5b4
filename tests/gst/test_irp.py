"""The IRP client against a local fake of a GSP's e-invoice API (tests/gst/fake_irp.py): what it sends,
how it reads the IRP's answers, and the IRP's refusals in words a shop owner reads."""

import hashlib
import json
import socket
from datetime import datetime

import pytest

from apps.gst.einvoice import einvoice_payload
from apps.gst.irp import (
    IST,
    HttpIrpClient,
    IrpDuplicate,
    IrpRefused,
    IrpUnavailable,
    irp_answer_read,
    irp_client,
)
from tests.gst.fake_irp import CREDENTIALS, FakeIrp, signed
from tests.gst.test_einvoice import CREDIT_NOTE, INVOICE, SHOP


def _client(irp: FakeIrp, **overrides) -> HttpIrpClient:
    login = {
        "base_url": irp.url, "gstin": SHOP, "username": CREDENTIALS["user_name"], "password": CREDENTIALS["password"],
        "client_id": CREDENTIALS["client_id"], "client_secret": CREDENTIALS["client_secret"], "timeout": 5,
    }  # fmt: skip
    return HttpIrpClient(**{**login, **overrides})


@pytest.fixture
def irp():
    with FakeIrp() as fake:
        yield fake


def test_generate_registers_the_document_and_reads_the_irps_answer(irp):
    answer = _client(irp).generate(einvoice_payload(INVOICE))

    assert answer.irn == hashlib.sha256(f"{SHOP}2026-27INVLJ/26-27/0007".encode()).hexdigest()
    assert answer.ack_no.isdigit() and len(answer.ack_no) == 15
    assert answer.ack_at.tzinfo is IST and answer.status == "ACT"
    assert (answer.seller_gstin, answer.type_code, answer.number) == (SHOP, "INV", "LJ/26-27/0007")
    assert answer.issued_on.isoformat() == "2026-10-05" and answer.doc_type == "invoice"
    assert answer.signed_invoice.count(".") == 2 and answer.signed_qr.count(".") == 2
    sent = irp.requests[-1]
    assert (sent["method"], sent["path"]) == ("POST", "/ei/api/invoice")
    assert sent["headers"]["gstin"] == SHOP and sent["headers"]["user_name"] == "irp-user"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert b'"TotInvVal":70911.00' in sent["body"]  # the amounts as issued, not as floats


def test_each_request_carries_its_own_request_id(irp):
    client = _client(irp)
    client.generate(einvoice_payload(INVOICE))
    client.generate(einvoice_payload(CREDIT_NOTE))

    ids = [request["headers"]["requestid"] for request in irp.requests]
    assert len(set(ids)) == 2


def test_a_number_registered_once_is_a_duplicate_and_its_irn_is_read_back(irp):
    client = _client(irp)
    first = client.generate(einvoice_payload(INVOICE))

    with pytest.raises(IrpDuplicate) as duplicate:
        client.generate(einvoice_payload(INVOICE))

    assert duplicate.value.irn == first.irn and duplicate.value.irp_code == "2150"
    assert "already registered this document number" in duplicate.value.message
    again = client.get_by_irn(first.irn)
    assert (again.irn, again.ack_no, again.signed_qr) == (first.irn, first.ack_no, first.signed_qr)


def test_an_irn_is_cancelled_within_24_hours_and_never_again(irp):
    client = _client(irp)
    answer = client.generate(einvoice_payload(INVOICE))
    irp.later(hours=23, minutes=59)

    cancelled = client.cancel(answer.irn, "data_entry_mistake", "Wrong buyer")

    assert cancelled.irn == answer.irn and cancelled.cancelled_at > answer.ack_at
    assert json.loads(irp.requests[-1]["body"]) == {"Irn": answer.irn, "CnlRsn": "2", "CnlRem": "Wrong buyer"}
    with pytest.raises(IrpRefused) as again:
        client.cancel(answer.irn, "data_entry_mistake", "Wrong buyer")
    assert again.value.irp_code == "9999"
    with pytest.raises(IrpDuplicate):  # the number stays burnt
        client.generate(einvoice_payload(INVOICE))


def test_after_24_hours_the_irp_refuses_to_cancel_and_says_a_credit_note_is_the_way(irp):
    client = _client(irp)
    answer = client.generate(einvoice_payload(INVOICE))
    irp.later(hours=24, minutes=1)

    with pytest.raises(IrpRefused) as refused:
        client.cancel(answer.irn, "order_cancelled", "Returned")

    assert refused.value.irp_code == "2270"
    assert refused.value.message == (
        "The IRP cancels an IRN only within 24 hours of its acknowledgement: issue a credit note instead. "
        "(IRP error 2270)"
    )


def test_a_document_older_than_30_days_is_refused_for_turnover_of_ten_crore():
    with FakeIrp(reporting_days=30) as irp:
        irp.now = lambda: datetime(2026, 11, 4, 12, tzinfo=IST)  # 30 days after 5 October

        with pytest.raises(IrpRefused) as refused:
            _client(irp).generate(einvoice_payload(INVOICE))

    assert refused.value.irp_code == "2305"
    assert "older than 30 days for turnover of ₹10 crore or more" in refused.value.message


def test_a_payload_the_schema_refuses_comes_back_with_the_irps_words(irp):
    payload = einvoice_payload(INVOICE)
    payload["ItemList"][0]["HsnCd"] = "7113"

    with pytest.raises(IrpRefused) as refused:
        _client(irp).generate(payload)

    assert refused.value.irp_code == "5002" and "ItemList/0/HsnCd" in refused.value.message


def test_another_gstins_document_and_wrong_credentials_are_refused(irp):
    with pytest.raises(IrpRefused) as other:
        _client(irp, gstin="27AAACM1234K1ZN").generate(einvoice_payload(INVOICE))
    assert other.value.irp_code == "2211"

    with pytest.raises(IrpRefused) as login:
        _client(irp, password="wrong").generate(einvoice_payload(INVOICE))
    assert login.value.irp_code == "1005"
    assert irp.documents == {}


def test_an_irp_that_fails_or_cannot_be_reached_is_unavailable_not_a_refusal(irp):
    irp.fail_with = 502
    with pytest.raises(IrpUnavailable, match="failed on its side"):
        _client(irp).generate(einvoice_payload(INVOICE))

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(IrpUnavailable, match="could not be reached"):
        _client(irp, base_url=f"http://127.0.0.1:{port}/ei/api").generate(einvoice_payload(INVOICE))


def test_the_client_is_off_until_an_endpoint_is_configured_and_only_for_its_gstin(settings):
    settings.IRP_BASE_URL = ""
    assert irp_client(gstin=SHOP) is None

    settings.IRP_BASE_URL = "http://127.0.0.1:9/ei/api"
    settings.IRP_GSTIN = SHOP
    assert isinstance(irp_client(gstin=SHOP), HttpIrpClient)
    assert irp_client(gstin="27AAACM1234K1ZN") is None  # another shop never uses this login
    settings.IRP_GSTIN = ""
    assert irp_client(gstin="27AAACM1234K1ZN").headers["gstin"] == "27AAACM1234K1ZN"
    assert irp_client(gstin="") is None


ANSWER = {
    "AckNo": 232210036743849,
    "AckDt": "2022-09-16 19:29:00",
    "Irn": "706daeccda0ef6f818da78f3a2a05a1288731057373002289b46c3229289a2e7",
    "SignedInvoice": "",
    "SignedQRCode": signed(
        {
            "SellerGstin": SHOP,
            "BuyerGstin": "27AAACM1234K1ZN",
            "DocNo": "SINV-CFY-00067",
            "DocTyp": "INV",
            "DocDt": "16/09/2022",
            "Irn": "706daeccda0ef6f818da78f3a2a05a1288731057373002289b46c3229289a2e7",
        }
    ),
    "Status": "ACT",
}


def test_an_answer_in_the_irps_shape_is_read_with_the_document_its_qr_code_names():
    answer = irp_answer_read({"success": True, "result": ANSWER})

    assert answer.ack_no == "232210036743849"
    assert answer.ack_at == datetime(2022, 9, 16, 19, 29, tzinfo=IST)
    assert (answer.number, answer.type_code, answer.seller_gstin) == ("SINV-CFY-00067", "INV", SHOP)
    assert answer.issued_on.isoformat() == "2022-09-16"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"Irn": "not-an-irn"}, "is not an IRN"),
        ({"AckNo": "A123"}, "acknowledgement number"),
        ({"AckDt": "16/09/2022 19:29"}, "YYYY-MM-DD HH:MM:SS"),
        ({"SignedQRCode": ""}, "no signed QR code"),
        ({"SignedQRCode": "garbage"}, "not a signed QR code"),
        ({"Irn": "f" * 64}, "names another IRN"),
        ({"DocDt": "2022-09-16"}, "not a date as dd/mm/yyyy"),
    ],
)
def test_an_answer_that_is_not_one_is_refused_in_words(change, words):
    with pytest.raises(ValueError, match=words):
        irp_answer_read({**ANSWER, **change})
    with pytest.raises(ValueError, match="JSON object"):
        irp_answer_read(["not", "an", "answer"])
