from apps.invoicing.services.customers import customer_create, customer_update
from apps.invoicing.services.drafts import (
    invoice_draft_create,
    invoice_draft_discard,
    invoice_draft_update,
    invoice_line_add,
    invoice_line_add_article,
    invoice_line_add_free,
    invoice_line_remove,
    invoice_line_update,
    line_price,
)
from apps.invoicing.services.issue import invoice_cancel, invoice_issue
from apps.invoicing.services.payments import (
    old_gold_exchange,
    old_gold_spent,
    old_gold_voucher_create,
    payment_record,
)
from apps.invoicing.services.series import (
    number_format_check,
    number_render,
    series_create,
    series_number_take,
)

__all__ = [
    "customer_create",
    "customer_update",
    "invoice_cancel",
    "invoice_draft_create",
    "invoice_draft_discard",
    "invoice_draft_update",
    "invoice_issue",
    "invoice_line_add",
    "invoice_line_add_article",
    "invoice_line_add_free",
    "invoice_line_remove",
    "invoice_line_update",
    "line_price",
    "number_format_check",
    "number_render",
    "old_gold_exchange",
    "old_gold_spent",
    "old_gold_voucher_create",
    "payment_record",
    "series_create",
    "series_number_take",
]
