"""Checking a stock CSV (`services/imports/reading.py`): every row's errors by row and column, nothing written."""

import re

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.models import Purity, StockImport, StockItem
from apps.inventory.services import (
    CSV_COLUMNS,
    imports,
    stock_import_run,
)
from apps.inventory.services.imports import reading
from tests.inventory.imports.rows import GOOD, check, counts, csv_bytes, existing, where

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_in_tmp")]


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
        {"sku": "OLD-1", "stock_status": "Sold"},  # row 9: an update that would sell the article
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
        (9, "stock_status"),
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
    assert messages[(9, "stock_status")].startswith(
        "An import can't mark an article sold: sell it with an invoice."
    )
    assert "needs its HUID before it can be sold" in messages[(10, "huid")]
    assert counts(tenant) == before
    assert stock_import.file.storage.exists(stock_import.file.name)
    assert re.fullmatch(rf"imports/t{tenant.pk}/[0-9a-f]{{32}}\.csv", stock_import.file.name)


def test_an_uploaded_file_is_stored_under_a_name_of_ours(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "N-1"}], name="poc.html")
    assert stock_import.original_name == "poc.html"
    assert re.fullmatch(rf"imports/t{tenant.pk}/[0-9a-f]{{32}}\.csv", stock_import.file.name)


def test_duplicates_within_the_file_and_against_the_stock(tenant, owner):
    existing(tenant, owner, sku="OLD-1", huid="OLD111")
    existing(tenant, owner, sku="OLD-2", huid="OLD222")
    rows = [
        {"sku": "D-1", "huid": "AAA111"},  # row 2
        {"sku": "D-1", "huid": "aaa111"},  # row 3: both again
        {"sku": "D-3", "huid": "old111"},  # row 4: HUID in stock
        {"sku": "OLD-1"},  # row 5: SKU in stock, its own HUID kept: an update
        {"sku": "D-1"},  # row 6: SKU a third time
        {"sku": "OLD-1", "name": "Again"},  # row 7: the same article twice
        {"sku": "OLD-2", "huid": "AAA111"},  # row 8: an article given the HUID of row 2
    ]
    stock_import = check(tenant, owner, rows)
    messages = [(e["row"], e["column"], e["message"]) for e in stock_import.errors]
    assert messages == [
        (3, "sku", "SKU D-1 is already on row 2 of this file."),
        (3, "huid", "HUID AAA111 is already on row 2 of this file: each article has its own HUID."),
        (4, "huid", "HUID OLD111 is already on another article of this shop."),
        (6, "sku", "SKU D-1 is already on row 2 of this file."),
        (7, "sku", "SKU OLD-1 is already on row 5 of this file."),
        (8, "huid", "HUID AAA111 is already on row 2 of this file: each article has its own HUID."),
    ]
    assert (stock_import.rows_good, stock_import.rows_new, stock_import.rows_changed) == (2, 1, 1)


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
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
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
    monkeypatch.setattr(reading, "MAX_ERRORS_KEPT", 5)
    stock_import = check(tenant, owner, [{"gross_weight": ""}] * 8)
    assert len(stock_import.errors) == 5 and stock_import.error_count == 8
    assert stock_import.errors[-1]["row"] == 6


def test_stock_item_create_reports_field_and_uniqueness_errors_together(tenant, owner):
    existing(tenant, owner, sku="U-1")
    with pytest.raises(ValidationError) as exc:
        existing(tenant, owner, sku="U-1", gross_weight="abc")
    assert set(exc.value.message_dict) == {"sku", "gross_weight"}
    with pytest.raises(ValidationError) as exc:
        existing(tenant, owner, purity=999999)
    assert set(exc.value.message_dict) == {"purity"}  # not also the HSN code that defaults from it
    assert StockItem.objects.for_tenant(tenant).count() == 1
