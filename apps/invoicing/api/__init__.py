from apps.invoicing.api.advances import ReceiptVoucherViewSet
from apps.invoicing.api.customers import CustomerViewSet
from apps.invoicing.api.einvoice import EInvoiceViewSet
from apps.invoicing.api.invoices import InvoiceViewSet
from apps.invoicing.api.notes import CreditNoteViewSet, DebitNoteViewSet
from apps.invoicing.api.payments import OldGoldVoucherViewSet, PaymentViewSet

__all__ = [
    "CreditNoteViewSet",
    "CustomerViewSet",
    "DebitNoteViewSet",
    "EInvoiceViewSet",
    "InvoiceViewSet",
    "OldGoldVoucherViewSet",
    "PaymentViewSet",
    "ReceiptVoucherViewSet",
]
