"""The INV-01 JSON (version 1.1) of B2B invoices and notes, field by field; the schema it must pass; and
the rules the IRP enforces, checked before anything is uploaded."""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from apps.gst import jsontext
from apps.gst.einvoice import (
    BULK_FILE_MAX_BYTES,
    EInvoiceInvalid,
    EInvoiceLine,
    EInvoiceParty,
    EInvoiceRecord,
    address_split,
    bulk_json,
    bulk_parts,
    einvoice_build,
    einvoice_json,
    einvoice_payload,
    einvoice_problems,
    einvoice_schema_problems,
    reporting_last_day,
    signed_data,
)
from tests.gst.fake_irp import signed

SHOP = "27AAPFU0939F1ZV"
BUYER = "27AAACM1234K1ZN"
BUYER_KA = "29AAACM1234K1ZJ"

RING = EInvoiceLine(
    description="Lakshmi ring 22K916", hsn_code="711319", net_weight=D("9.500"), taxable_value=D("67700.33"),
    gst_rate=D("3.00"), cgst=D("1015.50"), sgst=D("1015.50"), igst=D("0.00"),
)  # fmt: skip
REPAIR = EInvoiceLine(
    description="Chain repair", hsn_code="998729", net_weight=None, taxable_value=D("1000.00"),
    gst_rate=D("18.00"), cgst=D("90.00"), sgst=D("90.00"), igst=D("0.00"),
)  # fmt: skip
INVOICE = EInvoiceRecord(
    doc_type="invoice",
    number="LJ/26-27/0007",
    issued_on=date(2026, 10, 5),
    status="issued",
    seller=EInvoiceParty(
        gstin=SHOP, name="Shop A Jewellers", address="12 Zaveri Bazaar, Mumbai 400002", state_code="27"
    ),
    buyer=EInvoiceParty(
        gstin=BUYER,
        name="Meera Gems Pvt Ltd",
        address="4 Hill Road\nBandra West\nMumbai",
        state_code="27",
        pin="400050",
    ),
    place_of_supply="27",
    lines=(RING, REPAIR),
    taxable_value=D("68700.33"),
    cgst=D("1105.50"),
    sgst=D("1105.50"),
    igst=D("0.00"),
    round_off=D("-0.33"),
    grand_total=D("70911.00"),
)
SETTINGS = {"today": date(2026, 10, 6), "turnover_ten_crore": False, "einvoice_from": date(2026, 4, 1)}


def test_a_b2b_invoice_with_an_article_and_a_service_line_field_by_field():
    payload = einvoice_payload(INVOICE)

    assert payload == {
        "Version": "1.1",
        "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N", "IgstOnIntra": "N"},
        "DocDtls": {"Typ": "INV", "No": "LJ/26-27/0007", "Dt": "05/10/2026"},
        "SellerDtls": {
            "Gstin": SHOP, "LglNm": "Shop A Jewellers", "TrdNm": "Shop A Jewellers", "Addr1": "12 Zaveri Bazaar",
            "Loc": "Mumbai", "Pin": 400002, "Stcd": "27",
        },
        "BuyerDtls": {
            "Gstin": BUYER, "LglNm": "Meera Gems Pvt Ltd", "TrdNm": "Meera Gems Pvt Ltd", "Addr1": "4 Hill Road",
            "Addr2": "Bandra West", "Loc": "Mumbai", "Pin": 400050, "Stcd": "27", "Pos": "27",
        },
        "ItemList": [
            {
                "SlNo": "1", "PrdDesc": "Lakshmi ring 22K916", "IsServc": "N", "HsnCd": "711319",
                "Qty": D("9.500"), "Unit": "GMS", "UnitPrice": D("7126.351"), "TotAmt": D("67700.33"),
                "Discount": D("0"), "AssAmt": D("67700.33"), "GstRt": D("3"), "IgstAmt": D("0.00"),
                "CgstAmt": D("1015.50"), "SgstAmt": D("1015.50"), "CesRt": D("0"), "CesAmt": D("0"),
                "TotItemVal": D("69731.33"),
            },
            {
                "SlNo": "2", "PrdDesc": "Chain repair", "IsServc": "Y", "HsnCd": "998729", "Qty": D("1"),
                "Unit": "OTH", "UnitPrice": D("1000.00"), "TotAmt": D("1000.00"), "Discount": D("0"),
                "AssAmt": D("1000.00"), "GstRt": D("18"), "IgstAmt": D("0.00"), "CgstAmt": D("90.00"),
                "SgstAmt": D("90.00"), "CesRt": D("0"), "CesAmt": D("0"), "TotItemVal": D("1180.00"),
            },
        ],
        "ValDtls": {
            "AssVal": D("68700.33"), "CgstVal": D("1105.50"), "SgstVal": D("1105.50"), "IgstVal": D("0.00"),
            "CesVal": D("0"), "Discount": D("0"), "OthChrg": D("0"), "RndOffAmt": D("-0.33"),
            "TotInvVal": D("70911.00"),
        },
    }  # fmt: skip
    assert "RefDtls" not in payload


