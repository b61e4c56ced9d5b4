"""REST endpoints for exports: start a GSTR-1 export, follow any export while a worker builds it, download."""

from __future__ import annotations

from django import forms
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.errors import ErrorSerializer
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.core.files import private_file_response
from apps.gst.periods import ReturnPeriod
from apps.inventory.api.certificates import IgnoreAcceptNegotiation
from apps.reports import selectors, services
from apps.reports.kinds import export_kind_get
from apps.reports.models import Export
from apps.reports.returns import GSTR1_FORMATS, GSTR1_KINDS
from apps.tenants import rights

PERIOD_MAX_LENGTH = 12
PERIOD_HELP = "A month as 2026-10 (or the portal's 102026), a quarter as 2026-27-Q3."


class ExportLinks(serializers.Serializer):
    self = serializers.URLField(help_text="This export: poll it while `status` is queued or running.")
    download = serializers.URLField(
        allow_null=True, help_text="The file, while it is ready and not yet removed; else null."
    )


class ExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="gstr1_json, gstr1_csv, gstr3b, register_sales, …")
    kind_label = serializers.CharField()
    period = serializers.CharField(source="period_code", help_text="2026-10, or 2026-27-Q3.")
    period_label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    options = serializers.DictField(help_text="What the export was asked with, as the kind cleaned it.")
    status = serializers.ChoiceField(choices=Export.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    progress_done = serializers.IntegerField(help_text="Documents written so far.")
    progress_total = serializers.IntegerField(allow_null=True, help_text="Documents in all, once known.")
    document_count = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Rows or documents per section."
    )
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="When refused: each thing to fix before it can be exported."
    )
    error = serializers.CharField(help_text="When failed: what went wrong, in words.")
    file_name = serializers.CharField(help_text="The name the file downloads as.")
    size = serializers.IntegerField(allow_null=True, help_text="Bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex.")
    requested_by = serializers.EmailField(source="requested_by.email", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="The file is removed after this.")
    links = serializers.SerializerMethodField()

    @extend_schema_field(ExportLinks)
    def get_links(self, export: Export) -> dict:
        request = self.context["request"]
        download = None
        if export.downloadable:
            download = request.build_absolute_uri(reverse("api:export-download", args=[export.pk]))
        return {
            "self": request.build_absolute_uri(reverse("api:export-detail", args=[export.pk])),
            "download": download,
        }


def period_parse(text: str) -> ReturnPeriod:
    """A period as the API takes it; ValueError naming the forms accepted."""
    if len(text) > PERIOD_MAX_LENGTH:
        text = text[:PERIOD_MAX_LENGTH] + "…"
    return ReturnPeriod.parse(text)


class PeriodFormField(forms.Field):
    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        try:
            return period_parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@extend_schema_field({"type": "string", "example": "2026-10"})
class PeriodFilter(filters.Filter):
    """A tax period: the exports made for exactly that month or quarter."""

    field_class = PeriodFormField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(period_start=value.start, period_end=value.end)


class ExportFilter(filters.FilterSet):
    kind = filters.CharFilter(max_length=40, help_text="An export kind, e.g. gstr1_json.")
    status = filters.ChoiceFilter(choices=Export.Status.choices)
    period = PeriodFilter(help_text=PERIOD_HELP)

    class Meta:
        model = Export
        fields = ["kind", "status", "period"]


class Gstr1Filter(filters.FilterSet):
    period = PeriodFilter(help_text=PERIOD_HELP)

    class Meta:
        model = Export
        fields = ["period"]


