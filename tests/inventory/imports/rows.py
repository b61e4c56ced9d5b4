"""Rows and files for the import tests: a good row, a CSV made of rows, and the counts that must not move."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEvent
from apps.inventory.models import Purity, StockImport, StockItem
from apps.inventory.services import CSV_COLUMNS, stock_import_check, stock_item_create

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
