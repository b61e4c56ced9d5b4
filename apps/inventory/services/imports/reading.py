"""Reading a stock CSV: decoding, the header, each row's cells into values, and every row checked.

A row whose SKU is an article of the shop changes that article, with the rules of an edit on its page
(`stock_item_change`); any other row is a new article, with the rules of `stock_item_create` (through
`stock_item_prepare`). A row the same as its article is unchanged and writes nothing. Only what is
particular to a spreadsheet lives here: the header, purities and choices written as words, yes/no
cells, and SKUs and HUIDs compared with the shop's stock loaded once rather than queried per row.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from apps.core.validators import control_character, control_character_message
from apps.inventory.models import Purity, StockItem
from apps.inventory.selectors import IN_HAND, purity_list
from apps.inventory.services.imports.csv_format import (
    BOOLEANS,
    CHOICE_LABELS,
    CHOICE_LOOKUP,
    CHOICE_NAMES,
    CSV_COLUMNS,
    OPTIONAL_AMOUNTS,
    TEXT_COLUMNS,
    choice_key,
    stock_csv_cells,
    unguard,
)
from apps.inventory.services.imports.purities import purity_named, purity_spellings
from apps.inventory.services.sku_numbers import SkuNumbers
from apps.inventory.services.stock import (
    EDITABLE,
    huid_taken_message,
    sku_taken_message,
    stock_item_change,
    stock_item_changed_fields,
    stock_item_prepare,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

# One upload is checked inside a web request: this keeps it to a few seconds.
MAX_ROWS = 10_000
# Problems kept on the StockImport to show; error_count still counts them all.
MAX_ERRORS_KEPT = 1000
# Changes kept on the StockImport to show before it runs; rows_changed still counts them all.
MAX_CHANGES_KEPT = 200
# Articles fetched per query: SQLite takes at most 999 parameters.
FETCH_SIZE = 900
EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx (zip) and old .xls


CLOSED = (
    "SKU {sku} is {status}: an import does not change {status} articles. "
    "Take its row out of the file, or leave it as exported."
)
SOLD_BY_IMPORT = (
    "An import can't mark an article sold: sell it with an invoice. Write In stock, Reserved or Returned."
)


@dataclass
class Update:
    """A row that changes an article: the article as it will be saved and its editable fields as they were."""

    row: int
    item: StockItem
    before: dict[str, Any]
    fields: list[str]


@dataclass
class ReadResult:
    """What reading a file found: articles to add, articles to change, rows unchanged, the problems.

    `changes` shows the first changes ({"row", "sku", "item", "fields": [{"column", "old", "new"}]},
    values as the file writes them). `versions` holds when each article the file names by SKU was
    last changed, as the check found it: the run compares, so it never writes over a change made
    in between.
    """

    rows_total: int = 0
    items: list[StockItem] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    unreadable: bool = False  # the file as a whole can't be read: no row was checked

    @property
    def rows_good(self) -> int:
        return len(self.items) + len(self.updates) + self.unchanged

    def add(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "message": message})

    def fail(self, row: int | None, column: str, message: str) -> ReadResult:
        self.unreadable = True
        self.add(row, column, message)
        return self


def _decode(data: bytes, result: ReadResult) -> str | None:
    if data.startswith(EXCEL_SIGNATURES):
        result.fail(
            None,
            "",
            "This is an Excel workbook, not a CSV file. In Excel, choose File → Save As → "
            "“CSV UTF-8 (Comma delimited)” and upload that file.",
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        result.fail(
            row,
            "",
            f"The file is not saved as UTF-8 (row {row} has characters Tijori can't read). In Excel, "
            "choose File → Save As → “CSV UTF-8 (Comma delimited)”; in Google Sheets, File → Download → "
            "CSV.",
        )
        return None


def _column_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _header(header: list[str], result: ReadResult) -> dict[str, int] | None:
    """Column name → cell index, or None when the header is wrong (the errors say how)."""
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = _column_key(cell)
        if not name:
            continue  # an unnamed column (trailing commas) is left out
        if name in index:
            result.add(1, name, f"The column “{name}” appears twice in the header (row 1).")
        elif name in CSV_COLUMNS:
            index[name] = position
        else:
            close = difflib.get_close_matches(name, CSV_COLUMNS, n=1)
            hint = f" Did you mean “{close[0]}”?" if close else ""
            if ";" in cell:
                hint = " The columns seem to be separated by semicolons; Tijori reads commas."
            result.add(1, cell.strip(), f"Tijori doesn't know the column “{cell.strip()}”.{hint}")
    for name in CSV_COLUMNS:
        if name not in index:
            result.add(1, name, f"The column “{name}” is missing from the header (row 1).")
    if result.error_count:
        result.unreadable = True
        result.add(
            1,
            "",
            "Row 1 must name the columns: "
            + ", ".join(CSV_COLUMNS)
            + ". Start from the template to be sure.",
        )
        return None
    return index


def _control_characters(number: int, cells: dict[str, str], result: ReadResult) -> bool:
    """Report each cell that holds a control character, by row and column; True if any did.

    Such a row is checked no further: other messages quote cells, and nothing may carry the
    character on to the database (PostgreSQL refuses NUL even inside the stored error list).
    """
    found = False
    for column, text in cells.items():
        char = control_character(text)
        if char is not None:
            result.add(number, column, control_character_message(char))
            found = True
    return found


def _row_values(
    cells: dict[str, str], purities: dict[str, dict[int, Purity]], current: StockItem | None
) -> tuple[dict, dict]:
    """The values a new article (`current` None) or a change of `current` takes, from one row's cells,
    and the cells that can't be read.

    For a new article, blank cells take the defaults of stock_item_create; for an article in stock, a
    blank cell leaves its value as it is.
    """
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    new = current is None
    for column in TEXT_COLUMNS:
        if cells[column] or new:
            values[column] = unguard(cells[column])
    if cells["purity"] or new:
        purity = purity_named(cells["purity"], purities)
        if isinstance(purity, Purity) and not purity.is_active and (new or purity.pk != current.purity_id):
            purity = f"{purity.label} is no longer in use. Choose another purity, like 22K916 or Silver 925."
        if isinstance(purity, Purity):
            values["purity"] = purity
        else:
            errors["purity"] = [purity]
    if cells["gross_weight"] or new:
        values["gross_weight"] = cells["gross_weight"]  # blank is refused as "enter the weight"
    for column in OPTIONAL_AMOUNTS:
        if cells[column]:
            values[column] = cells[column]
    for column, lookup in CHOICE_LOOKUP.items():
        text = cells[column]
        if not text:
            continue
        value = lookup.get(choice_key(text))
        if value is None:
            labels = ", ".join(CHOICE_LABELS[column].values())
            errors[column] = [f"“{text}” is not a {CHOICE_NAMES[column]}. Write one of: {labels}."]
        else:
            values[column] = value
    if cells["ready_for_sale"] or new:
        ready = BOOLEANS.get(cells["ready_for_sale"].lower())
        if ready is None:
            blank = "means no" if new else "leaves it as it is"
            errors["ready_for_sale"] = [
                f"“{cells['ready_for_sale']}”: write yes or no (a blank cell {blank})."
            ]
        else:
            values["ready_for_sale"] = ready
    return values, errors


def _articles(
    stock: QuerySet[StockItem], ids: list[int], purities: dict[int, Purity], *, lock: bool
) -> dict[str, StockItem]:
    """The articles of these ids by SKU; locked to the end of the transaction with `lock`.

    Their purity is taken from `purities` rather than joined: that more than halves the time of
    fetching a whole shop's stock.
    """
    qs = stock.order_by("pk")  # locked in id order, as sales lock them
    if lock:
        qs = qs.select_for_update()
    found: dict[str, StockItem] = {}
    for start in range(0, len(ids), FETCH_SIZE):
        for item in qs.filter(pk__in=ids[start : start + FETCH_SIZE]):
            item.purity = purities[item.purity_id]
            found[item.sku] = item
    return found


def _change(
    row: int, item: StockItem, before: dict[str, Any], fields: list[str], purities: dict[int, Purity]
) -> dict[str, Any]:
    """What a row changes in its article, field by field, in the words of the file (as an export writes them)."""
    old = StockItem(**{f: before[f] for f in EDITABLE if f != "purity"}, purity=purities[before["purity"]])
    shown, after = stock_csv_cells(old), stock_csv_cells(item)
    return {
        "row": row,
        "sku": item.sku,
        "item": item.pk,
        "fields": [
            {"column": f, "old": unguard(shown[i]), "new": unguard(after[i])}
            for f, i in ((f, CSV_COLUMNS.index(f)) for f in fields)
        ],
    }


def _moved_since_check(sku: str, current: StockItem | None, versions: dict[str, str]) -> str:
    """Why a row can't be written as the check showed it: its article changed in between; empty if it didn't."""
    again = "Upload the file again to see what it would change now."
    if current is None:
        if sku in versions:
            return f"SKU {sku} was deleted or renamed after this file was checked. {again}"
        return ""
    if sku not in versions:
        return f"SKU {sku} was added to the stock after this file was checked. {again}"
    if versions[sku] != current.updated_at.isoformat():
        return f"SKU {sku} was changed after this file was checked. {again}"
    return ""


def check_rows(
    *,
    tenant: Tenant,
    actor: User | None,
    data: bytes,
    versions: dict[str, str] | None = None,
    lock: bool = False,
) -> ReadResult:
    """Every row of the file checked against the shop's stock as it is now. Nothing is written.

    A run passes the check's `versions`: a row whose article changed since (edited, added, deleted)
    is then a problem rather than a change the check did not show. With `lock` the articles the file
    names are locked to the end of the caller's transaction.
    """
    result = ReadResult()
    text = _decode(data, result)
    if text is None:
        return result
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return result.fail(None, "", f"The file can't be read as CSV: {exc}.")
    if not any(any(cell.strip() for cell in record) for record in records):
        return result.fail(
            None, "", "The file is empty. Start from the template: a header and one row per article."
        )
    header = {f"column {position}": cell.strip() for position, cell in enumerate(records[0], start=1)}
    if _control_characters(1, header, result):
        result.unreadable = True
        return result
    index = _header(records[0], result)
    if index is None:
        return result
    width = len(records[0])
    rows = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    result.rows_total = len(rows)
    if not rows:
        return result.fail(None, "", "The file has a header but no articles under it.")
    if len(rows) > MAX_ROWS:
        return result.fail(
            None,
            "",
            f"The file has {len(rows):,} rows of stock; at most {MAX_ROWS:,} can be imported at once. "
            "Split it into smaller files and import them one after another.",
        )

    every_purity = {purity.pk: purity for purity in purity_list(active_only=False)}
    purities = purity_spellings(every_purity.values())
    stock = StockItem.objects.for_tenant(tenant)
    sku_ids: dict[str, int] = {}
    huid_skus: dict[str, str] = {}
    for pk, sku, huid in stock.values_list("pk", "sku", "huid"):
        sku_ids[sku] = pk
        if huid:
            huid_skus[huid] = sku
    cells_of = [
        (number, {name: (record[i].strip() if i < len(record) else "") for name, i in index.items()}, record)
        for number, record in rows
    ]
    # A generated SKU must not be one the file gives to a later row.
    sku_in_file = {unguard(cells["sku"]) for _n, cells, _r in cells_of}
    named = sorted(sku_ids[s] for s in sku_in_file if s in sku_ids)
    articles = _articles(stock, named, every_purity, lock=lock)
    first_sku: dict[str, int] = {}
    first_huid: dict[str, int] = {}

    def sku_is_taken(sku: str) -> bool:
        return sku in sku_ids or sku in sku_in_file

    sku_numbers = SkuNumbers(tenant=tenant, take=lock)  # a check only foresees the shop's next numbers

    for number, cells, record in cells_of:
        if _control_characters(number, cells, result):
            continue
        sku = unguard(cells["sku"])
        if sku in result.versions:  # an article of the stock named again: the first row has it
            result.add(number, "sku", f"SKU {sku} is already on row {first_sku[sku]} of this file.")
            continue
        current = articles.pop(sku, None) if sku else None
        values, errors = _row_values(cells, purities, current)
        if current is None:
            item, item_errors = stock_item_prepare(
                tenant=tenant, actor=actor, values=values, sku_numbers=sku_numbers, is_sku_taken=sku_is_taken
            )
            sku_in_file.add(item.sku)
            before, fields = None, None
        else:
            result.versions[sku] = current.updated_at.isoformat()
            first_sku[sku] = number
            item = current
            before, item_errors = stock_item_change(item=item, values=values)
            fields = stock_item_changed_fields(item, before)
            if (fields or errors) and before["stock_status"] not in IN_HAND:
                status = StockItem.StockStatus(before["stock_status"]).label.lower()
                result.add(number, "sku", CLOSED.format(sku=sku, status=status))
                continue
        writes = current is None or bool(fields)
        for name, messages in item_errors.items():
            errors.setdefault(name, messages)
        if writes and item.stock_status == StockItem.StockStatus.SOLD:
            errors.setdefault("stock_status", []).append(SOLD_BY_IMPORT)
        if current is None and item.sku and "sku" not in errors:
            if item.sku in first_sku:
                errors["sku"] = [f"SKU {item.sku} is already on row {first_sku[item.sku]} of this file."]
            elif item.sku in sku_ids:
                errors["sku"] = [sku_taken_message(item.sku)]
            first_sku.setdefault(item.sku, number)
        if item.huid and "huid" not in errors:
            owner = huid_skus.get(item.huid)
            if owner is not None and (current is None or owner != sku):
                errors["huid"] = [huid_taken_message(item.huid)]
            elif item.huid in first_huid:
                errors["huid"] = [
                    f"HUID {item.huid} is already on row {first_huid[item.huid]} of this file: "
                    "each article has its own HUID."
                ]
            else:
                first_huid[item.huid] = number  # a HUID refused on a row is not that row's to repeat
        if versions is not None and writes and not errors:
            moved = _moved_since_check(item.sku, current, versions)
            if moved:
                errors["sku"] = [moved]
        if any(cell.strip() for cell in record[width:]):
            errors[""] = ["This row has more cells than the header has columns."]
        if not errors:
            if current is None:
                result.items.append(item)
            elif not fields:
                result.unchanged += 1
            else:
                result.updates.append(Update(number, item, before, fields))
                if len(result.changes) < MAX_CHANGES_KEPT:
                    result.changes.append(_change(number, item, before, fields, every_purity))
            continue
        for name in sorted(
            errors, key=lambda n: CSV_COLUMNS.index(n) if n in CSV_COLUMNS else len(CSV_COLUMNS)
        ):
            for message in errors[name]:
                result.add(number, name if name in CSV_COLUMNS else "", message)
    sku_numbers.save()
    return result
