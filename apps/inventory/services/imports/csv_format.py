"""The stock CSV as a format: its columns, choices written as words, formula guards, the template and exports.

An export imports unchanged, into another shop or back into its own, so what is written here is what
`reading` reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db.models import QuerySet

from apps.inventory.models import StockItem

CSV_COLUMNS = (
    "sku", "name", "category", "purity", "gross_weight", "stone_weight", "making_charge_type",
    "making_charge_value", "stone_value", "hsn_code", "huid", "hallmark_status", "exemption",
    "ready_for_sale", "stock_status",
)  # fmt: skip

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


def choice_key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


CHOICE_LOOKUP = {
    column: {choice_key(text): value for value, label in choices.choices for text in (value, label)}
    for column, choices in CHOICE_COLUMNS.items()
}
CHOICE_LABELS = {column: dict(choices.choices) for column, choices in CHOICE_COLUMNS.items()}


class _Line:
    """A file whose write() hands the line back, so csv.writer can produce one line at a time."""

    def write(self, line: str) -> str:
        return line


def guard(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def stock_csv_template() -> str:
    """The header and two example rows, which import cleanly into a shop that has neither SKU nor HUID."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue()


def stock_csv_cells(item: StockItem) -> list[str]:
    """An article's cells, in CSV_COLUMNS order, as an export writes them and an import reads them back."""
    return [
        guard(item.sku),
        guard(item.name),
        CHOICE_LABELS["category"][item.category],
        item.purity.label,
        f"{item.gross_weight:f}",
        f"{item.stone_weight:f}",
        CHOICE_LABELS["making_charge_type"][item.making_charge_type],
        f"{item.making_charge_value:f}",
        f"{item.stone_value:f}",
        guard(item.hsn_code),
        guard(item.huid),
        CHOICE_LABELS["hallmark_status"][item.hallmark_status],
        CHOICE_LABELS["exemption"].get(item.exemption, ""),
        "yes" if item.ready_for_sale else "no",
        CHOICE_LABELS["stock_status"][item.stock_status],
    ]


def stock_export_rows(queryset: QuerySet[StockItem]) -> Iterator[str]:
    """CSV lines of the given articles, header first, in the columns an import reads.

    An export imports unchanged: into another shop as new articles, and back into the same shop as
    rows with nothing to change. Rows are fetched 2,000 at a time, so memory stays flat however
    large the stock.
    """
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for item in queryset.select_related("purity").iterator(chunk_size=2000):
        yield writer.writerow(stock_csv_cells(item))
