"""REST endpoints for certificates: upload, list and download."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, storages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from apps.core.api.filters import MAX_ID, IdFilter
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.core.files import private_file_response
from apps.inventory import selectors, services
from apps.inventory.models import Certificate
from apps.tenants import rights


class CertificateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Certificate.Kind.choices)
    batch = serializers.IntegerField(
        source="batch_id", allow_null=True, help_text="The hallmarking batch of an AHC report."
    )
    item = serializers.IntegerField(
        source="item_id", allow_null=True, help_text="The article of a stone certificate."
    )
    original_name = serializers.CharField(help_text="The file's name when it was uploaded.")
    content_type = serializers.CharField(help_text="application/pdf, image/png or image/jpeg.")
    size = serializers.IntegerField(help_text="Bytes.")
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file (with the same credentials)."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, certificate: Certificate) -> str:
        path = reverse("api:certificate-download", args=[certificate.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CertificateInput(serializers.Serializer):
    """Sent as multipart/form-data. Which owner to name depends on the kind."""

    kind = serializers.ChoiceField(
        choices=Certificate.Kind.choices,
        help_text="`bis_registration` belongs to the shop (admins only); `ahc_report` needs `batch`; "
        "`stone` needs `item`.",
    )
    file = serializers.FileField(
        allow_empty_file=True, help_text="A PDF, PNG or JPEG file of at most 5 MB, checked by its content."
    )
    batch = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="A hallmarking batch id."
    )
    item = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="An article id."
    )


class CertificateFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Certificate.Kind.choices)
    batch = IdFilter(field_name="batch_id", help_text="A hallmarking batch id.")
    item = IdFilter(field_name="item_id", help_text="An article id.")

    class Meta:
        model = Certificate
        fields = ["kind", "batch", "item"]


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """A file download answers with the file's own type, whatever `Accept` asks; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    list=extend_schema(summary="Certificates: the BIS registration, AHC reports and stone certificates"),
    retrieve=extend_schema(summary="One certificate's details"),
    create=extend_schema(
        summary="Upload a certificate (multipart/form-data)",
        description="Staff may upload AHC reports and stone certificates; the shop's BIS registration "
        "certificate needs the admin role.",
        request={"multipart/form-data": CertificateInput},
        responses={201: CertificateOutput},
    ),
    download=extend_schema(
        summary="Download the certificate file",
        description="Sends the file as an attachment. Where files are kept in S3 the answer is instead "
        "a 302 to a short-lived presigned link, which needs no credentials.",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            302: OpenApiResponse(description="To a presigned link that expires in a few minutes."),
        },
    ),
)
class CertificateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = Certificate
    selector = staticmethod(selectors.certificate_list)
    serializer_class = CertificateOutput
    filterset_class = CertificateFilter
    write_role = rights.STOCK_KEEP  # each kind's own right is the service's to say (checked in create)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = CertificateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kind = Certificate.Kind(values["kind"])
        right = services.certificate_upload_role(kind)
        if not request.membership.has_role(right.role):
            raise exceptions.PermissionDenied(right.refusal())
        certificate = services.certificate_upload(
            tenant=request.tenant,
            actor=request.user,
            kind=kind,
            upload=values["file"],
            batch_id=values.get("batch"),
            item_id=values.get("item"),
        )
        return Response(
            CertificateOutput(certificate, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["get"], content_negotiation_class=IgnoreAcceptNegotiation)
    def download(self, request, pk=None):
        certificate = self.get_object()
        if not isinstance(storages["certificates"], FileSystemStorage):
            # A presigned S3 link opens for whoever holds it until it expires, API clients included.
            return HttpResponseRedirect(services.certificate_link(certificate=certificate, user=request.user))
        # A local link goes through a page that needs a browser session, so the file is sent from here.
        return private_file_response(
            certificate.file.storage, certificate.file.name, filename=certificate.original_name
        )
