import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEvent
from apps.core.context import RequestMeta, acting_via_var, request_meta_var
from apps.inventory.exceptions import StockImportAlreadyRun
from apps.inventory.models import Purity, StockImport, StockItem
from apps.inventory.selectors import stock_item_list
from apps.inventory.services import (
    CSV_COLUMNS,
    imports,
    stock_csv_template,
    stock_export_rows,
    stock_import_check,
    stock_import_run,
    stock_item_create,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_in_tmp")]

GOOD = {
    "sku": "",
    "name": "Gold chain",
    "category": "Chain",
    "purity": "22K916",
    "gross_weight": "10.000",
    "stone_weight": "",
    "making_charge_type": "",
    "making_charge_value": "",
    "stone_value": "",
    "hsn_code": "",
    "huid": "",
    "hallmark_status": "",
    "exemption": "",
    "ready_for_sale": "",
    "stock_status": "",
}


def csv_bytes(rows, header=CSV_COLUMNS, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [{**GOOD, **row}.get(column, "") for column in header] if isinstance(row, dict) else row
        )
    return buffer.getvalue().encode(encoding)


def upload(data: bytes, name="stock.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "text/csv")


def check(tenant, owner, rows=None, *, data=None, name="stock.csv") -> StockImport:
    return stock_import_check(
        tenant=tenant, actor=owner, upload=upload(data if data is not None else csv_bytes(rows), name)
    )


def where(stock_import) -> list[tuple]:
    return [(e["row"], e["column"]) for e in stock_import.errors]


def counts(tenant) -> tuple[int, int]:
    return StockItem.objects.for_tenant(tenant).count(), AuditEvent.objects.for_tenant(tenant).count()


def existing(tenant, owner, **values) -> StockItem:
    defaults = {"name": "Ring", "purity": Purity.objects.get(karat="22K"), "gross_weight": "4"}
    return stock_item_create(tenant=tenant, actor=owner, **{**defaults, **values})


def test_template_imports_cleanly(tenant, owner):
    stock_import = check(tenant, owner, data=stock_csv_template().encode())
    assert (stock_import.status, stock_import.rows_total, stock_import.rows_good) == ("checked", 2, 2)
    assert stock_import.errors == [] and stock_import.error_count == 0
    stock_import = stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert (stock_import.status, stock_import.rows_imported) == ("imported", 2)
    assert stock_import.imported_at is not None
    ring = StockItem.objects.for_tenant(tenant).get(sku="R-1001")
    assert (ring.huid, ring.hallmark_status, ring.net_weight, ring.making_charge_type) == (
        "AB12CD",
        "hallmarked",
        Decimal("5.100"),
        "per_gram",
    )
    assert ring.hsn_code == "7113" and ring.ready_for_sale and ring.created_by == owner
    pin = StockItem.objects.for_tenant(tenant).get(name="Gold nose pin")
    assert pin.sku.startswith("TJ-") and pin.purity.label == "22K916"
    assert (pin.hallmark_status, pin.exemption) == ("exempt", "under_2g")


def test_check_reports_every_error_with_its_row_and_column_and_writes_nothing(tenant, owner):
    existing(tenant, owner, sku="OLD-1", huid="OLD111")
    before = counts(tenant)
    rows = [
        {"sku": "A-1"},  # row 2: good
        {"sku": "A-2", "gross_weight": "heavy", "purity": "21K"},  # row 3: two errors
        {"sku": "A-3", "huid": "AB12C"},  # row 4
        {},  # row 5: good, SKU generated
        {"sku": "A-5", "stone_weight": "-1"},  # row 6
        {"sku": "A-6", "gross_weight": "2.000", "stone_weight": "2.500"},  # row 7
        {"sku": "A-7", "category": "Bracelet", "ready_for_sale": "maybe"},  # row 8
        {"sku": "OLD-1"},  # row 9: SKU already in stock
        {"sku": "A-9", "gross_weight": "5", "ready_for_sale": "yes"},  # row 10: no HUID, no sale
        {"sku": "A-10", "name": ""},  # row 11
    ]
    stock_import = check(tenant, owner, rows)
    assert (stock_import.status, stock_import.rows_total, stock_import.rows_good) == ("checked", 10, 2)
    assert where(stock_import) == [
        (3, "purity"),
        (3, "gross_weight"),
        (4, "huid"),
        (6, "stone_weight"),
        (7, "stone_weight"),
        (8, "category"),
        (8, "ready_for_sale"),
        (9, "sku"),
        (10, "huid"),
        (11, "name"),
    ]
    assert stock_import.error_count == 10
    messages = {(e["row"], e["column"]): e["message"] for e in stock_import.errors}
    assert "“21K” is not a purity Tijori knows" in messages[(3, "purity")]
    assert "as a number" in messages[(3, "gross_weight")]
    assert "6 letters or digits" in messages[(4, "huid")]
    assert "greater than or equal to 0" in messages[(6, "stone_weight")]
    assert "can't be more than the gross weight" in messages[(7, "stone_weight")]
    assert "Ring, Chain" in messages[(8, "category")]
    assert "write yes or no" in messages[(8, "ready_for_sale")]
    assert messages[(9, "sku")] == "SKU OLD-1 is already used in this shop."
    assert "needs its HUID before it can be sold" in messages[(10, "huid")]
    assert counts(tenant) == before
    assert stock_import.file.storage.exists(stock_import.file.name)
    assert re.fullmatch(rf"imports/t{tenant.pk}/[0-9a-f]{{32}}\.csv", stock_import.file.name)


def test_an_uploaded_file_is_stored_under_a_name_of_ours(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "N-1"}], name="poc.html")
    assert stock_import.original_name == "poc.html"
    assert re.fullmatch(rf"imports/t{tenant.pk}/[0-9a-f]{{32}}\.csv", stock_import.file.name)


