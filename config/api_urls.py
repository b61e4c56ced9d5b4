"""/api/v1/: every app's endpoints, in one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.audit.api import AuditEventViewSet
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
    InvoiceViewSet,
    OldGoldVoucherViewSet,
    PaymentViewSet,
    ReceiptVoucherViewSet,
)
from apps.provisioning.api import AwsAccountViewSet, OperationViewSet, ProjectViewSet
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
    *router.urls,
]
