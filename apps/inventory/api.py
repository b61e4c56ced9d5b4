"""REST endpoints for stock, purities, metal rates, hallmarking batches and certificates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from apps.core.filters import MAX_ID, IdFilter
from apps.core.idempotency import idempotent
from apps.inventory import selectors, services
from apps.inventory.models import Certificate, HallmarkBatch, Metal, MetalRate, Purity, StockItem
from apps.tenants.models import Role

ORDERINGS = ["sku", "-sku", "name", "-name", "net_weight", "-net_weight", "created_at", "-created_at"]


class PurityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    metal = serializers.ChoiceField(choices=Metal.choices)
    karat = serializers.CharField(help_text="For gold, e.g. 22K; empty otherwise.")
    fineness = serializers.IntegerField(help_text="Parts per thousand, e.g. 916.")
    label = serializers.CharField(help_text="As shops write it, e.g. 22K916.")


class StockItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=StockItem.Category.choices)
    purity = PurityOutput()
    gross_weight = serializers.DecimalField(max_digits=10, decimal_places=3, help_text="Grams.")
    stone_weight = serializers.DecimalField(max_digits=10, decimal_places=3, help_text="Grams.")
    net_weight = serializers.DecimalField(
        max_digits=10, decimal_places=3, help_text="Grams: gross minus stones."
    )
    making_charge_type = serializers.ChoiceField(choices=StockItem.MakingChargeType.choices)
    making_charge_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    stone_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Rupees.")
    hsn_code = serializers.CharField()
    huid = serializers.CharField(help_text="6 characters A-Z/0-9; empty until hallmarked.")
    hallmark_status = serializers.ChoiceField(choices=StockItem.HallmarkStatus.choices)
    exemption = serializers.CharField(
        help_text="Why the article is exempt from hallmarking; empty otherwise."
    )
    ready_for_sale = serializers.BooleanField()
    stock_status = serializers.ChoiceField(choices=StockItem.StockStatus.choices)
    hallmark_batch = serializers.IntegerField(source="hallmark_batch_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class StockItemInput(serializers.Serializer):
    """Weights and money are sent as strings or numbers and checked by the service, in grams and rupees."""

    sku = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Generated when blank."
    )
    name = serializers.CharField(max_length=120)
    category = serializers.ChoiceField(choices=StockItem.Category.choices, required=False)
    purity = serializers.IntegerField(
        min_value=1, max_value=2**31, help_text="A purity id from /api/v1/purities."
    )
    gross_weight = serializers.CharField(max_length=20)
    stone_weight = serializers.CharField(max_length=20, required=False)
    making_charge_type = serializers.ChoiceField(choices=StockItem.MakingChargeType.choices, required=False)
    making_charge_value = serializers.CharField(max_length=20, required=False)
    stone_value = serializers.CharField(max_length=20, required=False)
    hsn_code = serializers.CharField(max_length=8, required=False, allow_blank=True)
    huid = serializers.CharField(max_length=10, required=False, allow_blank=True)
    hallmark_status = serializers.ChoiceField(choices=StockItem.HallmarkStatus.choices, required=False)
    exemption = serializers.ChoiceField(choices=StockItem.Exemption.choices, required=False, allow_blank=True)
    ready_for_sale = serializers.BooleanField(required=False)
    stock_status = serializers.ChoiceField(choices=StockItem.StockStatus.choices, required=False)


class StockItemFilter(filters.FilterSet):
    stock_status = filters.ChoiceFilter(choices=StockItem.StockStatus.choices)
    hallmark_status = filters.ChoiceFilter(choices=StockItem.HallmarkStatus.choices)
    metal = filters.ChoiceFilter(choices=Metal.choices)
    purity = IdFilter(help_text="A purity id.")
    missing_huid = filters.BooleanFilter(help_text="Gold of 2 g or more, not exempt, without a HUID.")
    q = filters.CharFilter(help_text="A SKU (or its start), an exact HUID, or words of the name.")
    ordering = filters.ChoiceFilter(
        choices=[(o, o) for o in ORDERINGS], help_text="Sort order; newest first by default."
    )

    class Meta:
        model = StockItem
        fields = ["stock_status", "hallmark_status", "metal", "purity", "missing_huid", "q", "ordering"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.stock_item_search(
            tenant=self.request.tenant,
            stock_status=data.get("stock_status") or "",
            hallmark_status=data.get("hallmark_status") or "",
            metal=data.get("metal") or "",
            purity_id=data.get("purity"),
            missing_huid=data.get("missing_huid"),
            q=data.get("q") or "",
            ordering=data.get("ordering") or "",
        )


@extend_schema_view(list=extend_schema(summary="Purity grades, e.g. 22K916"))
class PurityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Purity.objects.none()
    serializer_class = PurityOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Purity]:
        return selectors.purity_list()


@extend_schema_view(
    list=extend_schema(summary="The shop's stock, filtered and paginated"),
    retrieve=extend_schema(summary="One article"),
    create=extend_schema(summary="Add an article", request=StockItemInput, responses={201: StockItemOutput}),
    partial_update=extend_schema(
        summary="Change an article", request=StockItemInput, responses=StockItemOutput
    ),
    destroy=extend_schema(summary="Delete an article entered by mistake", responses={204: None}),
)
class StockItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = StockItem.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = StockItemOutput
    filterset_class = StockItemFilter
    write_role = Role.STAFF  # shop staff keep the stock; deleting needs an admin (below)
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[StockItem]:
        return selectors.stock_item_list(tenant=self.request.tenant)

    def get_permissions(self):
        if self.action == "destroy":
            self.write_role = Role.ADMIN
        return super().get_permissions()

    @idempotent
    def create(self, request, *args, **kwargs):
        data = StockItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.stock_item_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(StockItemOutput(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = StockItemInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = services.stock_item_update(
            tenant=request.tenant, actor=request.user, item=item, **data.validated_data
        )
        return Response(StockItemOutput(item).data)

    def destroy(self, request, *args, **kwargs):
        services.stock_item_delete(tenant=request.tenant, actor=request.user, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- metal rates ---------------------------------------------------------------------------------


class MetalRateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    purity = PurityOutput()
    rate_per_gram = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Rupees per gram.")
    effective_on = serializers.DateField(help_text="The day (India time) the rate is for.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="When the day's rate was last recorded or corrected.")


class MetalRateInput(serializers.Serializer):
    purity = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A purity id from /api/v1/purities."
    )
    rate_per_gram = serializers.CharField(
        max_length=20, help_text="Rupees per gram, as a string or a number, e.g. 6612.50."
    )
    effective_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the rate is for; today (India time) when left out.",
    )


class MetalRateLatestQuery(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text="The day to look from; today (India time) by default."
    )


class MetalRateFilter(filters.FilterSet):
    purity = IdFilter(field_name="purity_id", help_text="A purity id.")
    date_from = filters.DateFilter(
        field_name="effective_on", lookup_expr="gte", help_text="Rates for this day or later."
    )
    date_to = filters.DateFilter(
        field_name="effective_on", lookup_expr="lte", help_text="Rates for this day or earlier."
    )

    class Meta:
        model = MetalRate
        fields = ["purity", "date_from", "date_to"]


@extend_schema_view(
    list=extend_schema(summary="The shop's daily metal rates, newest day first"),
    create=extend_schema(
        summary="Record a purity's rate for a day (a second rate for the same day corrects it)",
        description="Answers 201 when the day had no rate for this purity yet, and 200 when the day's "
        "rate was corrected (the same row, with the new rate).",
        request=MetalRateInput,
        responses={201: MetalRateOutput, 200: MetalRateOutput},
    ),
    latest=extend_schema(
        summary="The latest rate of each purity, on or before a day",
        parameters=[MetalRateLatestQuery],
        responses=MetalRateOutput(many=True),
    ),
)
class MetalRateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = MetalRate.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = MetalRateOutput
    filterset_class = MetalRateFilter
    write_role = Role.STAFF  # shop staff enter the morning's rates

    def get_queryset(self) -> QuerySet[MetalRate]:
        return selectors.metal_rate_list(tenant=self.request.tenant)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = MetalRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        purity = selectors.purity_list().filter(pk=values["purity"]).first()
        if purity is None:
            raise ValidationError({"purity": ["Choose a purity from the list, like 22K916."]})
        effective_on = values.get("effective_on") or timezone.localdate()
        correcting = selectors.metal_rate_list(
            tenant=request.tenant, purity_id=purity.pk, date_from=effective_on, date_to=effective_on
        ).exists()
        rate = services.metal_rate_set(
            tenant=request.tenant,
            actor=request.user,
            purity=purity,
            rate_per_gram=values["rate_per_gram"],
            effective_on=effective_on,
        )
        return Response(
            MetalRateOutput(rate).data, status=status.HTTP_200_OK if correcting else status.HTTP_201_CREATED
        )

    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def latest(self, request):
        query = MetalRateLatestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rates = selectors.metal_rate_latest(tenant=request.tenant, on=query.validated_data.get("on"))
        ordered = sorted(rates.values(), key=lambda r: (r.purity.metal, -r.purity.fineness))
        return Response(MetalRateOutput(ordered, many=True).data)


# --- certificates --------------------------------------------------------------------------------


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

    OWNERS = {
        Certificate.Kind.BIS_REGISTRATION: None,
        Certificate.Kind.AHC_REPORT: "batch",
        Certificate.Kind.STONE: "item",
    }
    NOUNS = {"batch": "hallmarking batch", "item": "article"}

    def validate(self, data):
        needed = self.OWNERS[data["kind"]]
        errors: dict[str, list[str]] = {}
        for field, noun in self.NOUNS.items():
            given = data.get(field) is not None
            if field == needed and not given:
                errors[field] = [f"Name the {noun} this certificate is for."]
            elif field != needed and given:
                label = Certificate.Kind(data["kind"]).label
                errors[field] = [f"Leave this out: a {label} is not attached to any {noun}."]
        if errors:
            raise serializers.ValidationError(errors)
        if needed:
            # Another shop's batch or article reads exactly like a missing one.
            owners = {"batch": selectors.hallmark_batch_list, "item": selectors.stock_item_list}[needed]
            data[needed] = owners(tenant=self.context["tenant"]).filter(pk=data[needed]).first()
            if data[needed] is None:
                raise serializers.ValidationError(
                    {needed: [f"There is no such {self.NOUNS[needed]} in this shop."]}
                )
        return data


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
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = Certificate.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CertificateOutput
    filterset_class = CertificateFilter
    write_role = Role.STAFF  # the BIS registration needs an admin (checked in create)
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Certificate]:
        return selectors.certificate_list(tenant=self.request.tenant)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = CertificateInput(data=request.data, context={"tenant": request.tenant})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["kind"] == Certificate.Kind.BIS_REGISTRATION and not request.membership.has_role(
            Role.ADMIN
        ):
            raise exceptions.PermissionDenied(
                "The BIS registration certificate needs the admin role or above."
            )
        certificate = services.certificate_upload(
            tenant=request.tenant,
            actor=request.user,
            kind=values["kind"],
            upload=values["file"],
            batch=values.get("batch"),
            item=values.get("item"),
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
        try:
            handle = certificate.file.storage.open(certificate.file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            content_type=certificate.content_type,
            as_attachment=True,
            filename=certificate.original_name,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- hallmarking batches -------------------------------------------------------------------------


class BatchItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    huid = serializers.CharField(help_text="Empty until the centre marks the article.")
    hallmark_status = serializers.ChoiceField(choices=StockItem.HallmarkStatus.choices)


class HallmarkBatchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    centre_name = serializers.CharField(help_text="The Assaying and Hallmarking Centre (AHC).")
    request_number = serializers.CharField(help_text="The centre's request number, unique in the shop.")
    sent_on = serializers.DateField()
    received_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=HallmarkBatch.Status.choices)
    item_count = serializers.IntegerField(help_text="Articles in the batch.")
    has_report = serializers.BooleanField(help_text="Whether the centre's AHC report is attached.")
    created_at = serializers.DateTimeField()


class HallmarkBatchDetailOutput(HallmarkBatchOutput):
    items = serializers.SerializerMethodField(help_text="The articles in the batch, by SKU.")
    certificates = serializers.SerializerMethodField(help_text="The batch's AHC reports.")

    @extend_schema_field(BatchItemOutput(many=True))
    def get_items(self, batch: HallmarkBatch) -> list:
        return BatchItemOutput(selectors.hallmark_batch_items(batch=batch), many=True).data

    @extend_schema_field(CertificateOutput(many=True))
    def get_certificates(self, batch: HallmarkBatch) -> list:
        reports = selectors.certificate_list(
            tenant=self.context["tenant"], kind=Certificate.Kind.AHC_REPORT, batch=batch
        )
        return CertificateOutput(reports, many=True, context=self.context).data


class HallmarkBatchSendInput(serializers.Serializer):
    centre_name = serializers.CharField(max_length=120, allow_blank=True)
    request_number = serializers.CharField(max_length=60, allow_blank=True)
    sent_on = serializers.DateField(help_text="The day the articles went to the centre.")
    item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=1000,
        help_text="Ids of articles pending hallmarking.",
    )


class HuidInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An article id in the batch.")
    huid = serializers.CharField(
        max_length=10, allow_blank=True, help_text="6 letters or digits; blank if the centre did not mark it."
    )


class HallmarkBatchReceiveInput(serializers.Serializer):
    received_on = serializers.DateField(help_text="The day the articles came back.")
    huids = serializers.ListField(
        child=HuidInput(),
        max_length=1000,
        required=False,
        help_text="The HUID of each article the centre marked. Articles left out go back to pending.",
    )

    def validate_huids(self, value):
        ids = [entry["item"] for entry in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Give each article at most once.")
        return value


class HallmarkBatchFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=HallmarkBatch.Status.choices)

    class Meta:
        model = HallmarkBatch
        fields = ["status"]


def _receive_error(exc: ValidationError, positions: dict[int, int]) -> ValidationError:
    """Name the service's per-article errors (`huid_<item id>`) after their place in `huids`."""
    if not hasattr(exc, "error_dict"):
        return exc
    fields: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        item_id = key.removeprefix("huid_")
        if key != item_id and item_id.isdigit():
            index = positions.get(int(item_id))
            key = "huids" if index is None else f"huids.{index}.huid"
        fields.setdefault(key, []).extend(messages)
    return ValidationError(fields)