class Gstr1Input(serializers.Serializer):
    period = serializers.CharField(max_length=PERIOD_MAX_LENGTH, help_text=PERIOD_HELP)
    format = serializers.ChoiceField(
        choices=list(GSTR1_FORMATS), default="json",
        help_text="json: the portal's GSTR-1 JSON; csv: the offline tool's sheets (a ZIP of CSV files); "
        "gstr3b: the GSTR-3B summary (CSV).",
    )  # fmt: skip
    furnished_months = serializers.ListField(
        child=serializers.CharField(max_length=7), required=False, max_length=2,
        help_text="Quarterly (QRMP) filers: the quarter's months (2026-10) whose B2B documents went through "
        "IFF, left out of the quarter's return.",
    )  # fmt: skip

    def validate_period(self, value: str) -> ReturnPeriod:
        try:
            return period_parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


DOWNLOAD_RESPONSES = {
    (200, "application/json"): OpenApiTypes.BINARY,
    (200, "text/csv"): OpenApiTypes.BINARY,
    (200, "application/zip"): OpenApiTypes.BINARY,
    302: OpenApiResponse(description="To a presigned link that expires in a few minutes."),
    409: OpenApiResponse(ErrorSerializer, description="No file yet: queued, running, refused or failed."),
    410: OpenApiResponse(
        ErrorSerializer, description="The file was removed after its week; the record stays."
    ),
}


@extend_schema_view(
    list=extend_schema(summary="Exports, newest first: GST returns and registers, with where each stands"),
    retrieve=extend_schema(summary="One export: poll it while it is queued or running"),
    download=extend_schema(
        summary="Download the export's file",
        description="Sends the file as an attachment. Where files are kept in S3 the answer is instead a 302 "
        "to a short-lived presigned link, which needs no credentials. Every download is recorded in the "
        "audit trail.",
        responses=DOWNLOAD_RESPONSES,
    ),
)
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Export
    selector = staticmethod(selectors.export_list)
    serializer_class = ExportOutput
    filterset_class = ExportFilter
    read_role = rights.RETURNS_EXPORT

    @action(detail=True, methods=["get"], content_negotiation_class=IgnoreAcceptNegotiation)
    def download(self, request, pk=None):
        export = services.export_download(tenant=request.tenant, actor=request.user, export=self.get_object())
        if not services.exports_on_local_disk():
            # A presigned S3 link opens for whoever holds it until it expires, API clients included.
            return HttpResponseRedirect(services.export_link(export=export, user=request.user))
        # A local link goes through a page that needs a browser session, so the file is sent from here.
        return private_file_response(export.file.storage, export.file.name, filename=export.file_name)


def gstr1_export_list(*, tenant):
    return selectors.export_list(tenant=tenant, kinds=GSTR1_KINDS)


@extend_schema_view(
    list=extend_schema(summary="GSTR-1 exports (JSON, offline-tool sheets, GSTR-3B summary), newest first"),
    create=extend_schema(
        summary="Start a GSTR-1 export for a period",
        description="Answers 202 at once with the export; a worker builds the file. Follow `links.self` "
        "until `status` is done (then `links.download`), refused (`problems` lists what to fix) or failed. "
        "The same export still waiting or running is returned rather than started twice.",
        request=Gstr1Input,
        responses={202: ExportOutput},
    ),
)
class Gstr1ReturnViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, TenantViewSet):
    model = Export
    selector = staticmethod(gstr1_export_list)
    serializer_class = ExportOutput
    filterset_class = Gstr1Filter
    read_role = rights.RETURNS_EXPORT
    write_role = rights.RETURNS_EXPORT
    expensive_actions = frozenset({"create"})

    @idempotent
    def create(self, request, *args, **kwargs):
        data = Gstr1Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kind_code = GSTR1_FORMATS[values["format"]]
        if export_kind_get(kind_code) is None:
            raise serializers.ValidationError({"format": ["This file can't be made on this server yet."]})
        options = {}
        if "furnished_months" in values:
            options["furnished_months"] = values["furnished_months"]
        export = services.export_request(
            tenant=request.tenant, actor=request.user, kind_code=kind_code, period=values["period"],
            options=options,
        )  # fmt: skip
        body = ExportOutput(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})
