"""The GSTR-1 exports over documents made through the invoicing services: a month worked by hand and
compared field by field, the offline tool's sheets and the GSTR-3B summary of the same month, a QRMP
quarter with months furnished in the IFF, the refusal with what to fix, and two shops whose documents
never mix."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.gst.periods import ReturnPeriod, retain_until
from apps.gst.returns.schema import gstr1_errors, gstr1_parse, gstr1_reference_errors
from apps.inventory import services as inventory_services
from apps.inventory.models import Purity
from apps.invoicing import services
from apps.invoicing.models import Invoice, InvoiceLine
from apps.reports import sources
from apps.reports.kinds import ExportContext, ExportRefused, export_kind_get
from apps.tenants.services import tenant_gst_settings_update
from tests.invoicing import conftest as invoicing_fixtures
from tests.invoicing import test_notes
from tests.invoicing.conftest import article, draft_with
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db

D = Decimal
Z = D("0.00")
OCTOBER = ReturnPeriod.month(2026, 10)
MUMBAI_BUYER = gstin_for("27", pan="AABCR1234C")
BENGALURU_BUYER = gstin_for("29", pan="AACCK5678D")
CHENNAI_BUYER = gstin_for("33", pan="AADCT4321E")
JEWELLERY = "Articles of jewellery of preci"  # the rate table's description of 7113, cut to 30 characters
REPAIRS = "Repair and maintenance service"

buyer = invoicing_fixtures.buyer  # the walk-in buyer of the invoicing tests (Mumbai, no PAN)
on_day = test_notes.on_day  # the shop's clock moved to a day, as every service reads it


def _free(shop, owner, *, customer=None, pos="", lines=()):
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=customer, place_of_supply=pos)
    for description, hsn, amount in lines:
        services.invoice_line_add_free(
            tenant=shop, actor=owner, invoice=draft, description=description, hsn_code=hsn, amount=amount
        )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=draft)


def _note(shop, owner, invoice, amount, *, debit=False):
    make = services.debit_note_draft_create if debit else services.credit_note_draft_create
    note = make(
        tenant=shop, actor=owner, original=invoice, reason="price_increase" if debit else "price_reduction"
    )
    services.note_line_add_amount(
        tenant=shop,
        actor=owner,
        note=note,
        original_line=invoice.lines.order_by("position").last(),
        amount=amount,
    )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=note)


@pytest.fixture
def october(shop, owner, buyer, on_day):
    """Shop A's October 2026, in Maharashtra: every section of GSTR-1, a cancelled invoice, a draft."""
    day = lambda n: on_day(date(2026, 10, n))  # noqa: E731
    day(5)
    inventory_services.metal_rate_set(
        tenant=shop, actor=owner, purity=Purity.objects.get(metal="gold", fineness=916), rate_per_gram="6500"
    )
    shah = services.customer_create(tenant=shop, actor=owner, kind="registered", name="Shah Jewels LLP",
                                    gstin=MUMBAI_BUYER, state_code="27", address="5 Kalbadevi Road, Mumbai")  # fmt: skip
    invoice = draft_with(shop, owner, article(shop, owner), customer=shah)  # the 22K ring: 67,700 at 3%
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Chain repair", hsn_code="9987", amount="1000"
    )
    sold = {"ring": services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)}
    day(6)
    karnataka = services.customer_create(tenant=shop, actor=owner, kind="registered", name="Karnataka Gold Co",
                                         gstin=BENGALURU_BUYER, state_code="29", address="9 Avenue Road, Bengaluru")  # fmt: skip
    sold["bangles"] = _free(
        shop, owner, customer=karnataka, pos="29", lines=[("Gold bangle pair", "7113", "100000")]
    )
    day(7)
    ravi = services.customer_create(tenant=shop, actor=owner, name="Ravi Kumar", state_code="29",
                                    address="3 MG Road, Bengaluru", phone="98450 12345")  # fmt: skip
    sold["necklace"] = _free(shop, owner, customer=ravi, pos="29", lines=[("Necklace", "7113", "145631.07")])
    day(8)
    sold["chain"] = _free(shop, owner, customer=ravi, pos="29", lines=[("Chain", "7113", "87378.64")])
    day(9)
    sold["earrings"] = _free(shop, owner, customer=buyer, lines=[("Earrings", "7113", "10000")])
    day(10)
    _free(shop, owner, lines=[("Ring resizing", "9987", "500")])  # a walk-in with no customer record
    day(12)
    _note(shop, owner, sold["ring"], "1000")  # the repair refunded
    day(14)
    _note(shop, owner, sold["bangles"], "2000", debit=True)
    day(15)
    _note(shop, owner, sold["necklace"], "9708.74")
    day(16)
    _note(shop, owner, sold["earrings"], "1000")
    day(18)
    mistake = _free(shop, owner, lines=[("Polish", "9987", "5000")])
    services.invoice_cancel(tenant=shop, actor=owner, invoice=mistake, reason="Billed to the wrong counter")
    services.invoice_draft_create(tenant=shop, actor=owner)  # a draft: no number, not reported
    day(20)
    services.receipt_voucher_create(tenant=shop, actor=owner, customer=buyer, mode="cash", amount="5000",
                                    description="Advance for a bridal set")  # fmt: skip
    services.old_gold_voucher_create(tenant=shop, actor=owner, customer=buyer, gross_weight="5",
                                     purity_percent="91.6", rate_per_gram="6000")  # fmt: skip
    return sold