def test_run_with_good_rows_only_imports_exactly_the_good_rows(tenant, owner):
    rows = [{"sku": "G-1"}, {"sku": "B-1", "purity": "nope"}, {"sku": "G-2", "huid": "zz9zz9"}]
    stock_import = check(tenant, owner, rows)
    stock_import = stock_import_run(
        tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True
    )
    assert sorted(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == ["G-1", "G-2"]
    assert (stock_import.rows_total, stock_import.rows_good, stock_import.rows_imported) == (3, 2, 2)
    assert stock_import.good_rows_only and where(stock_import) == [(3, "purity")]
    creates = AuditEvent.objects.for_tenant(tenant).filter(action="stock.create").order_by("id")
    assert [e.target_id for e in creates] == [
        str(i.pk) for i in StockItem.objects.for_tenant(tenant).order_by("sku")
    ]
    assert creates[1].summary.startswith("Added G-2 “Gold chain” (22K916, 10.000 g net), HUID ZZ9ZZ9")
    event = AuditEvent.objects.for_tenant(tenant).get(action="stock.import")
    assert event.summary == "Imported 2 of 3 rows from stock.csv"
    assert (event.target_type, event.target_id) == ("inventory.stockimport", str(stock_import.pk))


def test_run_without_good_rows_only_raises_and_writes_nothing(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "G-1"}, {"sku": "B-1", "gross_weight": "0"}])
    before = counts(tenant)
    with pytest.raises(ValidationError) as exc:
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert "Nothing was imported: 1 of 2 rows have errors" in exc.value.messages[0]
    assert exc.value.messages[1].startswith("Row 3, gross_weight:")
    assert counts(tenant) == before
    stock_import.refresh_from_db()
    assert stock_import.status == "checked" and stock_import.rows_imported == 0


def test_run_checks_again_against_the_stock_as_it_is_now(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "G-1"}, {"sku": "G-2"}])
    assert stock_import.rows_good == 2
    existing(tenant, owner, sku="G-2")  # entered by hand after the check
    before = counts(tenant)
    with pytest.raises(ValidationError) as exc:
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert "Row 3, sku: SKU G-2 is already used in this shop." in exc.value.messages
    assert counts(tenant) == before
    stock_import = stock_import_run(
        tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True
    )
    assert stock_import.rows_imported == 1 and where(stock_import) == [(3, "sku")]


def test_good_rows_only_with_no_good_row_raises(tenant, owner):
    stock_import = check(tenant, owner, [{"purity": "?"}])
    with pytest.raises(ValidationError, match="none of the 1 rows"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True)
    assert counts(tenant)[0] == 0


