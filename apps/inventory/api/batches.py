"""REST endpoints for hallmarking batches: send, list and receive."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.filters import MAX_ID
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.inventory import selectors, services
from apps.inventory.api.certificates import CertificateOutput
from apps.inventory.models import Certificate, HallmarkBatch, StockItem
from apps.tenants import rights


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
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = HallmarkBatch
    selector = staticmethod(selectors.hallmark_batch_list)
    serializer_class = HallmarkBatchOutput
    filterset_class = HallmarkBatchFilter
    write_role = rights.STOCK_KEEP  # staff take articles to the centre and bring them back

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
