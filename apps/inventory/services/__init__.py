"""Every change to stock, rates, hallmarking batches and certificates: validated, in a transaction, audited."""

from apps.inventory.services.batches import hallmark_batch_receive, hallmark_batch_send
from apps.inventory.services.certificates import (
    bis_registration_update,
    certificate_link,
    certificate_upload,
    certificate_upload_role,
)
from apps.inventory.services.imports import (
    CSV_COLUMNS,
    stock_csv_template,
    stock_export_rows,
    stock_import_check,
    stock_import_files_purge,
    stock_import_run,
)
from apps.inventory.services.rates import metal_rate_set, metal_rates_set
from apps.inventory.services.sku_numbers import SkuNumbers, sku_foresee
from apps.inventory.services.stock import (
    hsn_default,
    stock_item_create,
    stock_item_delete,
    stock_item_hallmark_receive,
    stock_item_prepare,
    stock_item_update,
)

__all__ = [
    "CSV_COLUMNS",
    "SkuNumbers",
    "bis_registration_update",
    "certificate_link",
    "certificate_upload",
    "certificate_upload_role",
    "hallmark_batch_receive",
    "hallmark_batch_send",
    "hsn_default",
    "metal_rate_set",
    "metal_rates_set",
    "sku_foresee",
    "stock_csv_template",
    "stock_export_rows",
    "stock_import_check",
    "stock_import_files_purge",
    "stock_import_run",
    "stock_item_create",
    "stock_item_delete",
    "stock_item_hallmark_receive",
    "stock_item_prepare",
    "stock_item_update",
]
