"""REST endpoints for e-invoices: what the IRP registered (list, one), its answers imported, an IRN
cancelled; and, on every document's endpoint, the INV-01 JSON the IRP takes for it."""

from __future__ import annotations

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.errors import ErrorSerializer, error_response
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.gst.einvoice import einvoice_json
from apps.gst.irp import CANCEL_REASONS
from apps.invoicing import einvoice_selectors, services
from apps.invoicing.exceptions import EInvoiceImportRefused, EInvoiceNotReady
from apps.invoicing.models import EInvoice, Invoice
from apps.invoicing.services.einvoice import ANSWERS_MAX
from apps.tenants import rights


class EInvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField(source="document_id", help_text="The invoice or note it registers.")
    document_type = serializers.ChoiceField(source="document.doc_type", choices=Invoice.Kind.choices)
    document_number = serializers.CharField(source="document.number")
    irn = serializers.CharField(help_text="The Invoice Reference Number: 64 hexadecimal characters.")
    ack_no = serializers.CharField(help_text="The IRP's acknowledgement number.")
    ack_at = serializers.DateTimeField(help_text="When the IRP acknowledged it.")
    status = serializers.ChoiceField(choices=EInvoice.Status.choices)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    signed_qr = serializers.CharField(help_text="The IRP's signed QR code (a JWT), printed on the bill.")
    retain_until = serializers.DateField(help_text="Kept at least until this day, like its document.")


class EInvoiceImportOutput(serializers.Serializer):
    recorded = EInvoiceOutput(many=True, help_text="Answers recorded now.")
    already = EInvoiceOutput(many=True, help_text="Answers recorded before, left as they were.")


class AnswerInput(serializers.Serializer):
    """One answer of the IRP, as its API or the portal gives it."""

    Irn = serializers.CharField(max_length=64)
    AckNo = serializers.CharField(max_length=20)
    AckDt = serializers.CharField(max_length=19, help_text="YYYY-MM-DD HH:MM:SS, Asia/Kolkata.")
    SignedQRCode = serializers.CharField(max_length=8000)
    SignedInvoice = serializers.CharField(max_length=200_000, required=False, allow_blank=True)
    Status = serializers.CharField(max_length=10, required=False, help_text="ACT for an active IRN.")
    SellerGstin = serializers.CharField(
        max_length=15, required=False, help_text="Else read from the signed QR code, as are the three below."
    )
    DocTyp = serializers.ChoiceField(choices=["INV", "CRN", "DBN"], required=False)
    DocNo = serializers.CharField(max_length=16, required=False)
    DocDt = serializers.CharField(max_length=10, required=False, help_text="dd/mm/yyyy.")


class ImportInput(serializers.Serializer):
    answers = AnswerInput(many=True, min_length=1, max_length=ANSWERS_MAX)


class IrnCancelInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[(code, label) for code, (_, label) in CANCEL_REASONS.items()],
        help_text="The IRP's reasons: duplicate, data entry mistake, order cancelled, other.",
    )
    remark = serializers.CharField(max_length=100, required=False, allow_blank=True)


class EInvoiceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=EInvoice.Status.choices)

    class Meta:
        model = EInvoice
        fields = ["status"]


REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="Nothing was recorded: `fields.answers` lists each answer that does not match an issued document "
    "of this shop (another GSTIN, an unknown number, a document that already has another IRN).",
)


@extend_schema_view(
    list=extend_schema(summary="e-Invoices the IRP registered, newest acknowledgement first"),
    retrieve=extend_schema(summary="One e-invoice"),
)
class EInvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = EInvoice
    selector = staticmethod(einvoice_selectors.einvoice_list)
    serializer_class = EInvoiceOutput
    filterset_class = EInvoiceFilter
    read_role = rights.EINVOICE
    write_role = rights.EINVOICE

    @extend_schema(
        summary="Import the IRP's answers: IRN, acknowledgement and signed QR code of each document",
        description="Each answer is matched to an issued document of this shop by the GSTIN, type, number and date "
        "it names (or its signed QR code names). All or nothing; the same answer sent again is recognised and "
        "reported under `already`. Each bill is then printed again with its QR code.",
        request=ImportInput,
        responses={200: EInvoiceImportOutput, 400: REFUSED},
    )
    @action(detail=False, methods=["post"], url_path="import")
    @idempotent
    def import_answers(self, request):
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.einvoice_answers_import(
                tenant=request.tenant,
                actor=request.user,
                answers=[dict(a) for a in data.validated_data["answers"]],
            )
        except EInvoiceImportRefused as exc:
            return error_response(
                exc.code, exc.message, status.HTTP_400_BAD_REQUEST, {"answers": exc.problems}
            )
        return Response(EInvoiceImportOutput({"recorded": result.recorded, "already": result.already}).data)

    @extend_schema(
        summary="Cancel an IRN, within 24 hours of its acknowledgement, together with its document",
        description="The document is cancelled with it (on its day of issue, with no notes against it); after 24 "
        "hours the IRP keeps the IRN and a credit note reverses the supply. Without an IRP connection this records "
        "a cancellation made on the portal.",
        request=IrnCancelInput,
        responses={
            200: EInvoiceOutput,
            409: OpenApiResponse(ErrorSerializer, description="Already cancelled, past 24 hours, or the document "
                                 "can't be cancelled."),
            503: OpenApiResponse(ErrorSerializer, description="The IRP could not be reached: nothing changed."),
        },
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        einvoice = self.get_object()  # another shop's e-invoice is a 404 before its input is read
        data = IrnCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        einvoice = services.einvoice_cancel_record(
            tenant=request.tenant, actor=request.user, einvoice=einvoice, **data.validated_data
        )
        return Response(EInvoiceOutput(einvoice).data)


class DocumentEInvoiceMixin:
    """`GET …/{id}/e-invoice` for a viewset of `Invoice` rows: the INV-01 JSON the IRP takes for it."""

    @extend_schema(
        summary="The document's e-invoice JSON (INV-01, version 1.1), to upload on the IRP",
        description="Built from the figures stored at issue and checked against the INV-01 schema. Refused with "
        "409 while the IRP would refuse it: `fields.problems` lists each reason (a buyer without a GSTIN, an HSN "
        "of 4 digits, a PIN code missing, older than 30 days for turnover of ₹10 crore or more, an IRN already "
        "recorded…).",
        request=None,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The INV-01 payload."),
            409: OpenApiResponse(
                ErrorSerializer, description="Not ready for the IRP: see `fields.problems`."
            ),
        },
    )
    @action(detail=True, methods=["get"], url_path="e-invoice", url_name="e-invoice")
    def einvoice(self, request, pk=None):
        document = self.get_object()
        try:
            payload = services.einvoice_document_payload(tenant=request.tenant, document=document)
        except EInvoiceNotReady as exc:
            return error_response(exc.code, exc.message, status.HTTP_409_CONFLICT, {"problems": exc.problems})
        return HttpResponse(
            einvoice_json(payload), content_type="application/json"
        )  # amounts as issued, exactly
