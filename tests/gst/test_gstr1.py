"""GSTR-1 from document records, worked by hand: each section, the B2C-large limit on both sides of
1 August 2024, the HSN split on both sides of May 2025, notes, cancelled documents, a QRMP quarter with
months furnished in the IFF; every file checked against the schema, and the sections adding up to the
HSN summary. Expected files are written out in full and compared field by field."""

import csv
import dataclasses
import io
import tracemalloc
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from apps.gst.periods import ReturnPeriod
from apps.gst.returns.gstr1 import SourceOrderError
from apps.gst.returns.gstr1_json import gstr1_build, gstr1_json_write
from apps.gst.returns.gstr1_sections import B2C_LARGE_LIMITS, b2c_large_limit
from apps.gst.returns.gstr1_sheets import gstr1_sheets_write
from apps.gst.returns.gstr3b import gstr3b_summary, gstr3b_write
from apps.gst.returns.records import DocumentRecord, Gstr1Source, LineRecord, SeriesCount
from apps.gst.returns.schema import ReturnSchemaError, gstr1_errors, gstr1_parse, gstr1_reference_errors

D = Decimal
Z = D("0.00")
SHOP = "27AAPFU0939F1ZV"  # Maharashtra
MUMBAI_BUYER = "27AABCR1234C1ZY"
BENGALURU_BUYER = "29AACCK5678D1ZA"
JEWELLERY = "Articles of jewellery of preci"  # the rate table's description, cut to 30 characters
DESCRIPTIONS = {"7113": "Articles of jewellery of precious metal", "9987": "Repair and maintenance services"}


def line(
    hsn, rate, taxable, *, igst="0.00", cgst="0.00", sgst="0.00", grams=None, description="Gold jewellery"
):
    return LineRecord(
        hsn=hsn, description=description, rate=D(rate), taxable=D(taxable), igst=D(igst), cgst=D(cgst),
        sgst=D(sgst), grams=D(grams) if grams else None,
    )  # fmt: skip


def doc(number, day, value, *lines, kind="invoice", pos="27", buyer="", original=None, original_day=None,
        status="issued", name=""):  # fmt: skip
    return DocumentRecord(
        kind=kind, number=number, date=day, seller_state="27", pos=pos, buyer_gstin=buyer, buyer_name=name,
        value=D(value), lines=tuple(lines), original_value=D(original) if original else None,
        original_date=original_day, status=status,
    )  # fmt: skip


def oct(day):
    return date(2026, 10, day)


# October 2026: every section. In the order a source streams them: B2B by buyer, the unregistered
# buyers' invoices by place of supply, notes to registered buyers, notes to unregistered buyers.
OCTOBER = [
    doc("INV/26-27/0001", oct(5), "70911.00",
        line("7113", "3", "67700.00", cgst="1015.50", sgst="1015.50", grams="9.500", description="Lakshmi ring"),
        line("9987", "18", "1000.00", cgst="90.00", sgst="90.00", description="Chain repair"),
        buyer=MUMBAI_BUYER, name="Shah Jewels LLP"),
    doc("INV/26-27/0002", oct(6), "103000.00", line("7113", "3", "100000.00", igst="3000.00", grams="18.250"),
        pos="29", buyer=BENGALURU_BUYER, name="Karnataka Gold Co"),
    # unregistered, intra-state: B2CS whatever the value (₹5 lakh here)
    doc("INV/26-27/0005", oct(9), "500000.00", line("7113", "3", "485436.89", cgst="7281.55", sgst="7281.55", grams="80.000")),
    doc("INV/26-27/0006", oct(10), "590.00", line("9987", "18", "500.00", cgst="45.00", sgst="45.00")),
    # unregistered, inter-state: above ₹1 lakh is B2CL, at or below it B2CS
    doc("INV/26-27/0003", oct(7), "150000.00", line("7113", "3", "145631.07", igst="4368.93", grams="24.100"), pos="29"),
    doc("INV/26-27/0004", oct(8), "90000.00", line("7113", "3", "87378.64", igst="2621.36", grams="14.000"), pos="29"),
    # notes to registered buyers: CDNR, unsigned, C or D
    doc("CN/26-27/0001", oct(12), "1180.00", line("9987", "18", "1000.00", cgst="90.00", sgst="90.00"),
        kind="credit_note", buyer=MUMBAI_BUYER, original="70911.00", original_day=oct(5)),
    doc("DN/26-27/0001", oct(14), "2060.00", line("7113", "3", "2000.00", igst="60.00"),
        kind="debit_note", pos="29", buyer=BENGALURU_BUYER, original="103000.00", original_day=oct(6)),
    # notes to unregistered buyers: intra-state nets into B2CS; on the B2CL invoice CDNUR; on a B2CS one B2CS
    doc("CN/26-27/0003", oct(16), "10000.00", line("7113", "3", "9708.74", cgst="145.63", sgst="145.63"),
        kind="credit_note", original="500000.00", original_day=oct(9)),
    doc("CN/26-27/0002", oct(15), "10000.00", line("7113", "3", "9708.74", igst="291.26"),
        kind="credit_note", pos="29", original="150000.00", original_day=oct(7)),
    doc("CN/26-27/0004", oct(17), "1000.00", line("7113", "3", "970.87", igst="29.13"),
        kind="credit_note", pos="29", original="90000.00", original_day=oct(8)),
    # cancelled on its day: Table 13 only
    doc("INV/26-27/0007", oct(18), "5900.00", line("9987", "18", "5000.00", cgst="450.00", sgst="450.00"),
        status="cancelled"),
]  # fmt: skip
OCTOBER_SERIES = [
    SeriesCount(nature=1, first="INV/26-27/0001", last="INV/26-27/0007", total=7, cancelled=1, series="INV"),
    SeriesCount(nature=5, first="CN/26-27/0001", last="CN/26-27/0004", total=4, series="CN"),
    SeriesCount(nature=4, first="DN/26-27/0001", last="DN/26-27/0001", total=1, series="DN"),
    SeriesCount(nature=6, first="RV/26-27/0001", last="RV/26-27/0002", total=2, series="RV"),
]