def test_amounts_are_written_as_json_numbers_with_the_digits_settled_at_issue():
    text = einvoice_json(einvoice_payload(INVOICE)).decode()

    assert '"UnitPrice":7126.351,' in text and '"Qty":9.500,' in text
    assert '"RndOffAmt":-0.33,' in text and '"TotInvVal":70911.00}' in text
    assert '"Pin":400002,' in text and '"Stcd":"27"' in text
    assert json.loads(text)["ValDtls"]["CgstVal"] == 1105.5


def test_the_writer_refuses_a_float_so_no_amount_goes_through_binary_rounding():
    with pytest.raises(TypeError, match="Decimal"):
        jsontext.dumps({"AssVal": 1015.55})
    assert jsontext.dumps({"a": [D("0.10"), 1, "₹", None, True]}) == '{"a":[0.10,1,"₹",null,true]}'


def test_an_inter_state_invoice_carries_igst_and_the_buyers_state():
    record = replace(
        INVOICE,
        buyer=replace(INVOICE.buyer, gstin=BUYER_KA, state_code="29", address="7 MG Road, Bengaluru 560001"),
        place_of_supply="29",
        lines=(replace(RING, cgst=D("0.00"), sgst=D("0.00"), igst=D("2031.01")),),
        taxable_value=D("67700.33"), cgst=D("0.00"), sgst=D("0.00"), igst=D("2031.01"), round_off=D("-0.34"),
        grand_total=D("69731.00"),
    )  # fmt: skip

    payload = einvoice_payload(record)

    assert payload["BuyerDtls"] == {
        "Gstin": BUYER_KA, "LglNm": "Meera Gems Pvt Ltd", "TrdNm": "Meera Gems Pvt Ltd", "Addr1": "7 MG Road",
        "Loc": "Bengaluru", "Pin": 560001, "Stcd": "29", "Pos": "29",
    }  # fmt: skip
    assert payload["TranDtls"]["IgstOnIntra"] == "N"
    item = payload["ItemList"][0]
    assert (item["IgstAmt"], item["CgstAmt"], item["SgstAmt"], item["TotItemVal"]) == (
        D("2031.01"), D("0.00"), D("0.00"), D("69731.34"),
    )  # fmt: skip
    assert payload["ValDtls"] == {
        "AssVal": D("67700.33"), "CgstVal": D("0.00"), "SgstVal": D("0.00"), "IgstVal": D("2031.01"),
        "CesVal": D("0"), "Discount": D("0"), "OthChrg": D("0"), "RndOffAmt": D("-0.34"), "TotInvVal": D("69731.00"),
    }  # fmt: skip


CREDIT_NOTE = replace(
    INVOICE,
    doc_type="credit_note",
    number="CN/26-27/0001",
    issued_on=date(2026, 10, 9),
    lines=(RING,),
    taxable_value=D("67700.33"),
    cgst=D("1015.50"),
    sgst=D("1015.50"),
    round_off=D("-0.33"),
    grand_total=D("69731.00"),
    original_number="LJ/26-27/0007",
    original_issued_on=date(2026, 10, 5),
)


