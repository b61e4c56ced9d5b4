"""What every GST document's endpoint shares: the link to its stored PDF."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.errors import ErrorSerializer
from apps.core.files import private_file_expires_at
from apps.invoicing import services
from apps.invoicing.exceptions import InvoiceNotIssued
from apps.invoicing.models import Invoice


class PdfLinkOutput(serializers.Serializer):
    url = serializers.URLField(help_text="Opens the PDF until `expires_at`.")
    expires_at = serializers.DateTimeField(help_text="After this the link no longer works: ask again.")


class DocumentPdfMixin:
    """`GET …/{id}/pdf` for a viewset of `Invoice` rows (invoices, credit and debit notes)."""

    @extend_schema(
        summary="A link to the document's PDF",
        description="An expiring link to the PDF as it was stored at issue (rendered now if it is not stored "
        "yet), the same one the pages give; once the IRP registered the document, the copy printed with its IRN "
        "and signed QR code. Where files are kept in S3 it is a presigned link that needs no "
        "credentials; on a server keeping files on its own disk it opens in a browser signed in as the key's "
        "user. A draft has no PDF (409).",
        request=None,
        responses={
            200: PdfLinkOutput,
            409: OpenApiResponse(ErrorSerializer, description="The document is a draft: issue it first."),
        },
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        document = self.get_object()
        if document.status == Invoice.Status.DRAFT:
            raise InvoiceNotIssued("This is a draft: it has no PDF until it is issued. Issue it first.")
        pdf = services.invoice_pdf_file(tenant=request.tenant, invoice=document)
        expires_at = private_file_expires_at()
        url = services.invoice_pdf_link(invoice=document, user=request.user, pdf=pdf)
        return Response(
            PdfLinkOutput({"url": request.build_absolute_uri(url), "expires_at": expires_at}).data
        )