def item(num, txval, rt, iamt="0.00", camt=None, samt=None):
    detail = {"txval": D(txval), "rt": rt, "iamt": D(iamt)}
    if camt is not None:
        detail |= {"camt": D(camt), "samt": D(samt)}
    return {"num": num, "itm_det": detail | {"csamt": Z}}


def hsn(num, code, desc, uqc, qty, rt, txval, iamt="0.00", camt="0.00", samt="0.00"):
    return {"num": num, "hsn_sc": code, "desc": desc, "uqc": uqc, "qty": D(qty), "rt": rt, "txval": D(txval),
            "iamt": D(iamt), "camt": D(camt), "samt": D(samt), "csamt": Z}  # fmt: skip


OCTOBER_EXPECTED = {
    "gstin": SHOP, "fp": "102026", "version": "GST3.2.4", "hash": "hash",
    "b2b": [
        {"ctin": MUMBAI_BUYER, "inv": [
            {"inum": "INV/26-27/0001", "idt": "05-10-2026", "val": D("70911.00"), "pos": "27", "rchrg": "N",
             "inv_typ": "R", "itms": [item(1, "67700.00", 3, camt="1015.50", samt="1015.50"),
                                      item(2, "1000.00", 18, camt="90.00", samt="90.00")]},
        ]},
        {"ctin": BENGALURU_BUYER, "inv": [
            {"inum": "INV/26-27/0002", "idt": "06-10-2026", "val": D("103000.00"), "pos": "29", "rchrg": "N",
             "inv_typ": "R", "itms": [item(1, "100000.00", 3, "3000.00", camt="0.00", samt="0.00")]},
        ]},
    ],
    "b2cl": [
        {"pos": "29", "inv": [
            {"inum": "INV/26-27/0003", "idt": "07-10-2026", "val": D("150000.00"),
             "itms": [item(1, "145631.07", 3, "4368.93")]},
        ]},
    ],
    "cdnr": [
        {"ctin": MUMBAI_BUYER, "nt": [
            {"ntty": "C", "nt_num": "CN/26-27/0001", "nt_dt": "12-10-2026", "val": D("1180.00"), "pos": "27",
             "rchrg": "N", "inv_typ": "R", "itms": [item(1, "1000.00", 18, camt="90.00", samt="90.00")]},
        ]},
        {"ctin": BENGALURU_BUYER, "nt": [
            {"ntty": "D", "nt_num": "DN/26-27/0001", "nt_dt": "14-10-2026", "val": D("2060.00"), "pos": "29",
             "rchrg": "N", "inv_typ": "R", "itms": [item(1, "2000.00", 3, "60.00", camt="0.00", samt="0.00")]},
        ]},
    ],
    "cdnur": [
        {"typ": "B2CL", "ntty": "C", "nt_num": "CN/26-27/0002", "nt_dt": "15-10-2026", "val": D("10000.00"),
         "pos": "29", "itms": [item(1, "9708.74", 3, "291.26")]},
    ],
    "b2cs": [
        # 485,436.89 less the credit note's 9,708.74; 7,281.55 less 145.63 each
        {"sply_ty": "INTRA", "pos": "27", "typ": "OE", "rt": 3, "txval": D("475728.15"), "iamt": Z,
         "camt": D("7135.92"), "samt": D("7135.92"), "csamt": Z},
        {"sply_ty": "INTRA", "pos": "27", "typ": "OE", "rt": 18, "txval": D("500.00"), "iamt": Z,
         "camt": D("45.00"), "samt": D("45.00"), "csamt": Z},
        # 87,378.64 less 970.87; 2,621.36 less 29.13
        {"sply_ty": "INTER", "pos": "29", "typ": "OE", "rt": 3, "txval": D("86407.77"), "iamt": D("2592.23"),
         "camt": Z, "samt": Z, "csamt": Z},
    ],
    "hsn": {
        # registered buyers: both invoices' jewellery and the debit note; the repair and its credit note
        # cancel out and leave no row
        "hsn_b2b": [hsn(1, "7113", JEWELLERY, "GMS", "27.75", 3, "169700.00", "3060.00", "1015.50", "1015.50")],
        # 145,631.07 + 87,378.64 + 485,436.89 - 9,708.74 - 9,708.74 - 970.87; 24.1 + 14 + 80 g
        "hsn_b2c": [hsn(1, "7113", JEWELLERY, "GMS", "118.10", 3, "698058.25", "6669.90", "7135.92", "7135.92"),
                    hsn(2, "9987", "Repair and maintenance service", "NA", "0.00", 18, "500.00", "0.00", "45.00",
                        "45.00")],
    },
    "doc_issue": {"doc_det": [
        {"doc_num": 1, "docs": [{"num": 1, "from": "INV/26-27/0001", "to": "INV/26-27/0007", "totnum": 7,
                                 "cancel": 1, "net_issue": 6}]},
        {"doc_num": 4, "docs": [{"num": 1, "from": "DN/26-27/0001", "to": "DN/26-27/0001", "totnum": 1,
                                 "cancel": 0, "net_issue": 1}]},
        {"doc_num": 5, "docs": [{"num": 1, "from": "CN/26-27/0001", "to": "CN/26-27/0004", "totnum": 4,
                                 "cancel": 0, "net_issue": 4}]},
        {"doc_num": 6, "docs": [{"num": 1, "from": "RV/26-27/0001", "to": "RV/26-27/0002", "totnum": 2,
                                 "cancel": 0, "net_issue": 2}]},
    ]},
}  # fmt: skip


