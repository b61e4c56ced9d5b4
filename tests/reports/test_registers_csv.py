"""The registers as CSV: the five export kinds, their options, and what a spreadsheet opens."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.gst.periods import ReturnPeriod
from apps.invoicing import services
from apps.reports.kinds import ExportContext, export_kind_get
from apps.reports.models import Export
from tests.reports.exports_helpers import request_now, stored_bytes

pytestmark = pytest.mark.django_db

OCTOBER = ReturnPeriod.month(2026, 10)
BOM = "\ufeff".encode()


def _write(tenant, code: str, period: ReturnPeriod = OCTOBER, **options) -> tuple[bytes, list, object]:
    """Run the kind's writer into memory: the bytes, the progress reported, the result."""
    kind = export_kind_get(code)
    out, progress = io.BytesIO(), []
    cleaned = kind.options_clean(tenant, period, options)
    context = ExportContext(
        tenant=tenant, period=period, options=cleaned, out=out, progress=lambda d, t: progress.append((d, t))
    )
    result = kind.write(context)
    return out.getvalue(), progress, result


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def test_every_register_is_an_export_kind_of_its_own():
    for code in (
        "register_sales",
        "register_hsn",
        "register_payments",
        "register_old_gold",
        "register_stock",
    ):
        kind = export_kind_get(code)
        assert kind is not None, code
        assert (kind.extension, kind.content_type) == ("csv", "text/csv; charset=utf-8")
    assert export_kind_get("register_sales").label == "Sales register (CSV)"


def test_sales_register_csv_rows_dates_amounts_and_totals(book):
    data, progress, result = _write(book.tenant, "register_sales")

    rows = _rows(data)
    assert rows[0] == ["Number", "Date", "Document", "Buyer", "Buyer GSTIN", "Place of supply",
                       "Taxable value (₹)", "CGST (₹)", "SGST (₹)", "IGST (₹)", "Round-off (₹)", "Total (₹)",
                       "Status"]  # fmt: skip
    docs = book.documents
    assert rows[1] == [docs["I1"].number, "06-10-2026", "Tax invoice", "Ratna Traders", book.ratna.gstin,
                       "27-Maharashtra", "68700.00", "1105.50", "1105.50", "0.00", "0.00", "70911.00", "Issued"]  # fmt: skip
    assert rows[2][0] == docs["I2"].number and rows[2][-2:] == ["69731.00", "Cancelled"]
    assert rows[3][:3] == [docs["CN1"].number, "15-10-2026", "Credit note"]
    assert rows[3][6:12] == ["-67700.00", "-1015.50", "-1015.50", "0.00", "0.00", "-69731.00"]
    assert rows[5] == ["Total", "", "4 documents", "", "", "", "1100.00", "99.00", "99.00", "0.00", "0.00",
                       "1298.00", "1 cancelled, not counted"]  # fmt: skip
    assert len(rows) == 6
    assert (result.document_count, result.counts) == (4, {"rows": 4})
    assert progress[0] == (0, 4) and progress[-1] == (4, 4)


def test_options_carry_the_range_and_filters_as_the_register_reads_them(book):
    kind = export_kind_get("register_sales")

    assert kind.options_clean(book.tenant, OCTOBER, {}) == {"from": "2026-10-01", "to": "2026-10-31"}
    cleaned = kind.options_clean(
        book.tenant, OCTOBER, {"from": "11-10-2026", "to": "2026-10-20", "kind": "credit_note", "page": "3"}
    )
    assert cleaned == {"from": "2026-10-11", "to": "2026-10-20", "kind": "credit_note"}
    data, _, _ = _write(book.tenant, "register_sales", **cleaned)
    assert [row[0] for row in _rows(data)[1:]] == [book.documents["CN1"].number, "Total"]

    with pytest.raises(ValidationError) as refused:
        kind.options_clean(book.tenant, OCTOBER, {"from": "2026-10-31", "to": "2026-10-01"})
    assert list(refused.value.message_dict) == ["to"]
    with pytest.raises(ValidationError) as refused:
        kind.options_clean(book.tenant, OCTOBER, {"from": "2025-01-01", "to": "2026-10-31"})
    assert "at most 366 days" in refused.value.message_dict["to"][0]
    with pytest.raises(ValidationError) as refused:
        kind.options_clean(book.tenant, OCTOBER, {"from": "yesterday", "kind": "receipt"})
    assert set(refused.value.message_dict) == {"from", "kind"}