@pytest.fixture
def other_october(other_shop, other_owner, on_day):
    """Shop B (Tamil Nadu) bills a Chennai business in the same month."""
    on_day(date(2026, 10, 11))
    customer = services.customer_create(tenant=other_shop, actor=other_owner, kind="registered", name="Chennai Gold",
                                        gstin=CHENNAI_BUYER, state_code="33", address="1 Car Street, Chennai")  # fmt: skip
    return _free(other_shop, other_owner, customer=customer, lines=[("Gold coin", "7118", "50000")])


def item(num, txval, rt, iamt="0.00", camt=None, samt=None):
    detail = {"txval": D(txval), "rt": rt, "iamt": D(iamt)}
    if camt is not None:
        detail |= {"camt": D(camt), "samt": D(samt)}
    return {"num": num, "itm_det": detail | {"csamt": Z}}


def hsn(num, code, desc, qty, rt, txval, iamt="0.00", camt="0.00", samt="0.00", uqc="GMS"):
    return {"num": num, "hsn_sc": code, "desc": desc, "uqc": uqc, "qty": D(qty), "rt": rt, "txval": D(txval),
            "iamt": D(iamt), "camt": D(camt), "samt": D(samt), "csamt": Z}  # fmt: skip


def docs(num, first, last, total, cancel=0):
    return {"doc_num": num, "docs": [{"num": 1, "from": first, "to": last, "totnum": total, "cancel": cancel,
                                      "net_issue": total - cancel}]}  # fmt: skip


