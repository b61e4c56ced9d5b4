"""Reading a stock CSV: decoding, the header, each row's cells into values, and every row checked.

Rows are read with the rules of `stock_item_create` (through `stock_item_prepare`); only what is
particular to a spreadsheet lives here: the header, purities and choices written as words, yes/no
cells, and SKUs and HUIDs compared with the shop's stock loaded once rather than queried per row.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apps.core.validators import control_character, control_character_message
from apps.inventory.models import Purity, StockItem
from apps.inventory.selectors import purity_list
from apps.inventory.services.imports.csv_format import (
    BOOLEANS,
    CHOICE_LABELS,
    CHOICE_LOOKUP,
    CHOICE_NAMES,
    CSV_COLUMNS,
    OPTIONAL_AMOUNTS,
    TEXT_COLUMNS,
    choice_key,
    unguard,
)
from apps.inventory.services.stock import huid_taken_message, sku_taken_message, stock_item_prepare

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

# One upload is checked inside a web request: this keeps it to a few seconds.
MAX_ROWS = 10_000
# Problems kept on the StockImport to show; error_count still counts them all.
MAX_ERRORS_KEPT = 1000
EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx (zip) and old .xls


@dataclass
class ReadResult:
    """What reading a file found: the articles ready to save and the problems, in row order."""

    rows_total: int = 0
    items: list[StockItem] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    unreadable: bool = False  # the file as a whole can't be read: no row was checked

    def add(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "message": message})

    def fail(self, row: int | None, column: str, message: str) -> ReadResult:
        self.unreadable = True
        self.add(row, column, message)
        return self


def _purity_key(text: str) -> str:
    key = re.sub(r"[\s_\-]+", "", text.upper())
    return re.sub(r"^(\d+)KT", r"\1K", key)  # "22KT" is how many shops write 22K


def _purity_names(purities: Iterable[Purity]) -> dict[str, dict[int, Purity]]:
    """Every way a purity may be written (22K916, 22K, 916, Gold 916, Silver 925) → the purities it names."""
    names: dict[str, dict[int, Purity]] = {}
    for purity in purities:
        spellings = {purity.label, f"{purity.metal}{purity.fineness}", str(purity.fineness), purity.karat}
        for spelling in filter(None, spellings):
            names.setdefault(_purity_key(spelling), {})[purity.pk] = purity
    return names


def _purity(text: str, names: dict[str, dict[int, Purity]]) -> Purity | str:
    """The purity `text` names, or why it names none."""
    if not text:
        return "Enter the purity, like 22K916 or Silver 925."
    found = names.get(_purity_key(text), {})
    if len(found) == 1:
        return next(iter(found.values()))
    if found:
        labels = " or ".join(sorted(p.label for p in found.values()))
        return f"“{text}” could be {labels}: write the purity in full."
    return f"“{text}” is not a purity Tijori knows. Write it as on the tag, like 22K916 or Silver 925."


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


def _row_values(cells: dict[str, str], purities: dict[str, dict[int, Purity]]) -> tuple[dict, dict]:
    """The values stock_item_prepare takes, from one row's cells, and the cells that can't be read."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for column in TEXT_COLUMNS:
        values[column] = unguard(cells[column])
    purity = _purity(cells["purity"], purities)
    if isinstance(purity, Purity):
        values["purity"] = purity
    else:
        errors["purity"] = [purity]
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
    ready = BOOLEANS.get(cells["ready_for_sale"].lower())
    if ready is None:
        errors["ready_for_sale"] = [f"“{cells['ready_for_sale']}”: write yes or no (a blank cell means no)."]
    else:
        values["ready_for_sale"] = ready
    return values, errors


def check_rows(*, tenant: Tenant, actor: User | None, data: bytes) -> ReadResult:
    """Every row of the file checked against the shop's stock as it is now. Nothing is written."""
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

    purities = _purity_names(purity_list())
    taken_skus: set[str] = set()
    taken_huids: set[str] = set()
    for sku, huid in StockItem.objects.for_tenant(tenant).values_list("sku", "huid"):
        taken_skus.add(sku)
        if huid:
            taken_huids.add(huid)
    cells_of = [
        (number, {name: (record[i].strip() if i < len(record) else "") for name, i in index.items()}, record)
        for number, record in rows
    ]
    # A generated SKU must not be one the file gives to a later row.
    sku_in_file = {unguard(cells["sku"]) for _n, cells, _r in cells_of}
    first_sku: dict[str, int] = {}
    first_huid: dict[str, int] = {}

    def sku_is_taken(sku: str) -> bool:
        return sku in taken_skus or sku in sku_in_file

    for number, cells, record in cells_of:
        if _control_characters(number, cells, result):
            continue
        values, errors = _row_values(cells, purities)
        item, item_errors = stock_item_prepare(
            tenant=tenant, actor=actor, values=values, is_sku_taken=sku_is_taken
        )
        sku_in_file.add(item.sku)
        for name, messages in item_errors.items():
            errors.setdefault(name, messages)
        if item.sku and "sku" not in errors:
            if item.sku in taken_skus:
                errors["sku"] = [sku_taken_message(item.sku)]
            elif item.sku in first_sku:
                errors["sku"] = [f"SKU {item.sku} is already on row {first_sku[item.sku]} of this file."]
            first_sku.setdefault(item.sku, number)
        if item.huid and "huid" not in errors:
            if item.huid in taken_huids:
                errors["huid"] = [huid_taken_message(item.huid)]
            elif item.huid in first_huid:
                errors["huid"] = [
                    f"HUID {item.huid} is already on row {first_huid[item.huid]} of this file: "
                    "each article has its own HUID."
                ]
            first_huid.setdefault(item.huid, number)
        if any(cell.strip() for cell in record[width:]):
            errors[""] = ["This row has more cells than the header has columns."]
        if not errors:
            result.items.append(item)
            continue
        for name in sorted(
            errors, key=lambda n: CSV_COLUMNS.index(n) if n in CSV_COLUMNS else len(CSV_COLUMNS)
        ):
            for message in errors[name]:
                result.add(number, name if name in CSV_COLUMNS else "", message)
    return result