def test_a_credit_note_names_the_invoice_it_corrects_field_by_field():
    payload = einvoice_payload(CREDIT_NOTE)

    assert payload == {
        "Version": "1.1",
        "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N", "IgstOnIntra": "N"},
        "DocDtls": {"Typ": "CRN", "No": "CN/26-27/0001", "Dt": "09/10/2026"},
        "SellerDtls": {
            "Gstin": SHOP, "LglNm": "Shop A Jewellers", "TrdNm": "Shop A Jewellers", "Addr1": "12 Zaveri Bazaar",
            "Loc": "Mumbai", "Pin": 400002, "Stcd": "27",
        },
        "BuyerDtls": {
            "Gstin": BUYER, "LglNm": "Meera Gems Pvt Ltd", "TrdNm": "Meera Gems Pvt Ltd", "Addr1": "4 Hill Road",
            "Addr2": "Bandra West", "Loc": "Mumbai", "Pin": 400050, "Stcd": "27", "Pos": "27",
        },
        "ItemList": [
            {
                "SlNo": "1", "PrdDesc": "Lakshmi ring 22K916", "IsServc": "N", "HsnCd": "711319",
                "Qty": D("9.500"), "Unit": "GMS", "UnitPrice": D("7126.351"), "TotAmt": D("67700.33"),
                "Discount": D("0"), "AssAmt": D("67700.33"), "GstRt": D("3"), "IgstAmt": D("0.00"),
                "CgstAmt": D("1015.50"), "SgstAmt": D("1015.50"), "CesRt": D("0"), "CesAmt": D("0"),
                "TotItemVal": D("69731.33"),
            },
        ],
        "ValDtls": {
            "AssVal": D("67700.33"), "CgstVal": D("1015.50"), "SgstVal": D("1015.50"), "IgstVal": D("0.00"),
            "CesVal": D("0"), "Discount": D("0"), "OthChrg": D("0"), "RndOffAmt": D("-0.33"),
            "TotInvVal": D("69731.00"),
        },
        "RefDtls": {"PrecDocDtls": [{"InvNo": "LJ/26-27/0007", "InvDt": "05/10/2026"}]},
    }  # fmt: skip


def test_a_debit_note_is_dbn_and_a_value_only_line_counts_one_unit():
    increase = EInvoiceLine(
        description="Price increase on Lakshmi ring", hsn_code="711319", net_weight=None,
        taxable_value=D("500.00"), gst_rate=D("3.00"), cgst=D("7.50"), sgst=D("7.50"), igst=D("0.00"),
    )  # fmt: skip
    note = replace(
        CREDIT_NOTE, doc_type="debit_note", number="DN/26-27/0001", lines=(increase,), taxable_value=D("500.00"),
        cgst=D("7.50"), sgst=D("7.50"), round_off=D("0.00"), grand_total=D("515.00"),
    )  # fmt: skip

    payload = einvoice_payload(note)

    assert payload["DocDtls"]["Typ"] == "DBN"
    assert payload["RefDtls"] == {"PrecDocDtls": [{"InvNo": "LJ/26-27/0007", "InvDt": "05/10/2026"}]}
    item = payload["ItemList"][0]
    assert (item["IsServc"], item["Qty"], item["Unit"], item["UnitPrice"]) == (
        "N",
        D("1"),
        "OTH",
        D("500.00"),
    )


def test_the_schema_accepts_every_document_built():
    for record in (INVOICE, CREDIT_NOTE):
        assert einvoice_schema_problems(einvoice_build(record)) == []