def expected_october(gstin):
    return {
        "gstin": gstin, "fp": "102026", "version": "GST3.2.4", "hash": "hash",
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
        "b2cl": [{"pos": "29", "inv": [
            {"inum": "INV/26-27/0003", "idt": "07-10-2026", "val": D("150000.00"),
             "itms": [item(1, "145631.07", 3, "4368.93")]},
        ]}],
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
            # the earrings, 10,000, less the 1,000 credited on them
            {"sply_ty": "INTRA", "pos": "27", "typ": "OE", "rt": 3, "txval": D("9000.00"), "iamt": Z,
             "camt": D("135.00"), "samt": D("135.00"), "csamt": Z},
            {"sply_ty": "INTRA", "pos": "27", "typ": "OE", "rt": 18, "txval": D("500.00"), "iamt": Z,
             "camt": D("45.00"), "samt": D("45.00"), "csamt": Z},
            # the chain: ₹90,000 across states, at or below ₹1 lakh
            {"sply_ty": "INTER", "pos": "29", "typ": "OE", "rt": 3, "txval": D("87378.64"), "iamt": D("2621.36"),
             "camt": Z, "samt": Z, "csamt": Z},
        ],
        "hsn": {
            # the ring (9.5 g net), the bangles and the debit note; the repair and its refund cancel out
            "hsn_b2b": [hsn(1, "7113", JEWELLERY, "9.50", 3, "169700.00", "3060.00", "1015.50", "1015.50")],
            # 145,631.07 + 87,378.64 + 10,000 - 9,708.74 - 1,000 (free lines carry no weight)
            "hsn_b2c": [hsn(1, "7113", JEWELLERY, "0.00", 3, "232300.97", "6699.03", "135.00", "135.00"),
                        hsn(2, "9987", REPAIRS, "0.00", 18, "500.00", "0.00", "45.00", "45.00", uqc="NA")],
        },
        "doc_issue": {"doc_det": [
            docs(1, "INV/26-27/0001", "INV/26-27/0007", 7, cancel=1),
            docs(4, "DN/26-27/0001", "DN/26-27/0001", 1),
            docs(5, "CN/26-27/0001", "CN/26-27/0003", 3),
            docs(6, "RV/26-27/0001", "RV/26-27/0001", 1),  # the old-gold purchase voucher is not reported
        ]},
    }  # fmt: skip


def _export(kind: str, tenant, period=OCTOBER, **options) -> tuple[bytes, object, list]:
    """Run an export kind as the export machinery does: options cleaned, then written to a file."""
    export_kind = export_kind_get(kind)
    progress: list[tuple[int, int | None]] = []
    out = io.BytesIO()
    cleaned = export_kind.options_clean(tenant, period, options)
    result = export_kind.write(
        ExportContext(
            tenant=tenant, period=period, options=cleaned, out=out, progress=lambda *a: progress.append(a)
        )
    )
    return out.getvalue(), result, progress


def test_a_month_exports_as_worked_by_hand(shop, october, other_october):
    data, result, progress = _export("gstr1_json", shop)
    document = gstr1_parse(data)
    expected = expected_october(shop.gstin)
    for key in expected:
        assert document[key] == expected[key], key
    assert document == expected
    assert gstr1_errors(document) == [] and gstr1_reference_errors(document) == []
    # the cancelled invoice and the draft are not among the documents reported
    assert result.document_count == 10
    assert result.counts == {
        "b2b": 2,
        "b2cl": 1,
        "cdnr": 2,
        "cdnur": 1,
        "b2cs": 3,
        "nil": 0,
        "hsn": 3,
        "doc_issue": 4,
    }
    assert progress[-1] == (10, 10)


def test_another_shops_documents_never_appear(shop, october, other_shop, other_october):
    mine = _export("gstr1_json", shop)[0].decode()
    assert CHENNAI_BUYER not in mine and "Gold coin" not in mine
    theirs = gstr1_parse(_export("gstr1_json", other_shop)[0])
    assert theirs["gstin"] == other_shop.gstin
    assert [party["ctin"] for party in theirs["b2b"]] == [CHENNAI_BUYER]
    assert theirs["doc_issue"] == {"doc_det": [docs(1, "INV/26-27/0001", "INV/26-27/0001", 1)]}
    assert [row["hsn_sc"] for row in theirs["hsn"]["hsn_b2b"]] == ["7118"] and theirs["hsn"]["hsn_b2c"] == []


def test_documents_are_read_in_chunks_in_streaming_order(shop, october, monkeypatch):
    monkeypatch.setattr(sources, "CHUNK", 2)
    document = gstr1_parse(_export("gstr1_json", shop)[0])
    assert document == expected_october(shop.gstin)


