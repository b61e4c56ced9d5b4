"""REST endpoints for stock items and purities."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from apps.core.api.filters import IdFilter
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.inventory import selectors, services
from apps.inventory.models import Metal, Purity, StockItem
from apps.tenants import rights


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
    hsn_code = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="4, 6 or 8 digits; spaces and dots are dropped.",
    )
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
        choices=[(o, o) for o in selectors.STOCK_ORDERINGS], help_text="Sort order; newest first by default."
    )

    class Meta:
        model = StockItem
        fields = ["stock_status", "hallmark_status", "metal", "purity", "missing_huid", "q", "ordering"]

    def filter_queryset(self, queryset):
        """The page's filters and these are one rule: the selector's."""
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
    """Reference data every shop shares (no tenant scope): the active grades, read by any member."""

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
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = StockItem
    selector = staticmethod(selectors.stock_item_list)
    serializer_class = StockItemOutput
    filterset_class = StockItemFilter
    write_role = rights.STOCK_KEEP  # shop staff keep the stock; deleting needs an admin
    action_roles = {"destroy": rights.STOCK_DELETE}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

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