def _broken(change):
    payload = json.loads(einvoice_json(einvoice_build(INVOICE)))
    change(payload)
    return einvoice_schema_problems(payload)


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda p: p["ItemList"][0].update(HsnCd="7113"), "ItemList/0/HsnCd"),
        (lambda p: p["ItemList"][0].update(HsnCd="71131"), "ItemList/0/HsnCd"),
        (lambda p: p["DocDtls"].update(No="0LJ/7"), "DocDtls/No"),
        (lambda p: p["DocDtls"].update(No="/LJ7"), "DocDtls/No"),
        (lambda p: p["DocDtls"].update(No="LJ/2026-27/000007"), "DocDtls/No"),
        (lambda p: p["DocDtls"].update(Dt="05-10-2026"), "DocDtls/Dt"),
        (lambda p: p["DocDtls"].update(Dt="2026-10-05"), "DocDtls/Dt"),
        (lambda p: p["SellerDtls"].update(Pin=40002), "SellerDtls/Pin"),
        (lambda p: p["BuyerDtls"].update(Pin=1000000), "BuyerDtls/Pin"),
        (lambda p: p["BuyerDtls"].update(Stcd="Maharashtra"), "BuyerDtls/Stcd"),
        (lambda p: p["ValDtls"].update(RndOffAmt=100), "ValDtls/RndOffAmt"),
        (lambda p: p["ValDtls"].update(RndOffAmt=-99.991), "ValDtls/RndOffAmt"),
        (lambda p: p.update(ItemList=p["ItemList"] * 501), "ItemList"),
        (lambda p: p.update(ItemList=[]), "ItemList"),
        (lambda p: p.pop("BuyerDtls"), "document"),
        (lambda p: p["TranDtls"].update(SupTyp="B2C"), "TranDtls/SupTyp"),
        (lambda p: p["ItemList"][1].update(GstRt=3.5), "ItemList/1/GstRt"),
        (lambda p: p["ItemList"][0].update(Colour="yellow"), "ItemList/0"),
        (lambda p: p.update(Version="1.03"), "Version"),
    ],
)
def test_the_schema_refuses_what_the_irp_refuses(change, where):
    problems = _broken(change)

    assert problems and any(problem.startswith(f"{where}:") for problem in problems), problems


def test_the_schema_takes_the_round_off_and_line_limits_at_their_bounds():
    assert _broken(lambda p: p["ValDtls"].update(RndOffAmt=-99.99)) == []
    assert _broken(lambda p: p["ValDtls"].update(RndOffAmt=99.99)) == []
    assert _broken(lambda p: p.update(ItemList=p["ItemList"] * 500)) == []  # 1,000 lines


def test_a_payload_the_schema_refuses_is_never_handed_out():
    odd = replace(INVOICE, lines=(replace(RING, description="Ri"),))  # the IRP wants 3 letters or more

    with pytest.raises(EInvoiceInvalid) as refused:
        einvoice_payload(odd)

    assert any(problem.startswith("ItemList/0/PrdDesc:") for problem in refused.value.problems)


# --- the rules checked before upload --------------------------------------------------------------


def test_a_ready_document_has_no_problem():
    assert einvoice_problems(INVOICE, **SETTINGS) == []
    assert einvoice_problems(CREDIT_NOTE, **SETTINGS) == []


@pytest.mark.parametrize(
    "record, words",
    [
        (replace(INVOICE, buyer=replace(INVOICE.buyer, gstin="")), "not GST-registered"),
        (replace(INVOICE, buyer=replace(INVOICE.buyer, gstin=SHOP)), "shop's own GSTIN"),
        (replace(INVOICE, number="0LJ/7"), "does not fit the IRP's pattern"),
        (replace(INVOICE, lines=(replace(RING, hsn_code="7113"),)), "HSN 7113 has 4 digits"),
        (replace(INVOICE, lines=(RING,) * 1001), "1,001 lines; the IRP takes at most 1,000"),
        (replace(INVOICE, lines=()), "no lines"),
        (replace(INVOICE, round_off=D("100.00")), "round-off of ₹100.00"),
        (replace(INVOICE, buyer=replace(INVOICE.buyer, pin="")), "buyer's address has no PIN code"),
        (replace(INVOICE, buyer=replace(INVOICE.buyer, address="")), "buyer's address is missing"),
        (
            replace(INVOICE, seller=replace(INVOICE.seller, address="12 Zaveri Bazaar, Mumbai")),
            "shop's address has no PIN",
        ),
        (replace(INVOICE, issued_on=date(2026, 3, 31)), "before the shop's e-invoicing began (01 Apr 2026)"),
        (replace(CREDIT_NOTE, original_number=""), "does not name the invoice it corrects"),
        (replace(INVOICE, status="cancelled"), "is cancelled"),
        (replace(INVOICE, irn="a" * 64, irn_status="active"), "already has an IRN"),
        (
            replace(INVOICE, irn="a" * 64, irn_status="cancelled"),
            "never registers number LJ/26-27/0007 again",
        ),
    ],
)
def test_each_rule_the_irp_enforces_is_named_before_upload(record, words):
    problems = einvoice_problems(record, **SETTINGS)

    assert any(words in problem for problem in problems), problems