def assert_valid(document):
    """Both checkers pass it: the one the writer streams with and the reference Draft 2020-12 one."""
    assert gstr1_errors(document) == []
    assert gstr1_reference_errors(document) == []


HEADS = ("txval", "iamt", "camt", "samt", "csamt")


def sections_total(document) -> dict[str, Decimal]:
    """What the document sections add up to, read off the file (credit notes negative)."""
    total = dict.fromkeys(HEADS, Z)

    def add(detail, sign=1):
        for head in HEADS:
            total[head] += sign * detail.get(head, Z)

    for party in document.get("b2b", []):
        for invoice in party["inv"]:
            for it in invoice["itms"]:
                add(it["itm_det"])
    for place in document.get("b2cl", []):
        for invoice in place["inv"]:
            for it in invoice["itms"]:
                add(it["itm_det"])
    for row in document.get("b2cs", []):
        add(row)
    for note in [n for party in document.get("cdnr", []) for n in party["nt"]] + document.get("cdnur", []):
        for it in note["itms"]:
            add(it["itm_det"], -1 if note["ntty"] == "C" else 1)
    for row in document.get("nil", {}).get("inv", []):
        total["txval"] += row["nil_amt"] + row["expt_amt"] + row["ngsup_amt"]
    return total


def hsn_total(document) -> dict[str, Decimal]:
    total = dict.fromkeys(HEADS, Z)
    for rows in document["hsn"].values():
        for row in rows:
            for head in HEADS:
                total[head] += row[head]
    return total


def test_a_month_with_every_section_is_built_field_by_field():
    built = gstr1_build(
        OCTOBER, period=ReturnPeriod.month(2026, 10), gstin=SHOP, series=OCTOBER_SERIES,
        hsn_descriptions=DESCRIPTIONS,
    )  # fmt: skip
    for key in OCTOBER_EXPECTED:
        assert built[key] == OCTOBER_EXPECTED[key], key
    assert built == OCTOBER_EXPECTED
    assert_valid(built)


def test_the_sections_add_up_to_the_hsn_summary_to_the_paisa():
    built = gstr1_build(OCTOBER, period=ReturnPeriod.month(2026, 10), gstin=SHOP, series=OCTOBER_SERIES)
    assert sections_total(built) == hsn_total(built) == {
        "txval": D("868258.25"), "iamt": D("9729.90"), "camt": D("8196.42"), "samt": D("8196.42"), "csamt": Z,
    }  # fmt: skip


def test_amounts_are_written_digit_for_digit_as_issued():
    out = io.BytesIO()
    gstr1_json_write(
        Gstr1Source(documents=OCTOBER, series=OCTOBER_SERIES),
        out,
        period=ReturnPeriod.month(2026, 10),
        gstin=SHOP,
    )
    text = out.getvalue().decode()
    assert '"val":70911.00,' in text and '"camt":1015.50,' in text and '"qty":27.75,' in text
    assert text.startswith(
        '{"gstin":"27AAPFU0939F1ZV","fp":"102026","version":"GST3.2.4","hash":"hash","b2b":['
    )


