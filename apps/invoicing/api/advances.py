"""REST endpoints for advances received on receipt vouchers (CGST Rule 50).

A voucher is written once and kept: there is no update or delete. It is adjusted against an invoice
through the payments endpoint, with mode `advance` and the voucher's id.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.core.api.filters import MAX_ID, IdFilter
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.invoicing import selectors, services
from apps.invoicing.models import MoneyMode, ReceiptVoucher
from apps.tenants import rights


class ReceiptVoucherOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = serializers.IntegerField(source="customer_id")
    received_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=MoneyMode.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField()
    description = serializers.CharField()
    adjusted = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Adjusted against invoices so far."
    )
    left = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="Still held for the customer, to adjust against a later invoice.",
    )
    retain_until = serializers.DateField()
    created_at = serializers.DateTimeField()


class ReceiptVoucherInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Who paid the advance.")
    mode = serializers.ChoiceField(choices=MoneyMode.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    description = serializers.CharField(max_length=200, help_text="What the advance is for.")
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)


class ReceiptVoucherFilter(filters.FilterSet):
    customer = IdFilter(help_text="A customer id.")
    received_from = filters.DateFilter(help_text="Received on or after this day.")
    received_to = filters.DateFilter(help_text="Received on or before this day.")

    class Meta:
        model = ReceiptVoucher
        fields = ["customer", "received_from", "received_to"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.receipt_voucher_search(
            tenant=self.request.tenant, customer_id=data.get("customer"),
            received_from=data.get("received_from"), received_to=data.get("received_to"),
        )  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="Advances received on receipt vouchers, newest first"),
    retrieve=extend_schema(summary="One receipt voucher, with what is left of it"),
    create=extend_schema(
        summary="Receive an advance on a receipt voucher",
        description="Numbered in the shop's receipt voucher series; no GST on an advance for goods "
        "(Notification 66/2017-CT). A cash advance stays under ₹2 lakh (s.269ST).",
        request=ReceiptVoucherInput,
        responses={201: ReceiptVoucherOutput},
    ),
)
class ReceiptVoucherViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = ReceiptVoucher
    selector = staticmethod(selectors.receipt_voucher_list)
    serializer_class = ReceiptVoucherOutput
    filterset_class = ReceiptVoucherFilter
    write_role = rights.SALES_MAKE

    @idempotent
    def create(self, request, *args, **kwargs):
        data = ReceiptVoucherInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = selectors.customer_for_input(tenant=request.tenant, customer_id=values.pop("customer"))
        voucher = services.receipt_voucher_create(
            tenant=request.tenant, actor=request.user, customer=customer, **values
        )
        voucher = selectors.receipt_voucher_get(tenant=request.tenant, voucher_id=voucher.pk)
        return Response(ReceiptVoucherOutput(voucher).data, status=status.HTTP_201_CREATED)
