"""REST endpoints for payments against invoices (money, old gold, advances) and old gold bought on
purchase vouchers."""

from __future__ import annotations

from decimal import Decimal

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.core.api.fields import DecimalInput
from apps.core.api.filters import MAX_ID, IdFilter
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.invoicing import selectors, services
from apps.invoicing.models import OldGoldVoucher, Payment
from apps.tenants import rights


class PaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    mode = serializers.ChoiceField(choices=Payment.Mode.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField()
    old_gold_voucher = serializers.IntegerField(source="old_gold_voucher_id", allow_null=True)
    receipt_voucher = serializers.IntegerField(source="receipt_voucher_id", allow_null=True)
    received_on = serializers.DateField()
    retain_until = serializers.DateField()
    created_at = serializers.DateTimeField()


class PaymentInput(serializers.Serializer):
    invoice = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="An issued invoice or debit note (not a credit note)."
    )
    mode = serializers.ChoiceField(choices=Payment.Mode.choices)
    amount = DecimalInput(max_digits=14, decimal_places=2)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    old_gold_voucher = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text="For mode `old_gold`."
    )
    receipt_voucher = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True,
        help_text="For mode `advance`: the customer's receipt voucher (`/receipt-vouchers`) to adjust.",
    )  # fmt: skip


class PaymentFilter(filters.FilterSet):
    invoice = IdFilter(help_text="An invoice id.")
    mode = filters.ChoiceFilter(choices=Payment.Mode.choices)
    received_on = filters.DateFilter()

    class Meta:
        model = Payment
        fields = ["invoice", "mode", "received_on"]


@extend_schema_view(
    list=extend_schema(summary="Payments received"),
    retrieve=extend_schema(summary="One payment"),
    create=extend_schema(
        summary="Record a payment against an issued invoice",
        description="Cash for one sale stays under ₹2 lakh (s.269ST), a cash advance adjusted against it "
        "included; a payment never exceeds what is due, nor a voucher's payment what the voucher has left. "
        "An advance (mode `advance`) is adjusted only against its own customer's invoices.",
        request=PaymentInput, responses={201: PaymentOutput},
    ),
)  # fmt: skip
class PaymentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = Payment
    selector = staticmethod(selectors.payment_list)
    serializer_class = PaymentOutput
    filterset_class = PaymentFilter
    write_role = rights.SALES_MAKE

    @idempotent
    def create(self, request, *args, **kwargs):
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        invoice = selectors.invoice_for_input(tenant=request.tenant, invoice_id=values.pop("invoice"))
        voucher = selectors.old_gold_voucher_for_input(
            tenant=request.tenant, voucher_id=values.pop("old_gold_voucher", None)
        )
        advance = selectors.receipt_voucher_for_input(
            tenant=request.tenant, voucher_id=values.pop("receipt_voucher", None)
        )
        payment = services.payment_record(
            tenant=request.tenant, actor=request.user, invoice=invoice, old_gold_voucher=voucher,
            receipt_voucher=advance, **values,
        )  # fmt: skip
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class OldGoldVoucherOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer = serializers.IntegerField(source="customer_id")
    received_on = serializers.DateField()
    description = serializers.CharField()
    gross_weight = serializers.DecimalField(max_digits=10, decimal_places=3)
    deduction_weight = serializers.DecimalField(max_digits=10, decimal_places=3)
    net_weight = serializers.DecimalField(max_digits=10, decimal_places=3)
    purity_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    fine_weight = serializers.DecimalField(max_digits=10, decimal_places=3)
    rate_per_gram = serializers.DecimalField(max_digits=14, decimal_places=2)
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Applied to invoices so far.")
    retain_until = serializers.DateField()


class OldGoldVoucherInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Who sold the gold.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gross_weight = DecimalInput(max_digits=10, decimal_places=3, min_value=0)
    deduction_weight = DecimalInput(max_digits=10, decimal_places=3, min_value=0, required=False)
    purity_percent = DecimalInput(max_digits=5, decimal_places=2, min_value=1, max_value=Decimal("99.99"))
    rate_per_gram = DecimalInput(
        max_digits=14, decimal_places=2, min_value=0, help_text="Per gram of fine gold."
    )


@extend_schema_view(
    list=extend_schema(summary="Old gold bought from customers"),
    retrieve=extend_schema(summary="One old-gold purchase voucher"),
    create=extend_schema(
        summary="Buy old gold on a purchase voucher",
        request=OldGoldVoucherInput,
        responses={201: OldGoldVoucherOutput},
    ),
)
class OldGoldVoucherViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = OldGoldVoucher
    selector = staticmethod(selectors.old_gold_voucher_list)
    serializer_class = OldGoldVoucherOutput
    write_role = rights.SALES_MAKE

    @idempotent
    def create(self, request, *args, **kwargs):
        data = OldGoldVoucherInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = selectors.customer_for_input(tenant=request.tenant, customer_id=values.pop("customer"))
        voucher = services.old_gold_voucher_create(
            tenant=request.tenant, actor=request.user, customer=customer, **values
        )
        voucher = selectors.old_gold_voucher_list(tenant=request.tenant).get(pk=voucher.pk)
        return Response(OldGoldVoucherOutput(voucher).data, status=status.HTTP_201_CREATED)