def test_the_b2c_large_limit_follows_the_documents_date_on_both_sides_of_1_august_2024():
    assert b2c_large_limit(date(2024, 7, 31)) == D("250000") and b2c_large_limit(date(2024, 8, 1)) == D(
        "100000"
    )
    assert B2C_LARGE_LIMITS[-1][1] == D("100000")
    july, aug = date(2024, 7, 31), date(2024, 8, 1)
    documents = [  # one quarter, July-September 2024, all inter-state to unregistered buyers in Karnataka
        doc("INV/24-25/0104", date(2024, 7, 30), "260000.00", line("7113", "3", "252427.18", igst="7572.82"), pos="29"),
        doc("INV/24-25/0102", aug, "200000.00", line("7113", "3", "194174.76", igst="5825.24"), pos="29"),
        doc("INV/24-25/0101", july, "200000.00", line("7113", "3", "194174.76", igst="5825.24"), pos="29"),
        doc("INV/24-25/0103", july, "250000.00", line("7113", "3", "242718.45", igst="7281.55"), pos="29"),
        doc("INV/24-25/0105", date(2024, 8, 2), "100000.00", line("7113", "3", "97087.38", igst="2912.62"), pos="29"),
        # August notes: on the July ₹2.6 lakh invoice (B2CL then) CDNUR; on the July ₹2 lakh one (B2CS
        # then, though above August's limit) B2CS
        doc("CN/24-25/0001", date(2024, 8, 5), "5000.00", line("7113", "3", "4854.37", igst="145.63"),
            kind="credit_note", pos="29", original="260000.00", original_day=date(2024, 7, 30)),
        doc("CN/24-25/0002", date(2024, 8, 6), "5000.00", line("7113", "3", "4854.37", igst="145.63"),
            kind="credit_note", pos="29", original="200000.00", original_day=july),
    ]  # fmt: skip
    built = gstr1_build(documents, period=ReturnPeriod.quarter(2024, 2), gstin=SHOP)
    assert built["fp"] == "092024"
    assert [(inv["inum"], inv["idt"]) for place in built["b2cl"] for inv in place["inv"]] == [
        ("INV/24-25/0104", "30-07-2024"),  # above ₹2.5 lakh in July
        ("INV/24-25/0102", "01-08-2024"),  # above ₹1 lakh from 1 August
    ]
    # 31 July at ₹2 lakh and exactly ₹2.5 lakh, 2 August at exactly ₹1 lakh (the limit is exceeded, not
    # reached), less the second credit note
    assert built["b2cs"] == [
        {"sply_ty": "INTER", "pos": "29", "typ": "OE", "rt": 3, "txval": D("529126.22"), "iamt": D("15873.78"),
         "camt": Z, "samt": Z, "csamt": Z},
    ]  # fmt: skip
    assert D("194174.76") + D("242718.45") + D("97087.38") - D("4854.37") == D("529126.22")
    assert built["cdnur"] == [
        {"typ": "B2CL", "ntty": "C", "nt_num": "CN/24-25/0001", "nt_dt": "05-08-2024", "val": D("5000.00"),
         "pos": "29", "itms": [item(1, "4854.37", 3, "145.63")]},
    ]  # fmt: skip
    assert list(built["hsn"]) == ["data"]  # before May 2025: one list
    assert_valid(built)
    assert sections_total(built) == hsn_total(built)


def _pair(month):
    day = date(2025, month, 10)
    return [
        doc(f"INV/25-26/{month:04d}", day, "103000.00", line("7113", "3", "100000.00", cgst="1500.00", sgst="1500.00",
            grams="10.000"), buyer=MUMBAI_BUYER),
        doc(f"INV/25-26/{month + 50:04d}", day, "51500.00", line("7113", "3", "50000.00", cgst="750.00", sgst="750.00",
            grams="5.000")),
    ]  # fmt: skip


def test_the_hsn_summary_is_one_list_for_april_2025_and_split_by_gst_category_from_may_2025():
    april = gstr1_build(_pair(4), period=ReturnPeriod.month(2025, 4), gstin=SHOP)
    assert april["hsn"] == {"data": [
        hsn(1, "7113", "Gold jewellery", "GMS", "15.00", 3, "150000.00", camt="2250.00", samt="2250.00")
    ]}  # fmt: skip
    may = gstr1_build(_pair(5), period=ReturnPeriod.month(2025, 5), gstin=SHOP)
    assert may["hsn"] == {
        "hsn_b2b": [hsn(1, "7113", "Gold jewellery", "GMS", "10.00", 3, "100000.00", camt="1500.00", samt="1500.00")],
        "hsn_b2c": [hsn(1, "7113", "Gold jewellery", "GMS", "5.00", 3, "50000.00", camt="750.00", samt="750.00")],
    }  # fmt: skip
    for built in (april, may):
        assert_valid(built)