def test_duplicates_within_the_file_and_against_the_stock(tenant, owner):
    existing(tenant, owner, sku="OLD-1", huid="OLD111")
    rows = [
        {"sku": "D-1", "huid": "AAA111"},  # row 2
        {"sku": "D-1", "huid": "aaa111"},  # row 3: both again
        {"sku": "D-3", "huid": "old111"},  # row 4: HUID in stock
        {"sku": "OLD-1"},  # row 5: SKU in stock
        {"sku": "D-1"},  # row 6: SKU a third time
    ]
    stock_import = check(tenant, owner, rows)
    messages = [(e["row"], e["column"], e["message"]) for e in stock_import.errors]
    assert messages == [
        (3, "sku", "SKU D-1 is already on row 2 of this file."),
        (3, "huid", "HUID AAA111 is already on row 2 of this file: each article has its own HUID."),
        (4, "huid", "HUID OLD111 is already on another article of this shop."),
        (5, "sku", "SKU OLD-1 is already used in this shop."),
        (6, "sku", "SKU D-1 is already on row 2 of this file."),
    ]
    assert stock_import.rows_good == 1


def test_same_sku_and_huid_in_another_shop_are_fine(tenant, owner, other_tenant, other_owner):
    existing(other_tenant, other_owner, sku="S-1", huid="SHR111")
    stock_import = check(tenant, owner, [{"sku": "S-1", "huid": "SHR111"}])
    assert stock_import.rows_good == 1 and stock_import.errors == []


def test_huid_in_lower_case_is_stored_upper_case_and_five_characters_are_refused(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "H-1", "huid": " ab12cd "}, {"sku": "H-2", "huid": "AB12C"}])
    assert where(stock_import) == [(3, "huid")]
    assert "6 letters or digits" in stock_import.errors[0]["message"]
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True)
    item = StockItem.objects.for_tenant(tenant).get(sku="H-1")
    assert (item.huid, item.hallmark_status) == ("AB12CD", "hallmarked")


@pytest.mark.parametrize(
    "stone_weight, message",
    [
        ("-0.5", "greater than or equal to 0"),
        ("10.001", "can't be more than the gross weight"),
        ("a lot", "as a number"),
    ],
)
def test_bad_stone_weight(tenant, owner, stone_weight, message):
    stock_import = check(tenant, owner, [{"gross_weight": "10", "stone_weight": stone_weight}])
    assert where(stock_import) == [(2, "stone_weight")]
    assert message in stock_import.errors[0]["message"]


@pytest.mark.parametrize(
    "written, label",
    [
        ("22K916", "22K916"),
        ("22k 916", "22K916"),
        ("22K", "22K916"),
        ("22KT", "22K916"),
        ("916", "22K916"),
        ("Gold 916", "22K916"),
        ("24K", "24K999"),
        ("Silver 925", "Silver 925"),
        ("silver925", "Silver 925"),
        ("925", "Silver 925"),
        ("Platinum 950", "Platinum 950"),
    ],
)
def test_purity_may_be_written_as_shops_write_it(tenant, owner, written, label):
    stock_import = check(tenant, owner, [{"sku": "P-1", "purity": written}])
    assert stock_import.errors == []
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert StockItem.objects.for_tenant(tenant).get(sku="P-1").purity.label == label


@pytest.mark.parametrize(
    "written, message",
    [
        ("21K", "“21K” is not a purity Tijori knows"),
        ("999", "“999” could be 24K999 or Silver 999: write the purity in full."),
        ("", "Enter the purity"),
    ],
)
def test_unknown_or_ambiguous_purity_is_an_error(tenant, owner, written, message):
    stock_import = check(tenant, owner, [{"purity": written}])
    assert where(stock_import) == [(2, "purity")]
    assert message in stock_import.errors[0]["message"]


def test_inactive_purity_is_unknown(tenant, owner):
    Purity.objects.filter(karat="9K").update(is_active=False)
    stock_import = check(tenant, owner, [{"purity": "9K375"}])
    assert where(stock_import) == [(2, "purity")]


