"""/api/v1/: every app's endpoints, in one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.audit.api import AuditEventViewSet
from apps.billing.api import BillingInvoicePdfView, BillingView
from apps.inventory.api import (
    CertificateViewSet,
    HallmarkBatchViewSet,
    MetalRateViewSet,
    PurityViewSet,
    StockItemViewSet,
)
from apps.invoicing.api import (
    CreditNoteViewSet,
    CustomerViewSet,
    DebitNoteViewSet,
    EInvoiceViewSet,
    InvoiceViewSet,
    OldGoldVoucherViewSet,
    PaymentViewSet,
    ReceiptVoucherViewSet,
)
from apps.provisioning.api import AwsAccountViewSet, OperationViewSet, ProjectViewSet
from apps.reports.api.exports import ExportViewSet, Gstr1ReturnViewSet
from apps.reports.api.registers import urlpatterns as register_urls
from apps.tenants.api import ApiKeyViewSet, InvitationViewSet, MemberViewSet, MeView, TenantView

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("members", MemberViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("stock-items", StockItemViewSet, basename="stock-item")
router.register("purities", PurityViewSet, basename="purity")
router.register("projects", ProjectViewSet, basename="project")
router.register("operations", OperationViewSet, basename="operation")
router.register("metal-rates", MetalRateViewSet, basename="metal-rate")
router.register("hallmark-batches", HallmarkBatchViewSet, basename="hallmark-batch")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("customers", CustomerViewSet, basename="customer")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("debit-notes", DebitNoteViewSet, basename="debit-note")
router.register("payments", PaymentViewSet, basename="payment")
router.register("old-gold-vouchers", OldGoldVoucherViewSet, basename="old-gold-voucher")
router.register("receipt-vouchers", ReceiptVoucherViewSet, basename="receipt-voucher")
router.register("e-invoices", EInvoiceViewSet, basename="e-invoice")
router.register("exports", ExportViewSet, basename="export")
router.register("gst-returns/gstr1", Gstr1ReturnViewSet, basename="gstr1-return")

urlpatterns = [
    path("me", MeView.as_view(), name="me"),
    path("tenant", TenantView.as_view(), name="tenant"),
    path(
        "aws-account",
        AwsAccountViewSet.as_view(
            {"get": "retrieve", "post": "create", "put": "update", "delete": "destroy"}
        ),
        name="aws-account",
    ),
    path("aws-account/check", AwsAccountViewSet.as_view({"post": "check"}), name="aws-account-check"),
    path("billing", BillingView.as_view(), name="billing"),
    path("billing/invoices/<int:pk>/pdf", BillingInvoicePdfView.as_view(), name="billing-invoice-pdf"),
    *register_urls,  # /registers/sales, /registers/hsn-summary, …
    *router.urls,
]