def test_a_quarter_leaves_out_the_b2b_documents_furnished_in_the_iff_but_not_from_hsn_or_doc_issue():
    dec = date(2026, 12, 5)
    documents = [
        doc("INV/26-27/0201", oct(10), "10300.00", line("7113", "3", "10000.00", cgst="150.00", sgst="150.00"),
            buyer=MUMBAI_BUYER),  # October: furnished
        doc("INV/26-27/0203", dec, "20600.00", line("7113", "3", "20000.00", cgst="300.00", sgst="300.00"),
            buyer=MUMBAI_BUYER),  # December: the quarter's own
        doc("INV/26-27/0202", date(2026, 11, 15), "30900.00", line("7113", "3", "30000.00", igst="900.00"),
            pos="29", buyer=BENGALURU_BUYER),  # November: furnished
        doc("INV/26-27/0205", date(2026, 11, 13), "5150.00", line("7113", "3", "5000.00", cgst="75.00", sgst="75.00")),
        doc("INV/26-27/0204", oct(12), "150000.00", line("7113", "3", "145631.07", igst="4368.93"), pos="29"),
        doc("CN/26-27/0201", date(2026, 11, 20), "1030.00", line("7113", "3", "1000.00", cgst="15.00", sgst="15.00"),
            kind="credit_note", buyer=MUMBAI_BUYER, original="10300.00", original_day=oct(10)),  # furnished
        doc("DN/26-27/0201", date(2026, 12, 10), "515.00", line("7113", "3", "500.00", igst="15.00"),
            kind="debit_note", pos="29", buyer=BENGALURU_BUYER, original="30900.00", original_day=date(2026, 11, 15)),
    ]  # fmt: skip
    series = [SeriesCount(nature=1, first="INV/26-27/0201", last="INV/26-27/0205", total=5, series="INV")]
    built = gstr1_build(
        documents, period=ReturnPeriod.quarter(2026, 3), gstin=SHOP, series=series,
        furnished_months=[date(2026, 10, 1), date(2026, 11, 1)],
    )  # fmt: skip
    assert built["fp"] == "122026"  # a quarter is filed under its last month
    assert built["b2b"] == [{"ctin": MUMBAI_BUYER, "inv": [
        {"inum": "INV/26-27/0203", "idt": "05-12-2026", "val": D("20600.00"), "pos": "27", "rchrg": "N",
         "inv_typ": "R", "itms": [item(1, "20000.00", 3, camt="300.00", samt="300.00")]},
    ]}]  # fmt: skip
    assert built["cdnr"] == [{"ctin": BENGALURU_BUYER, "nt": [
        {"ntty": "D", "nt_num": "DN/26-27/0201", "nt_dt": "10-12-2026", "val": D("515.00"), "pos": "29", "rchrg": "N",
         "inv_typ": "R", "itms": [item(1, "500.00", 3, "15.00", camt="0.00", samt="0.00")]},
    ]}]  # fmt: skip
    # B2C sections are never furnished in the IFF: the October B2CL invoice is in the quarter's return
    assert [inv["inum"] for place in built["b2cl"] for inv in place["inv"]] == ["INV/26-27/0204"]
    # Table 12 covers the whole quarter: 10,000 + 20,000 + 30,000 - 1,000 + 500 to registered buyers
    assert built["hsn"]["hsn_b2b"] == [
        hsn(1, "7113", "Gold jewellery", "GMS", "0.00", 3, "59500.00", "915.00", "435.00", "435.00")
    ]
    assert built["doc_issue"]["doc_det"][0]["docs"][0]["totnum"] == 5
    assert_valid(built)
    furnished = {
        "txval": D("39000.00"),
        "iamt": D("900.00"),
        "camt": D("135.00"),
        "samt": D("135.00"),
        "csamt": Z,
    }
    in_sections = sections_total(built)
    assert {head: in_sections[head] + furnished[head] for head in HEADS} == hsn_total(built)


def test_a_cancelled_document_is_reported_in_table_13_only():
    cancelled = doc("INV/26-27/0009", oct(3), "1180.00", line("9987", "18", "1000.00", cgst="90.00", sgst="90.00"),
                    buyer=MUMBAI_BUYER, status="cancelled")  # fmt: skip
    series = [SeriesCount(nature=1, first="INV/26-27/0009", last="INV/26-27/0009", total=1, cancelled=1)]
    built = gstr1_build([cancelled], period=ReturnPeriod.month(2026, 10), gstin=SHOP, series=series)
    assert built == {
        "gstin": SHOP, "fp": "102026", "version": "GST3.2.4", "hash": "hash",
        "hsn": {"hsn_b2b": [], "hsn_b2c": []},
        "doc_issue": {"doc_det": [{"doc_num": 1, "docs": [
            {"num": 1, "from": "INV/26-27/0009", "to": "INV/26-27/0009", "totnum": 1, "cancel": 1, "net_issue": 0}
        ]}]},
    }  # fmt: skip
    assert_valid(built)


