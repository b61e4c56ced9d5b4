"""Customers, document series, GST sales documents and the money received against them."""

from apps.invoicing.models.customers import Customer, pan_validator, phone_validator
from apps.invoicing.models.documents import (
    CREDIT_NOTE_REASONS,
    DEBIT_NOTE_REASONS,
    GRAMS,
    RUPEES,
    DocumentSeries,
    DocumentType,
    Invoice,
    InvoiceLine,
    NoteReason,
    invoices_storage,
)
from apps.invoicing.models.einvoice import EInvoice
from apps.invoicing.models.payments import MoneyMode, OldGoldVoucher, Payment, ReceiptVoucher

__all__ = [
    "CREDIT_NOTE_REASONS", "DEBIT_NOTE_REASONS", "GRAMS", "RUPEES", "Customer", "DocumentSeries", "DocumentType",
    "EInvoice",    "Invoice", "InvoiceLine", "MoneyMode", "NoteReason", "OldGoldVoucher", "Payment", "ReceiptVoucher",
    "invoices_storage", "pan_validator", "phone_validator",
]  # fmt: skip