def test_choices_take_the_value_or_the_label_in_any_case(tenant, owner):
    rows = [
        {"sku": "C-1", "purity": "Silver 925", "category": "NECKLACE", "making_charge_type": "percent", "hallmark_status": "at_centre",
         "stock_status": "Reserved", "ready_for_sale": "No"},
        {"sku": "C-2", "category": "coin", "making_charge_type": "Percent of metal value",
         "hallmark_status": "at hallmarking centre", "stock_status": "in stock", "ready_for_sale": "0"},
        {"sku": "C-3", "gross_weight": "1.5", "hallmark_status": "Exempt", "exemption": "under 2 grams",
         "ready_for_sale": "TRUE"},
    ]  # fmt: skip
    stock_import = check(tenant, owner, rows)
    assert stock_import.errors == []
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    items = {i.sku: i for i in StockItem.objects.for_tenant(tenant)}
    assert (items["C-1"].category, items["C-1"].making_charge_type, items["C-1"].hallmark_status) == (
        "necklace",
        "percent",
        "at_centre",
    )
    assert (items["C-1"].stock_status, items["C-1"].ready_for_sale) == ("reserved", False)
    assert (items["C-2"].category, items["C-2"].hsn_code, items["C-2"].hallmark_status) == (
        "coin",
        "7108",
        "at_centre",
    )
    assert (items["C-3"].exemption, items["C-3"].ready_for_sale) == ("under_2g", True)


def test_blank_optional_cells_take_the_defaults_of_stock_item_create(tenant, owner):
    stock_import = check(tenant, owner, [{"purity": "Silver 925", "category": "Bar"}])
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    item = StockItem.objects.for_tenant(tenant).get()
    assert item.sku.startswith("TJ-") and item.hsn_code == "7106"
    assert (item.stone_weight, item.making_charge_value, item.stone_value) == (0, 0, 0)
    assert (item.making_charge_type, item.hallmark_status, item.stock_status) == (
        "per_gram",
        "pending",
        "in_stock",
    )
    assert (item.exemption, item.ready_for_sale) == ("", False)


def test_byte_order_mark_is_accepted(tenant, owner):
    stock_import = check(tenant, owner, data=b"\xef\xbb\xbf" + csv_bytes([{"name": "Jhumka ₹"}]))
    assert (stock_import.status, stock_import.rows_good) == ("checked", 1)


def test_another_encoding_is_refused_with_a_clear_error(tenant, owner):
    data = csv_bytes([{"sku": "E-1"}, {"sku": "E-2", "name": "Kaṅgan"}], encoding="utf-16")
    stock_import = check(tenant, owner, data=data)
    assert stock_import.status == "failed" and stock_import.rows_good == 0
    assert "not saved as UTF-8" in stock_import.errors[0]["message"]
    stock_import = check(
        tenant, owner, data=csv_bytes([{"sku": "E-1"}, {"name": "Bangle é"}], encoding="cp1252")
    )
    assert stock_import.status == "failed"
    assert stock_import.errors[0]["row"] == 3 and "row 3" in stock_import.errors[0]["message"]
    with pytest.raises(ValidationError, match="not saved as UTF-8"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)


def test_an_excel_workbook_is_refused_with_a_clear_error(tenant, owner):
    stock_import = check(tenant, owner, data=b"PK\x03\x04" + b"\x00" * 100, name="stock.xlsx")
    assert stock_import.status == "failed"
    assert "Excel workbook, not a CSV file" in stock_import.errors[0]["message"]


def test_missing_or_misspelled_column_is_refused(tenant, owner):
    header = [c for c in CSV_COLUMNS if c != "exemption"]
    header[header.index("gross_weight")] = "gros weight"
    stock_import = check(tenant, owner, data=csv_bytes([{}], header=header))
    assert stock_import.status == "failed" and stock_import.rows_total == 0
    assert where(stock_import) == [(1, "gros weight"), (1, "gross_weight"), (1, "exemption"), (1, "")]
    assert "Did you mean “gross_weight”?" in stock_import.errors[0]["message"]
    assert stock_import.errors[2]["message"] == "The column “exemption” is missing from the header (row 1)."


def test_header_names_ignore_case_spaces_and_order(tenant, owner):
    header = [c.upper().replace("_", " ") for c in reversed(CSV_COLUMNS)]
    data = csv_bytes([[GOOD[c] for c in reversed(CSV_COLUMNS)]], header=header)
    stock_import = check(tenant, owner, data=data)
    assert (stock_import.status, stock_import.rows_good) == ("checked", 1)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\n\n", "The file is empty"),
        (",".join(CSV_COLUMNS).encode() + b"\r\n,,,\r\n", "a header but no articles"),
    ],
)
def test_a_file_without_articles_is_refused(tenant, owner, data, message):
    stock_import = check(tenant, owner, data=data)
    assert stock_import.status == "failed" and message in stock_import.errors[0]["message"]