def test_a_nil_rated_line_goes_to_the_nil_table_not_the_invoice():
    documents = [
        doc("INV/26-27/0011", oct(2), "10300.00", line("7113", "3", "10000.00", cgst="150.00", sgst="150.00"),
            line("7113", "0", "200.00"), buyer=MUMBAI_BUYER),
        doc("INV/26-27/0012", oct(2), "300.00", line("7113", "0", "300.00")),
    ]  # fmt: skip
    built = gstr1_build(documents, period=ReturnPeriod.month(2026, 10), gstin=SHOP)
    assert built["b2b"][0]["inv"][0]["itms"] == [item(1, "10000.00", 3, camt="150.00", samt="150.00")]
    assert built["nil"] == {"inv": [
        {"sply_ty": "INTRAB2B", "nil_amt": D("200.00"), "expt_amt": Z, "ngsup_amt": Z},
        {"sply_ty": "INTRAB2C", "nil_amt": D("300.00"), "expt_amt": Z, "ngsup_amt": Z},
    ]}  # fmt: skip
    assert "b2cs" not in built  # the walk-in bought nothing taxable
    assert_valid(built)
    assert sections_total(built) == hsn_total(built)


# --- the schema ---------------------------------------------------------------------------------


def _broken(change):
    document = gstr1_build(OCTOBER, period=ReturnPeriod.month(2026, 10), gstin=SHOP, series=OCTOBER_SERIES)
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["b2b"][0]["inv"][0].pop("idt"), "b2b/0/inv/0"),
        (lambda d: d["b2b"][0]["inv"][0].update(idt="2026-10-05"), "b2b/0/inv/0/idt"),
        (lambda d: d["b2cs"][0].update(sply_ty="INTRASTATE"), "b2cs/0/sply_ty"),
        (lambda d: d["b2cs"][2].update(camt=D("1.00")), "b2cs/2/camt"),  # IGST only across states
        (lambda d: d["cdnur"][0].update(val=D("10000.005")), "cdnur/0/val"),  # at most 2 places
        (lambda d: d["cdnr"][0]["nt"][0].update(ntty="X"), "cdnr/0/nt/0/ntty"),
        (lambda d: d["b2cl"][0]["inv"][0].update(inum="0INV/1"), "b2cl/0/inv/0/inum"),
        (lambda d: d["hsn"]["hsn_b2b"][0].update(hsn_sc="71"), "hsn"),
        (lambda d: d.update(fp="2026-10"), "fp"),
        (
            lambda d: d["b2b"][0]["inv"][0].update(etin="x"),
            "b2b/0/inv/0",
        ),  # no key the portal does not define
    ],
)
def test_the_schema_rejects_a_broken_file(change, where):
    document = _broken(change)
    errors = gstr1_errors(document)
    assert errors and any(error.startswith(where) for error in errors), errors
    assert gstr1_reference_errors(document)


def test_the_writer_refuses_an_entry_that_breaks_the_schema_as_it_streams():
    bad = doc("0INV/26-27/1", oct(5), "1180.00", line("9987", "18", "1000.00", cgst="90.00", sgst="90.00"),
              buyer=MUMBAI_BUYER)  # fmt: skip
    with pytest.raises(ReturnSchemaError, match=r"b2b 0INV/26-27/1/inum: .* does not match"):
        gstr1_build([bad], period=ReturnPeriod.month(2026, 10), gstin=SHOP)
    three_places = doc("INV/26-27/0001", oct(5), "1180.005", line("9987", "18", "1000.00", cgst="90.00", sgst="90.00"),
                       buyer=MUMBAI_BUYER)  # fmt: skip
    with pytest.raises(ReturnSchemaError, match=r"val: 1180.005 is not a multiple of 0.01"):
        gstr1_build([three_places], period=ReturnPeriod.month(2026, 10), gstin=SHOP)


def test_a_source_out_of_order_is_refused_rather_than_splitting_a_buyers_invoices():
    first, second = OCTOBER[0], OCTOBER[1]
    again = dataclasses.replace(first, number="INV/26-27/0008")
    with pytest.raises(SourceOrderError, match="27AABCR1234C1ZY came back in b2b"):
        gstr1_build([first, second, again], period=ReturnPeriod.month(2026, 10), gstin=SHOP)
    b2cl = OCTOBER[4]
    with pytest.raises(SourceOrderError, match="section b2b came back"):
        gstr1_build([first, b2cl, again], period=ReturnPeriod.month(2026, 10), gstin=SHOP)


def test_a_document_outside_the_period_is_refused():
    with pytest.raises(ValueError, match="not in November 2026"):
        gstr1_build(OCTOBER[:1], period=ReturnPeriod.month(2026, 11), gstin=SHOP)


# --- streaming ----------------------------------------------------------------------------------


