"""Every change to stock, rates, hallmarking batches and certificates: validated, in a transaction, audited."""

from apps.inventory.services.batches import hallmark_batch_receive, hallmark_batch_send
from apps.inventory.services.certificates import certificate_link, certificate_upload
from apps.inventory.services.rates import metal_rate_set
from apps.inventory.services.stock import (
    hsn_default,
    huid_normalise,
    needs_huid,
    stock_item_check,
    stock_item_create,
    stock_item_delete,
    stock_item_update,
)

__all__ = [
    "certificate_link",
    "certificate_upload",
    "hallmark_batch_receive",
    "hallmark_batch_send",
    "hsn_default",
    "huid_normalise",
    "metal_rate_set",
    "needs_huid",
    "stock_item_check",
    "stock_item_create",
    "stock_item_delete",
    "stock_item_update",
]