def test_an_empty_or_too_large_file_is_refused_and_not_stored(tenant, owner, imports_in_tmp, monkeypatch):
    with pytest.raises(ValidationError, match="The file is empty"):
        check(tenant, owner, data=b"")
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="the limit is"):
        check(tenant, owner, [{}, {}, {}])
    assert not StockImport.objects.exists() and not any(imports_in_tmp.rglob("*.csv"))


def test_too_many_rows_are_refused(tenant, owner, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    assert check(tenant, owner, [{}, {}, {}]).status == "checked"
    stock_import = check(tenant, owner, [{}, {}, {}, {}])
    assert stock_import.status == "failed" and stock_import.rows_good == 0
    assert (
        "The file has 4 rows of stock; at most 3 can be imported at once" in stock_import.errors[0]["message"]
    )


def test_blank_lines_are_skipped_but_rows_keep_their_spreadsheet_numbers(tenant, owner):
    data = csv_bytes([{"sku": "L-1"}, ["", "", ""], {"sku": "L-3", "gross_weight": "x"}])
    stock_import = check(tenant, owner, data=data)
    assert stock_import.rows_total == 2 and where(stock_import) == [(4, "gross_weight")]


def test_a_row_wider_than_the_header_is_an_error(tenant, owner):
    row = [GOOD[c] for c in CSV_COLUMNS]
    stock_import = check(tenant, owner, data=csv_bytes([[*row, "", ""], [*row, "stray"]]))
    assert where(stock_import) == [(3, "")]


def test_only_the_first_errors_are_kept_but_all_are_counted(tenant, owner, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ERRORS_KEPT", 5)
    stock_import = check(tenant, owner, [{"gross_weight": ""}] * 8)
    assert len(stock_import.errors) == 5 and stock_import.error_count == 8
    assert stock_import.errors[-1]["row"] == 6


def test_running_twice_raises(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "T-1"}])
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    before = counts(tenant)
    with pytest.raises(StockImportAlreadyRun, match="was already imported on"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert counts(tenant) == before


def test_export_imports_unchanged_into_another_shop(tenant, owner, other_tenant, other_owner):
    existing(tenant, owner, sku="X-1", name="Plain ring")
    existing(tenant, owner, sku="=2+2", name='Haar, "Rani" set', huid="hu1d01", stone_weight="0.25",
             making_charge_type="flat", making_charge_value="1,200.50", stone_value="99.99", ready_for_sale=True)  # fmt: skip
    existing(tenant, owner, sku="X-3", name="-Nose pin", gross_weight="1.2", hallmark_status="exempt",
             exemption="under_2g", stock_status="reserved")  # fmt: skip
    existing(tenant, owner, sku="X-4", name="Payal", purity=Purity.objects.get(metal="silver", fineness=925),
             category="other", hsn_code="7117", hallmark_status="at_centre")  # fmt: skip
    exported = "".join(stock_export_rows(stock_item_list(tenant=tenant).order_by("sku")))
    assert exported.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert "'=2+2" in exported and "'-Nose pin" in exported  # not run as formulas by a spreadsheet

    stock_import = check(other_tenant, other_owner, data=exported.encode())
    assert stock_import.errors == []
    stock_import_run(tenant=other_tenant, actor=other_owner, stock_import=stock_import)
    again = "".join(stock_export_rows(stock_item_list(tenant=other_tenant).order_by("sku")))
    assert again == exported

    fields = [f for f in CSV_COLUMNS if f != "purity"] + ["purity_id", "net_weight"]
    assert list(stock_item_list(tenant=other_tenant).order_by("sku").values_list(*fields)) == list(
        stock_item_list(tenant=tenant).order_by("sku").values_list(*fields)
    )


def test_export_is_streamed_in_chunks_with_one_query(tenant, owner, django_assert_num_queries):
    for i in range(3):
        existing(tenant, owner, sku=f"Q-{i}")
    rows = stock_export_rows(StockItem.objects.for_tenant(tenant).order_by("sku"))
    with django_assert_num_queries(1):
        lines = list(rows)
    assert len(lines) == 4 and lines[1].startswith("Q-0,Ring,Other,22K916,4.000,0.000,Per gram,")


def test_import_events_carry_the_request_facts(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "M-1"}])
    meta = request_meta_var.set(RequestMeta(request_id="req-1", ip_address="203.0.113.9", user_agent="UA/1"))
    via = acting_via_var.set("key tj_1a2b3c4d")
    try:
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    finally:
        request_meta_var.reset(meta)
        acting_via_var.reset(via)
    events = AuditEvent.objects.for_tenant(tenant).filter(action__in=["stock.create", "stock.import"])
    assert {(e.ip_address, e.user_agent, e.request_id, e.actor_id, e.actor_label) for e in events} == {
        ("203.0.113.9", "UA/1", "req-1", owner.pk, "owner@shop-a.in via key tj_1a2b3c4d")
    }
    assert events.count() == 2


