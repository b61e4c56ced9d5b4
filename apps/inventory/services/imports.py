"""Stock as CSV: a shop's spreadsheet checked row by row, imported in one go, and exports that re-import.

Rows are read with the rules of `stock_item_create` (through `stock_item_prepare`); only what is
particular to a spreadsheet lives here: the header, purities and choices written as words, yes/no
cells, and SKUs and HUIDs compared with the shop's stock loaded once rather than queried per row.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.audit.services import AuditEntry, audit_record_many
from apps.core.files import upload_name
from apps.core.validators import control_character, control_character_message
from apps.inventory.exceptions import StockImportAlreadyRun
from apps.inventory.models import Purity, StockImport, StockItem
from apps.inventory.selectors import purity_list
from apps.inventory.services.stock import (
    huid_taken_message,
    sku_taken_message,
    stock_item_created_summary,
    stock_item_prepare,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

CSV_COLUMNS = (
    "sku", "name", "category", "purity", "gross_weight", "stone_weight", "making_charge_type",
    "making_charge_value", "stone_value", "hsn_code", "huid", "hallmark_status", "exemption",
    "ready_for_sale", "stock_status",
)  # fmt: skip
# One upload is checked and imported inside a web request: these keep it to a few seconds.
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
# Problems kept on the StockImport to show; error_count still counts them all.
MAX_ERRORS_KEPT = 1000
BATCH_SIZE = 1000

CHOICE_COLUMNS = {
    "category": StockItem.Category,
    "making_charge_type": StockItem.MakingChargeType,
    "hallmark_status": StockItem.HallmarkStatus,
    "exemption": StockItem.Exemption,
    "stock_status": StockItem.StockStatus,
}
CHOICE_NAMES = {
    "category": "category",
    "making_charge_type": "making charge type",
    "hallmark_status": "hallmark status",
    "exemption": "exemption",
    "stock_status": "stock status",
}
TEXT_COLUMNS = ("sku", "name", "hsn_code", "huid")
# Blank cells of these columns take the model's default, as an omitted value does in stock_item_create.
OPTIONAL_AMOUNTS = ("stone_weight", "making_charge_value", "stone_value")
BOOLEANS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False, "": False}
# A cell starting with one of these is run as a formula by spreadsheet programs: exports write it
# after an apostrophe, which imports remove again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TEMPLATE_ROWS = [
    ["R-1001", "Gold ring with ruby", "Ring", "22K916", "5.250", "0.150", "Per gram", "450.00", "1200.00",
     "", "AB12CD", "Hallmarked", "", "yes", "In stock"],
    ["", "Gold nose pin", "Other", "22K", "1.200", "", "Flat", "300.00", "", "", "", "Exempt",
     "Under 2 grams", "yes", "In stock"],
]  # fmt: skip
EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx (zip) and old .xls


def _choice_key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


CHOICE_LOOKUP = {
    column: {_choice_key(text): value for value, label in choices.choices for text in (value, label)}
    for column, choices in CHOICE_COLUMNS.items()
}
CHOICE_LABELS = {column: dict(choices.choices) for column, choices in CHOICE_COLUMNS.items()}


# --- template and export -------------------------------------------------------------------------


class _Line:
    """A file whose write() hands the line back, so csv.writer can produce one line at a time."""

    def write(self, line: str) -> str:
        return line


def _guard(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def stock_csv_template() -> str:
    """The header and two example rows, which import cleanly into a shop that has neither SKU nor HUID."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue()


def stock_export_rows(queryset: QuerySet[StockItem]) -> Iterator[str]:
    """CSV lines of the given articles, header first, in the columns an import reads.

    An export imports unchanged into another shop. Rows are fetched 2,000 at a time, so memory
    stays flat however large the stock.
    """
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for item in queryset.select_related("purity").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _guard(item.sku),
                _guard(item.name),
                CHOICE_LABELS["category"][item.category],
                item.purity.label,
                f"{item.gross_weight:f}",
                f"{item.stone_weight:f}",
                CHOICE_LABELS["making_charge_type"][item.making_charge_type],
                f"{item.making_charge_value:f}",
                f"{item.stone_value:f}",
                _guard(item.hsn_code),
                _guard(item.huid),
                CHOICE_LABELS["hallmark_status"][item.hallmark_status],
                CHOICE_LABELS["exemption"].get(item.exemption, ""),
                "yes" if item.ready_for_sale else "no",
                CHOICE_LABELS["stock_status"][item.stock_status],
            ]
        )


# --- reading a file ------------------------------------------------------------------------------


@dataclass
class _Result:
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

    def fail(self, row: int | None, column: str, message: str) -> _Result:
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


def _decode(data: bytes, result: _Result) -> str | None:
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


def _header(header: list[str], result: _Result) -> dict[str, int] | None:
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


def _control_characters(number: int, cells: dict[str, str], result: _Result) -> bool:
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
        values[column] = _unguard(cells[column])
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
        value = lookup.get(_choice_key(text))
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


def _read(*, tenant: Tenant, actor: User | None, data: bytes) -> _Result:
    """Every row of the file checked against the shop's stock as it is now. Nothing is written."""
    result = _Result()
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
    sku_in_file = {_unguard(cells["sku"]) for _n, cells, _r in cells_of}
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


def _error_lines(errors: list[dict[str, Any]], limit: int = 10) -> list[str]:
    lines = []
    for error in errors[:limit]:
        where = f"Row {error['row']}" if error["row"] else "The file"
        if error["column"]:
            where += f", {error['column']}"
        lines.append(f"{where}: {error['message']}")
    return lines