def test_a_shop_that_has_not_set_its_e_invoicing_day_is_told_where_to_set_it():
    problems = einvoice_problems(INVOICE, **{**SETTINGS, "einvoice_from": None})

    assert problems == [
        "The shop has not set the day it e-invoices from: an owner or admin sets it in Settings → Profile."
    ]


def test_the_thirty_day_limit_applies_from_ten_crore_and_counts_the_documents_day_as_the_first():
    # GSTN: a document of 1 April is reported until 30 April.
    april = replace(INVOICE, issued_on=date(2026, 4, 1))
    assert reporting_last_day(date(2026, 4, 1)) == date(2026, 4, 30)
    ten_crore = {**SETTINGS, "turnover_ten_crore": True}

    assert einvoice_problems(april, **{**ten_crore, "today": date(2026, 4, 30)}) == []
    late = einvoice_problems(april, **{**ten_crore, "today": date(2026, 5, 1)})
    assert late == [
        "It is dated 01 Apr 2026: with turnover of ₹10 crore or more the IRP takes a document only within 30 days "
        "of its date, so until 30 Apr 2026."
    ]
    assert einvoice_problems(april, **{**SETTINGS, "today": date(2026, 5, 1) + timedelta(days=200)}) == []


# --- addresses, bulk files and signed answers --------------------------------------------------------


@pytest.mark.parametrize(
    "text, parts",
    [
        ("12 Zaveri Bazaar, Mumbai 400002", ("12 Zaveri Bazaar", "", "Mumbai", "400002")),
        ("Shop 3, Opera House, Mumbai, Maharashtra - 400 004", ("Shop 3", "Opera House", "Mumbai", "400004")),
        ("Plot 9\nSector 18\nNoida\nPIN: 201301", ("Plot 9", "Sector 18", "Noida", "201301")),
        ("4 Hill Road, Mumbai", ("4 Hill Road", "", "Mumbai", "")),
        ("Chennai 600001", ("Chennai", "", "Chennai", "600001")),
        ("", ("", "", "", "")),
    ],
)
def test_a_free_text_address_is_split_into_the_irps_parts(text, parts):
    address = address_split(text)

    assert (address.line1, address.line2, address.place, address.pin) == parts


def test_a_pin_written_in_the_address_wins_over_the_one_on_record():
    assert address_split("Chennai 600001", pin="600002").pin == "600001"
    assert address_split("Chennai", pin="600002").pin == "600002"


def test_bulk_files_stay_within_the_portals_one_megabyte():
    texts = [b"x" * 300_000 for _ in range(7)]

    parts = bulk_parts(texts)

    assert parts == [[0, 1, 2], [3, 4, 5], [6]]
    assert all(len(bulk_json([texts[i] for i in part])) <= BULK_FILE_MAX_BYTES for part in parts)
    assert bulk_parts([b"y" * (BULK_FILE_MAX_BYTES + 5), b"z"]) == [[0], [1]]
    assert json.loads(bulk_json([b'{"a":1}', b'{"b":2}'])) == [{"a": 1}, {"b": 2}]


def test_a_signed_qr_code_is_read_for_the_document_it_names():
    token = signed({"SellerGstin": SHOP, "DocNo": "LJ/26-27/0007", "DocTyp": "INV", "DocDt": "05/10/2026"})

    assert signed_data(token)["DocNo"] == "LJ/26-27/0007"
    for broken in ("not-a-jwt", "a.b.c", token.split(".")[0] + ".e30.x"):
        if broken.endswith(".e30.x"):
            assert signed_data(broken) == {}
            continue
        with pytest.raises(ValueError):
            signed_data(broken)