def test_stock_item_create_reports_field_and_uniqueness_errors_together(tenant, owner):
    existing(tenant, owner, sku="U-1")
    with pytest.raises(ValidationError) as exc:
        existing(tenant, owner, sku="U-1", gross_weight="abc")
    assert set(exc.value.message_dict) == {"sku", "gross_weight"}
    with pytest.raises(ValidationError) as exc:
        existing(tenant, owner, purity=999999)
    assert set(exc.value.message_dict) == {"purity"}  # not also the HSN code that defaults from it
    assert StockItem.objects.for_tenant(tenant).count() == 1


@pytest.mark.postgres
def test_ten_thousand_rows_land_with_a_bounded_number_of_queries(
    tenant, owner, django_assert_max_num_queries
):
    existing(tenant, owner, sku="B-00000")
    purities = ["22K916", "18K750", "Silver 925", "24K"]
    rows = [
        {
            "sku": f"B-{i:05d}" if i % 10 else "",
            "name": f"Article {i}",
            "purity": purities[i % 4],
            "gross_weight": f"{1 + i % 50}.{i % 1000:03d}",
            "huid": f"H{i:05d}" if i % 4 in (0, 1) and i % 10 else "",
        }
        for i in range(1, 10_001)
    ]
    data = csv_bytes(rows)
    with django_assert_max_num_queries(20):
        stock_import = check(tenant, owner, data=data)
    assert (stock_import.rows_total, stock_import.rows_good, stock_import.error_count) == (10_000, 10_000, 0)
    with django_assert_max_num_queries(40):
        stock_import = stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert stock_import.rows_imported == 10_000
    assert StockItem.objects.for_tenant(tenant).count() == 10_001
    assert AuditEvent.objects.for_tenant(tenant).filter(action="stock.create").count() == 10_001
    assert StockItem.objects.for_tenant(tenant).exclude(huid="").count() == 4_500


def test_files_past_their_keeping_time_are_deleted_and_their_records_kept(
    tenant, owner, imports_in_tmp, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.inventory.tasks import stock_import_files_purge_task

    settings.STOCK_IMPORT_FILE_DAYS = 30
    old = check(tenant, owner, [{"sku": "G-1"}, {"sku": "B-1", "purity": "nope"}])
    recent = check(tenant, owner, [{"sku": "G-2"}])
    StockImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    old_file, recent_file = imports_in_tmp / old.file.name, imports_in_tmp / recent.file.name
    assert old_file.exists() and recent_file.exists()

    assert stock_import_files_purge_task() == 1
    old.refresh_from_db(), recent.refresh_from_db()
    assert not old_file.exists() and old.file.name == "" and old.rows_total == 2 and old.error_count == 1
    assert recent_file.exists() and recent.file.name
    assert stock_import_files_purge_task() == 0

    before = counts(tenant)
    with pytest.raises(ValidationError, match="removed 30 days after it was uploaded"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=old, good_rows_only=True)
    assert counts(tenant) == before


def test_an_import_whose_file_was_removed_says_so_on_its_page(owner_client, tenant, owner):
    from django.urls import reverse

    stock_import = check(tenant, owner, [{"sku": "G-1"}, {"sku": "B-1", "purity": "nope"}])
    StockImport.objects.filter(pk=stock_import.pk).update(file="")
    page = owner_client.get(reverse("inventory:import_detail", args=[stock_import.pk])).content.decode()
    assert "The uploaded file has been removed" in page and "good row" not in page