class _Sink:
    """A file that keeps only how much was written."""

    size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def _many(count: int):
    """`count` documents, streamed: a third B2B to one buyer, the rest walk-in sales."""
    for n in range(1, count + 1):
        day = date(2026, 10, 1 + n % 28)
        buyer = MUMBAI_BUYER if n <= count // 3 else ""
        yield doc(f"INV/26-27/{n:06d}", day, "70911.00",
                  line("7113", "3", "67700.00", cgst="1015.50", sgst="1015.50", grams="9.500"),
                  line("9987", "18", "1000.00", cgst="90.00", sgst="90.00"), buyer=buyer)  # fmt: skip


def _peak(count: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        sink = _Sink()
        gstr1_json_write(
            Gstr1Source(documents=_many(count)), sink, period=ReturnPeriod.month(2026, 10), gstin=SHOP
        )
        return tracemalloc.get_traced_memory()[1], sink.size
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_period_grows():
    _peak(100)  # schema validators compiled, modules loaded
    small, small_size = _peak(500)
    large, large_size = _peak(5_000)
    assert large_size > 9 * small_size  # ten times the documents written...
    assert large < small * 1.5 + 50_000, (small, large)  # ...in about the same memory


# --- the offline tool's sheets and the GSTR-3B summary ---------------------------------------------


def _sheets() -> dict[str, list[list[str]]]:
    out = io.BytesIO()
    gstr1_sheets_write(
        Gstr1Source(documents=OCTOBER, series=OCTOBER_SERIES, hsn_descriptions=DESCRIPTIONS), out,
        period=ReturnPeriod.month(2026, 10), gstin=SHOP,
    )  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode()))) for name in archive.namelist()
        }


def test_the_offline_tool_sheets_carry_the_same_figures_in_its_columns():
    sheets = _sheets()
    assert sorted(sheets) == ["b2b.csv", "b2cl.csv", "b2cs.csv", "cdnr.csv", "cdnur.csv", "docs.csv", "exemp.csv",
                              "hsn(b2b).csv", "hsn(b2c).csv"]  # fmt: skip
    assert sheets["b2b.csv"] == [
        ["GSTIN/UIN of Recipient", "Receiver Name", "Invoice Number", "Invoice date", "Invoice Value",
         "Place Of Supply", "Reverse Charge", "Applicable % of Tax Rate", "Invoice Type", "E-Commerce GSTIN", "Rate",
         "Taxable Value", "Cess Amount"],
        [MUMBAI_BUYER, "Shah Jewels LLP", "INV/26-27/0001", "05-Oct-26", "70911.00", "27-Maharashtra", "N", "",
         "Regular B2B", "", "3", "67700.00", "0.00"],
        [MUMBAI_BUYER, "Shah Jewels LLP", "INV/26-27/0001", "05-Oct-26", "70911.00", "27-Maharashtra", "N", "",
         "Regular B2B", "", "18", "1000.00", "0.00"],
        [BENGALURU_BUYER, "Karnataka Gold Co", "INV/26-27/0002", "06-Oct-26", "103000.00", "29-Karnataka", "N", "",
         "Regular B2B", "", "3", "100000.00", "0.00"],
    ]  # fmt: skip
    assert sheets["b2cl.csv"][1:] == [
        ["INV/26-27/0003", "07-Oct-26", "150000.00", "29-Karnataka", "", "3", "145631.07", "0.00", ""]
    ]
    assert sheets["b2cs.csv"] == [
        ["Type", "Place Of Supply", "Applicable % of Tax Rate", "Rate", "Taxable Value", "Cess Amount",
         "E-Commerce GSTIN"],
        ["OE", "27-Maharashtra", "", "3", "475728.15", "0.00", ""],
        ["OE", "27-Maharashtra", "", "18", "500.00", "0.00", ""],
        ["OE", "29-Karnataka", "", "3", "86407.77", "0.00", ""],
    ]  # fmt: skip
    assert sheets["cdnr.csv"][0][:9] == ["GSTIN/UIN of Recipient", "Receiver Name", "Note Number", "Note Date",
                                         "Note Type", "Place Of Supply", "Reverse Charge", "Note Supply Type",
                                         "Note Value"]  # fmt: skip
    assert [row[2:5] + row[8:] for row in sheets["cdnr.csv"][1:]] == [
        ["CN/26-27/0001", "12-Oct-26", "C", "1180.00", "", "18", "1000.00", "0.00"],
        ["DN/26-27/0001", "14-Oct-26", "D", "2060.00", "", "3", "2000.00", "0.00"],
    ]
    assert sheets["cdnur.csv"] == [
        ["UR Type", "Note Number", "Note Date", "Note Type", "Place Of Supply", "Note Value",
         "Applicable % of Tax Rate", "Rate", "Taxable Value", "Cess Amount"],
        ["B2CL", "CN/26-27/0002", "15-Oct-26", "C", "29-Karnataka", "10000.00", "", "3", "9708.74", "0.00"],
    ]  # fmt: skip
    assert sheets["hsn(b2c).csv"] == [
        ["HSN", "Description", "UQC", "Total Quantity", "Total Value", "Rate", "Taxable Value",
         "Integrated Tax Amount", "Central Tax Amount", "State/UT Tax Amount", "Cess Amount"],
        ["7113", JEWELLERY, "GMS-GRAMMES", "118.10", "718999.99", "3", "698058.25", "6669.90", "7135.92",
         "7135.92", "0.00"],
        ["9987", "Repair and maintenance service", "NA", "0.00", "590.00", "18", "500.00", "0.00", "45.00", "45.00",
         "0.00"],
    ]  # fmt: skip
    assert sheets["docs.csv"] == [
        ["Nature of Document", "Sr. No. From", "Sr. No. To", "Total Number", "Cancelled"],
        ["Invoices for outward supply", "INV/26-27/0001", "INV/26-27/0007", "7", "1"],
        ["Debit Note", "DN/26-27/0001", "DN/26-27/0001", "1", "0"],
        ["Credit Note", "CN/26-27/0001", "CN/26-27/0004", "4", "0"],
        ["Receipt voucher", "RV/26-27/0001", "RV/26-27/0002", "2", "0"],
    ]
    assert [row[0] for row in sheets["exemp.csv"][1:]] == [
        "Inter-State supplies to registered persons", "Intra-State supplies to registered persons",
        "Inter-State supplies to unregistered persons", "Intra-State supplies to unregistered persons",
    ]  # fmt: skip


