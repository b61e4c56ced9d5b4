from apps.invoicing.api.customers import CustomerViewSet
from apps.invoicing.api.invoices import InvoiceViewSet
from apps.invoicing.api.payments import OldGoldVoucherViewSet, PaymentViewSet

__all__ = ["CustomerViewSet", "InvoiceViewSet", "OldGoldVoucherViewSet", "PaymentViewSet"]
