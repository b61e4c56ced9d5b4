"""/api/v1/billing: the workspace's AMC for integrations (owners' and admins' keys), and links to the PDFs
of Tijori's invoices. Read-only: renewing is done on the Billing page, through the checkout."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing import selectors, services
from apps.billing.exceptions import BillingOrderRefused, PaymentsOff
from apps.billing.models import BillingPayment, Contract, PlatformInvoice
from apps.billing.services import today_local
from apps.core.files import private_file_expires_at
from apps.invoicing.api.documents import PdfLinkOutput
from apps.tenants import rights

MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}


class PlanOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    yearly_price = serializers.DecimalField(**MONEY, help_text="Rupees a year, before GST.")


class AmountDueOutput(serializers.Serializer):
    sac = serializers.CharField(help_text="The SAC of the AMC on Tijori's invoice.")
    gst_rate = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    place_of_supply = serializers.CharField(help_text="GST state code of the workspace.")
    taxable_value = serializers.DecimalField(**MONEY)
    cgst = serializers.DecimalField(**MONEY, help_text="Within Tijori's state: half the GST.")
    sgst = serializers.DecimalField(**MONEY)
    igst = serializers.DecimalField(**MONEY, help_text="From another state: all of the GST.")
    amount = serializers.DecimalField(**MONEY, help_text="Rupees to pay to renew, GST included.")


class PlatformInvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    doc_type = serializers.ChoiceField(choices=PlatformInvoice.Kind.choices)
    number = serializers.CharField()
    issued_on = serializers.DateField()
    original = serializers.CharField(
        source="original.number",
        allow_null=True,
        default=None,
        help_text="The invoice a credit note reverses.",
    )
    description = serializers.CharField()
    taxable_value = serializers.DecimalField(**MONEY)
    cgst = serializers.DecimalField(**MONEY)
    sgst = serializers.DecimalField(**MONEY)
    igst = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    pdf = serializers.SerializerMethodField(help_text="GET it for an expiring link to the PDF.")

    def get_pdf(self, invoice: PlatformInvoice) -> str:
        url = reverse("api:billing-invoice-pdf", kwargs={"pk": invoice.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class BillingPaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=BillingPayment.Method.choices)
    gateway_payment_id = serializers.CharField(
        allow_null=True, help_text="Razorpay's payment id, when paid online."
    )
    reference = serializers.CharField()
    amount = serializers.DecimalField(**MONEY, help_text="Rupees received, GST included.")
    paid_on = serializers.DateField()


class BillingOutput(serializers.Serializer):
    plan = PlanOutput()
    state = serializers.ChoiceField(choices=Contract.State.choices)
    period_kind = serializers.ChoiceField(choices=Contract.PeriodKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField(
        allow_null=True, help_text="The last day paid for; null on a free plan."
    )
    grace_until = serializers.DateField(
        allow_null=True, help_text="The last day of grace, once grace started."
    )
    amount_due = AmountDueOutput(allow_null=True, help_text="What renewing costs now; null on a free plan.")
    amount_due_note = serializers.CharField(help_text="Why there is no amount due to pay, if so; else empty.")
    invoices = PlatformInvoiceOutput(many=True, help_text="Tijori's invoices and credit notes, newest first.")
    payments = BillingPaymentOutput(many=True, help_text="Payments for the AMC, newest first.")


class BillingView(APIView):
    """The workspace's AMC: plan, state, period, the amount due with its GST, Tijori's invoices, payments."""

    read_role = rights.BILLING_SEE

    @extend_schema(responses=BillingOutput, operation_id="billing_retrieve", summary="The workspace's AMC")
    def get(self, request):
        tenant = request.tenant
        contract = selectors.contract_for(tenant=tenant)
        if contract is None:
            raise Http404("No AMC is recorded for this workspace yet.")
        contract.tenant = tenant
        due, note = None, ""
        try:
            due = selectors.amount_due(contract=contract, on=today_local())
        except (BillingOrderRefused, PaymentsOff) as exc:
            note = exc.message
        data = {
            "plan": contract.plan,
            "state": contract.state,
            "period_kind": contract.period_kind,
            "period_start": contract.period_start,
            "period_end": contract.period_end,
            "grace_until": contract.grace_until,
            "amount_due": due,
            "amount_due_note": note,
            "invoices": selectors.platform_invoice_list(tenant=tenant),
            "payments": selectors.billing_payment_list(tenant=tenant),
        }
        return Response(BillingOutput(data, context={"request": request}).data)


class BillingInvoicePdfView(APIView):
    """An expiring link to the PDF of one of Tijori's invoices or credit notes to the workspace."""

    read_role = rights.BILLING_SEE

    @extend_schema(
        responses=PdfLinkOutput,
        operation_id="billing_invoice_pdf",
        summary="A link to the PDF of one of Tijori's invoices",
        description="Where files are kept in S3 it is a presigned link that needs no credentials; on a server "
        "keeping files on its own disk it opens in a browser signed in as the key's user.",
    )
    def get(self, request, pk: int):
        invoice = selectors.platform_invoice_get(tenant=request.tenant, invoice_id=pk)
        expires_at = private_file_expires_at()
        url = services.platform_invoice_pdf_link(invoice=invoice, user=request.user)
        return Response(
            PdfLinkOutput({"url": request.build_absolute_uri(url), "expires_at": expires_at}).data
        )