def test_the_gstr3b_summary_is_drawn_from_the_same_figures():
    out = io.BytesIO()
    summary = gstr3b_write(
        Gstr1Source(documents=OCTOBER, series=OCTOBER_SERIES),
        out,
        period=ReturnPeriod.month(2026, 10),
        gstin=SHOP,
    )
    figures = gstr3b_summary(summary)
    assert figures["outward_taxable"] == {
        "txval": D("868258.25"), "iamt": D("9729.90"), "camt": D("8196.42"), "samt": D("8196.42"), "csamt": Z,
    }  # fmt: skip
    # Table 3.2: B2CL 145,631.07 + B2CS 86,407.77 - CDNUR 9,708.74 to unregistered buyers in Karnataka
    assert figures["unregistered_inter_state"] == [
        {"pos": "29", "place": "29-Karnataka", "txval": D("222330.10"), "iamt": D("6669.90")}
    ]
    assert list(csv.reader(io.StringIO(out.getvalue().decode()))) == [
        ["Table", "Nature of supplies", "Place Of Supply", "Total taxable value", "Integrated tax", "Central tax",
         "State/UT tax", "Cess"],
        ["3.1(a)", "Outward taxable supplies (other than zero rated, nil rated and exempted)", "", "868258.25",
         "9729.90", "8196.42", "8196.42", "0.00"],
        ["3.1(c)", "Other outward supplies (nil rated, exempted)", "", "0.00", "", "", "", ""],
        ["3.2", "Inter-State supplies made to unregistered persons", "29-Karnataka", "222330.10", "6669.90", "", "",
         ""],
    ]  # fmt: skip
    built = gstr1_build(OCTOBER, period=ReturnPeriod.month(2026, 10), gstin=SHOP, series=OCTOBER_SERIES)
    assert sections_total(built) == figures["outward_taxable"]


def test_parse_reads_amounts_as_decimals():
    assert gstr1_parse('{"val":70911.10}') == {"val": D("70911.10")}


class _Unseekable(io.RawIOBase):
    """A file that can only be appended to, as the export machinery hands a writer (it hashes as it goes)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.data += data
        return len(data)


def test_the_sheets_stream_into_a_file_that_cannot_seek():
    raw = _Unseekable()
    out = io.BufferedWriter(raw)
    gstr1_sheets_write(Gstr1Source(documents=OCTOBER, series=OCTOBER_SERIES), out, period=ReturnPeriod.month(2026, 10),
                       gstin=SHOP)  # fmt: skip
    out.flush()
    with zipfile.ZipFile(io.BytesIO(bytes(raw.data))) as archive:
        assert archive.testzip() is None
        assert (
            archive.read("b2cl.csv")
            .decode()
            .splitlines()[1]
            .startswith("INV/26-27/0003,07-Oct-26,150000.00,")
        )


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    sold = dataclasses.replace(OCTOBER[0], buyer_name='=HYPERLINK("http://x","Shah")')
    out = io.BytesIO()
    gstr1_sheets_write(Gstr1Source(documents=[sold]), out, period=ReturnPeriod.month(2026, 10), gstin=SHOP)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        row = next(csv.reader(io.StringIO(archive.read("b2b.csv").decode().splitlines()[1])))
    assert row[1] == '\'=HYPERLINK("http://x","Shah")'
