"""REST endpoints for daily metal rates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.filters import MAX_ID, IdFilter
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.inventory import selectors, services
from apps.inventory.api.stock import PurityOutput
from apps.inventory.models import MetalRate
from apps.tenants import rights


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
class MetalRateViewSet(mixins.ListModelMixin, TenantViewSet):
    model = MetalRate
    selector = staticmethod(selectors.metal_rate_list)
    serializer_class = MetalRateOutput
    filterset_class = MetalRateFilter
    write_role = rights.RATES_SET  # the shop's prices: owners and admins set them

    @idempotent
    def create(self, request, *args, **kwargs):
        data = MetalRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        purity = selectors.purity_list().filter(pk=values["purity"]).first()
        if purity is None:
            raise ValidationError({"purity": ["Choose a purity from the list, like 22K916."]})
        rate, created = services.metal_rate_set(
            tenant=request.tenant,
            actor=request.user,
            purity=purity,
            rate_per_gram=values["rate_per_gram"],
            effective_on=values.get("effective_on"),
        )
        return Response(
            MetalRateOutput(rate).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def latest(self, request):
        query = MetalRateLatestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rates = selectors.metal_rate_latest(tenant=request.tenant, on=query.validated_data.get("on"))
        ordered = sorted(rates.values(), key=lambda r: (r.purity.metal, -r.purity.fineness))
        return Response(MetalRateOutput(ordered, many=True).data)