def test_the_export_reads_the_same_number_of_queries_however_many_documents(shop, owner, october, on_day,
                                                                             assert_app_queries):  # fmt: skip
    with assert_app_queries(13):
        _export("gstr1_json", shop)
    on_day(date(2026, 10, 21))
    for n in range(5):
        _free(shop, owner, lines=[(f"Repair {n}", "9987", "100")])
    with assert_app_queries(13):
        _export("gstr1_json", shop)


def test_the_offline_tool_sheets_and_the_gstr3b_summary_of_the_month(shop, october):
    data, result, _ = _export("gstr1_csv", shop)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = {
            name: list(csv.reader(io.StringIO(archive.read(name).decode()))) for name in archive.namelist()
        }
    assert sheets["b2b.csv"][1] == [MUMBAI_BUYER, "Shah Jewels LLP", "INV/26-27/0001", "05-Oct-26", "70911.00",
                                    "27-Maharashtra", "N", "", "Regular B2B", "", "3", "67700.00", "0.00"]  # fmt: skip
    assert sheets["b2cl.csv"][1:] == [
        ["INV/26-27/0003", "07-Oct-26", "150000.00", "29-Karnataka", "", "3", "145631.07", "0.00", ""]
    ]
    assert sheets["hsn(b2b).csv"][1] == ["7113", JEWELLERY, "GMS-GRAMMES", "9.50", "174791.00", "3", "169700.00",
                                         "3060.00", "1015.50", "1015.50", "0.00"]  # fmt: skip
    assert sheets["docs.csv"][1] == [
        "Invoices for outward supply",
        "INV/26-27/0001",
        "INV/26-27/0007",
        "7",
        "1",
    ]
    assert result.counts["b2b"] == 2

    data, _, _ = _export("gstr3b", shop)
    rows = list(csv.reader(io.StringIO(data.decode())))
    # every taxable supply of the month, notes netted: what the JSON's sections add up to
    taxable = (
        D("68700.00")
        + D("100000.00")
        + D("145631.07")
        + D("9000.00")
        + D("500.00")
        + D("87378.64")
        + D("1000.00")
        - D("9708.74")
    )
    assert rows[1] == ["3.1(a)", "Outward taxable supplies (other than zero rated, nil rated and exempted)", "",
                       format(taxable, "f"), "9759.03", "1195.50", "1195.50", "0.00"]  # fmt: skip
    # to unregistered buyers in Karnataka: the necklace (B2CL) and the chain (B2CS), less the credit note
    assert rows[3] == ["3.2", "Inter-State supplies made to unregistered persons", "29-Karnataka", "223300.97",
                       "6699.03", "", "", ""]  # fmt: skip


def test_a_quarterly_filer_leaves_out_what_it_furnished_in_the_iff(shop, owner, october, on_day):
    tenant_gst_settings_update(tenant=shop, actor=owner, gstr1_frequency="quarterly", einvoice_from=None,
                               turnover_ten_crore=False)  # fmt: skip
    shop.refresh_from_db()
    on_day(date(2026, 12, 3))
    december = _free(shop, owner, customer=october["ring"].customer, lines=[("Gold coin", "7118", "20000")])
    quarter = ReturnPeriod.quarter(2026, 3)
    document = gstr1_parse(
        _export("gstr1_json", shop, period=quarter, furnished_months=["2026-10", "2026-11"])[0]
    )
    assert document["fp"] == "122026"
    assert [inv["inum"] for party in document["b2b"] for inv in party["inv"]] == [december.number]
    assert "cdnr" not in document  # both October notes to registered buyers went through the IFF
    assert [inv["inum"] for place in document["b2cl"] for inv in place["inv"]] == ["INV/26-27/0003"]
    assert [row["hsn_sc"] for row in document["hsn"]["hsn_b2b"]] == ["7113", "7118"]  # the whole quarter
    assert document["doc_issue"]["doc_det"][0]["docs"][0]["to"] == december.number
    assert gstr1_reference_errors(document) == []
    without = gstr1_parse(_export("gstr1_json", shop, period=quarter)[0])
    assert [inv["inum"] for party in without["b2b"] for inv in party["inv"]] == [
        "INV/26-27/0001",
        december.number,
        "INV/26-27/0002",
    ]