def _keep(stock_import: StockImport, result: _Result) -> None:
    stock_import.rows_total = result.rows_total
    stock_import.rows_good = len(result.items)
    stock_import.errors = result.errors
    stock_import.error_count = result.error_count


# --- services ------------------------------------------------------------------------------------


@transaction.atomic
def stock_import_check(*, tenant: Tenant, actor: User | None, upload: UploadedFile) -> StockImport:
    """Store an uploaded stock file and check every row; the stock itself is not touched.

    A file over 5 MB, or with nothing in it, raises ValidationError and is not stored. Otherwise
    the StockImport comes back `checked` (`rows_good` of `rows_total` rows can be imported, the
    others are in `errors`) or `failed` when the file as a whole can't be read (not UTF-8, a wrong
    header, no rows, more than MAX_ROWS rows).
    """
    limit = f"the limit is {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
    size = upload.size or 0
    if size > MAX_BYTES:
        raise ValidationError({"file": [f"The file is {size / 1024 / 1024:.1f} MB; {limit}"]})
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [f"The file is over {MAX_BYTES // 1024 // 1024} MB; {limit}"]})
    if not data:
        raise ValidationError({"file": ["The file is empty."]})
    result = _read(tenant=tenant, actor=actor, data=data)
    stock_import = StockImport(
        tenant=tenant,
        created_by=actor,
        original_name=os.path.basename(upload.name or "")[-200:] or "stock.csv",
        status=StockImport.Status.FAILED if result.unreadable else StockImport.Status.CHECKED,
    )
    _keep(stock_import, result)
    stock_import.file.save(upload_name("text/csv"), ContentFile(data), save=False)
    try:
        stock_import.full_clean(validate_constraints=False)
        stock_import.save(force_insert=True)
    except BaseException:
        stock_import.file.storage.delete(stock_import.file.name)  # no orphan file for a row never saved
        raise
    return stock_import


@transaction.atomic
def stock_import_run(
    *, tenant: Tenant, actor: User | None, stock_import: StockImport, good_rows_only: bool = False
) -> StockImport:
    """Import a checked file: every row, or with `good_rows_only` the rows without errors.

    The file is read and checked again, since the stock may have changed since it was checked. Any
    error (unless `good_rows_only`) raises ValidationError and nothing is imported. Each article is
    audited as `stock.create`, and the import as one `stock.import` event.
    """
    assert stock_import.tenant_id == tenant.id  # callers fetch through selectors; defensive only
    stock_import = StockImport.objects.select_for_update().get(pk=stock_import.pk)
    if stock_import.status == StockImport.Status.IMPORTED:
        when = timezone.localtime(stock_import.imported_at)
        raise StockImportAlreadyRun(
            f"{stock_import.original_name} was already imported on {when:%d %b %Y at %H:%M}; "
            "importing it again would add the same articles twice."
        )
    if not stock_import.file:
        raise ValidationError(
            [
                f"The file of this import was removed {settings.STOCK_IMPORT_FILE_DAYS} days after it was "
                "uploaded. Upload it again to check and import it."
            ]
        )
    with stock_import.file.open("rb") as stored:
        data = stored.read()
    result = _read(tenant=tenant, actor=actor, data=data)
    if result.unreadable:
        raise ValidationError(_error_lines(result.errors))
    if result.error_count and not good_rows_only:
        raise ValidationError(
            [
                f"Nothing was imported: {result.rows_total - len(result.items):,} of {result.rows_total:,} "
                "rows have errors. Correct them, or import only the rows without errors.",
                *_error_lines(result.errors),
            ]
        )
    if not result.items:
        raise ValidationError(
            [f"Nothing was imported: none of the {result.rows_total:,} rows is free of errors."]
        )
    try:
        with transaction.atomic():
            StockItem.objects.bulk_create(result.items, batch_size=BATCH_SIZE)
    except IntegrityError:
        raise ValidationError(
            [
                "Nothing was imported: an article with one of these SKUs or HUIDs was added to the stock "
                "while the file was being imported. Check the file again."
            ]
        ) from None
    _keep(stock_import, result)
    stock_import.status = StockImport.Status.IMPORTED
    stock_import.good_rows_only = good_rows_only
    stock_import.rows_imported = len(result.items)
    stock_import.imported_at = timezone.now()
    stock_import.save(
        update_fields=[
            "rows_total", "rows_good", "errors", "error_count", "status", "good_rows_only", "rows_imported",
            "imported_at", "updated_at",
        ]
    )  # fmt: skip
    summary = (
        f"Imported {stock_import.rows_imported:,} of {stock_import.rows_total:,} rows "
        f"from {stock_import.original_name}"
    )
    audit_record_many(
        tenant=tenant,
        actor=actor,
        entries=[
            *(AuditEntry("stock.create", stock_item_created_summary(item), item) for item in result.items),
            AuditEntry("stock.import", summary, stock_import),
        ],
        batch_size=BATCH_SIZE,
    )
    return stock_import


def stock_import_files_purge(*, now=None) -> int:
    """Delete uploaded stock files older than STOCK_IMPORT_FILE_DAYS; the imports' records stay.

    A shop's uploaded CSV holds its whole stock list: it is kept only as long as it may still be
    imported. Returns how many files went.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.STOCK_IMPORT_FILE_DAYS)
    purged = 0
    while True:
        batch = list(
            StockImport.objects.filter(created_at__lt=cutoff).exclude(file="").values_list("pk", "file")[:500]
        )
        if not batch:
            return purged
        storage = StockImport._meta.get_field("file").storage
        for _, name in batch:
            storage.delete(name)  # a file already gone is not an error for the storages Tijori uses
        StockImport.objects.filter(pk__in=[pk for pk, _ in batch]).update(file="")
        purged += len(batch)