@extend_schema_view(
    list=extend_schema(summary="Hallmarking batches, most recently sent first"),
    retrieve=extend_schema(
        summary="One batch, with its articles and AHC reports", responses=HallmarkBatchDetailOutput
    ),
    create=extend_schema(
        summary="Send pending articles to a hallmarking centre as one batch",
        request=HallmarkBatchSendInput,
        responses={201: HallmarkBatchDetailOutput},
    ),
    receive=extend_schema(
        summary="Receive a batch back and record the HUIDs",
        description="All HUIDs are checked before any is saved: one bad HUID changes nothing. "
        "A batch already received answers 409.",
        request=HallmarkBatchReceiveInput,
        responses=HallmarkBatchDetailOutput,
    ),
)
class HallmarkBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = HallmarkBatch.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = HallmarkBatchOutput
    filterset_class = HallmarkBatchFilter
    write_role = Role.STAFF  # staff take articles to the centre and bring them back
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[HallmarkBatch]:
        return selectors.hallmark_batch_list(tenant=self.request.tenant)

    def _detail(self, batch: HallmarkBatch, http_status: int = status.HTTP_200_OK) -> Response:
        """The batch as `hallmark_batch_list` gives it (with its counts), its articles and reports."""
        context = {"request": self.request, "tenant": self.request.tenant}
        return Response(HallmarkBatchDetailOutput(batch, context=context).data, status=http_status)

    def _reloaded(self, batch: HallmarkBatch) -> HallmarkBatch:
        return selectors.hallmark_batch_get(tenant=self.request.tenant, batch_id=batch.pk)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @idempotent
    def create(self, request, *args, **kwargs):
        data = HallmarkBatchSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.hallmark_batch_send(tenant=request.tenant, actor=request.user, **data.validated_data)
        return self._detail(self._reloaded(batch), status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def receive(self, request, pk=None):
        batch = self.get_object()
        data = HallmarkBatchReceiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        entries = data.validated_data.get("huids", [])
        try:
            services.hallmark_batch_receive(
                tenant=request.tenant,
                actor=request.user,
                batch=batch,
                received_on=data.validated_data["received_on"],
                huids={entry["item"]: entry["huid"] for entry in entries},
            )
        except ValidationError as exc:
            raise _receive_error(exc, {entry["item"]: i for i, entry in enumerate(entries)}) from None
        return self._detail(self._reloaded(batch))