def test_furnished_months_are_checked(shop, owner):
    kind = export_kind_get("gstr1_json")
    quarter = ReturnPeriod.quarter(2026, 3)
    assert kind.options_clean(shop, quarter, {}) == {}
    with pytest.raises(ValidationError) as monthly:
        kind.options_clean(shop, quarter, {"furnished_months": ["2026-10"]})
    assert "Only a quarterly filer" in monthly.value.message_dict["furnished_months"][0]
    tenant_gst_settings_update(tenant=shop, actor=owner, gstr1_frequency="quarterly", einvoice_from=None,
                               turnover_ten_crore=False)  # fmt: skip
    shop.refresh_from_db()
    assert kind.options_clean(shop, quarter, {"furnished_months": ["2026-11", "2026-10"]}) == {
        "furnished_months": ["2026-10", "2026-11"]
    }
    for wrong in (["2026-12"], "2026-10", [10], ["2026-09"]):
        with pytest.raises(ValidationError) as refused:
            kind.options_clean(shop, quarter, {"furnished_months": wrong})
        assert list(refused.value.message_dict) == ["furnished_months"]
    with pytest.raises(ValidationError, match="Only a quarterly filer"):
        kind.options_clean(shop, OCTOBER, {"furnished_months": ["2026-10"]})


def test_an_export_is_refused_with_what_to_fix_and_writes_nothing(shop, owner, on_day):
    on_day(date(2026, 10, 5))
    draft = services.invoice_draft_create(tenant=shop, actor=owner)
    line = services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=draft, description="Old stock", hsn_code="7113", amount="1000"
    )
    InvoiceLine.objects.filter(pk=line.pk).update(hsn_code="")  # as an import from old books might leave it
    blank = services.invoice_issue(tenant=shop, actor=owner, invoice=draft)
    Invoice.objects.create(  # a document brought over from the old books with a number the portal refuses
        tenant=shop, doc_type="invoice", status="issued", number="0017", issued_on=date(2026, 10, 6),
        retain_until=retain_until(date(2026, 10, 6)), place_of_supply="27", seller_gstin=shop.gstin,
        seller_state_code="27", series_code="INV",
    )  # fmt: skip
    for kind in ("gstr1_json", "gstr1_csv", "gstr3b"):
        export_kind = export_kind_get(kind)
        out = io.BytesIO()
        with pytest.raises(ExportRefused) as refused:
            export_kind.write(
                ExportContext(tenant=shop, period=OCTOBER, options={}, out=out, progress=lambda *a: None)
            )
        assert refused.value.problems == [
            "0017: not a valid GST document number (at most 16 letters, digits, '/' and '-', not starting with 0, "
            "'/' or '-'); the portal refuses it.",
            f"{blank.number}: line 1 has no HSN code.",
        ]
        assert out.getvalue() == b""
    assert sources.gstr1_problems(tenant=shop, period=OCTOBER, limit=1) == [
        "0017: not a valid GST document number (at most 16 letters, digits, '/' and '-', not starting with 0, "
        "'/' or '-'); the portal refuses it.",
        "… and 1 more.",
    ]
    assert sources.gstr1_problems(tenant=shop, period=ReturnPeriod.month(2026, 11)) == []


def test_a_shop_without_a_gstin_is_told_to_add_it(other_tenant):
    with pytest.raises(ExportRefused) as refused:
        export_kind_get("gstr1_json").write(
            ExportContext(
                tenant=other_tenant, period=OCTOBER, options={}, out=io.BytesIO(), progress=lambda *a: None
            )
        )
    assert refused.value.problems == [
        "The shop has no GSTIN: add it in Settings → Profile. A GSTR-1 is filed under the shop's GSTIN."
    ]