def test_hsn_payments_old_gold_and_stock_csv(book):
    hsn = _rows(_write(book.tenant, "register_hsn")[0])
    assert hsn[0] == ["Section", "HSN", "UQC", "Quantity", "GST rate (%)", "Taxable value (₹)", "IGST (₹)",
                      "CGST (₹)", "SGST (₹)", "Lines"]  # fmt: skip
    assert hsn[1] == ["B2B", "7113", "GMS", "9.500", "3.00", "67700.00", "0.00", "1015.50", "1015.50", "1"]
    assert hsn[3] == [
        "B2C",
        "7113",
        "GMS",
        "-9.500",
        "3.00",
        "-67700.00",
        "0.00",
        "-1015.50",
        "-1015.50",
        "1",
    ]
    assert hsn[-1] == ["Total", "", "", "0.000", "", "1100.00", "0.00", "99.00", "99.00", "4"]

    payments = _rows(_write(book.tenant, "register_payments")[0])
    assert payments[0] == [
        "Date",
        "Kind",
        "Mode",
        "Document",
        "Customer",
        "Voucher",
        "Reference",
        "Amount (₹)",
    ]
    assert payments[3] == ["12-10-2026", "Advance received", "Bank transfer", book.advance.number, "Meera Shah",
                           "", "", "5000.00"]  # fmt: skip
    assert payments[-1] == ["Total", "5 entries", "", "", "", "", "", "76029.00"]
    only_cash = _rows(_write(book.tenant, "register_payments", mode="cash")[0])
    assert [row[2] for row in only_cash[1:-1]] == ["Cash"]

    old_gold = _rows(_write(book.tenant, "register_old_gold")[0])
    assert old_gold[1] == [book.old_gold.number, "18-10-2026", "Ratna Traders", "Old bangle", "12.000", "0.500",
                           "11.500", "91.60", "10.534", "6000.00", "63204.00"]  # fmt: skip
    assert old_gold[-1] == [
        "Total",
        "",
        "1 vouchers",
        "",
        "12.000",
        "0.500",
        "11.500",
        "",
        "10.534",
        "",
        "63204.00",
    ]

    stock = _rows(_write(book.tenant, "register_stock")[0])
    assert stock[0][:5] == ["Metal", "Purity", "Opening pieces", "Opening net (g)", "Opening gross (g)"]
    assert stock[1] == ["Gold", "22K916", "2", "19.000", "20.000", "1", "9.500", "10.000", "1", "9.500", "10.000",
                        "1", "9.500", "10.000", "3", "28.500", "30.000"]  # fmt: skip
    assert [row[0] for row in stock[-2:]] == ["Total gold", "Total silver"]


def test_text_a_spreadsheet_would_run_is_written_after_an_apostrophe(shop, owner, on_day):
    on_day(date(2026, 10, 9))
    crafty = services.customer_create(tenant=shop, actor=owner, name='=HYPERLINK("http://x.example","Pay")')
    services.old_gold_voucher_create(
        tenant=shop, actor=owner, customer=crafty, gross_weight="2", purity_percent="75", rate_per_gram="5000",
        description="@SUM(1+1) -2+3",
    )  # fmt: skip
    on_day.reset()

    data, _, _ = _write(shop, "register_old_gold")

    assert data.startswith(BOM)  # so Excel reads UTF-8 (₹ in the headers, names in any script)
    row = _rows(data)[1]
    assert row[2] == '\'=HYPERLINK("http://x.example","Pay")'
    assert row[3] == "'@SUM(1+1) -2+3"
    assert row[10] == "7500.00"  # a number stays a number: 1.5 g fine at 5,000


def test_a_register_exported_through_the_export_machinery(
    book, exports_in_tmp, django_capture_on_commit_callbacks
):
    export = request_now(
        book.tenant, book.owner, "register_payments", capture=django_capture_on_commit_callbacks,
        period=OCTOBER, **{"from": "2026-10-01", "to": "2026-10-15", "mode": ""},
    )  # fmt: skip

    assert export.status == Export.Status.DONE, (export.error, export.problems)
    assert export.options == {"from": "2026-10-01", "to": "2026-10-15"}
    rows = _rows(stored_bytes(export))
    assert [row[0] for row in rows[1:]] == ["06-10-2026", "06-10-2026", "12-10-2026", "Total"]
    assert export.document_count == 3
