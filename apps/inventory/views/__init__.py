"""Stock & HUID pages, by sub-domain as `api/` and `services/` are: stock, batches, rates and compliance, import."""

from apps.inventory.views.batches import (
    batch_create_view,
    batch_detail_view,
    batch_list_view,
    batch_receive_view,
    batch_report_view,
)
from apps.inventory.views.imports import import_detail_view, import_template_view, import_view
from apps.inventory.views.rates_compliance import bis_registration_view, compliance_view, rates_view
from apps.inventory.views.stock import (
    certificate_download_view,
    stock_certificate_view,
    stock_create_view,
    stock_delete_view,
    stock_detail_view,
    stock_edit_view,
    stock_export_view,
    stock_list_view,
)

__all__ = [
    "batch_create_view",
    "batch_detail_view",
    "batch_list_view",
    "batch_receive_view",
    "batch_report_view",
    "bis_registration_view",
    "certificate_download_view",
    "compliance_view",
    "import_detail_view",
    "import_template_view",
    "import_view",
    "rates_view",
    "stock_certificate_view",
    "stock_create_view",
    "stock_delete_view",
    "stock_detail_view",
    "stock_edit_view",
    "stock_export_view",
    "stock_list_view",
]
