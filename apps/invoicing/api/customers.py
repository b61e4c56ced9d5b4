"""REST endpoints for customers: registered businesses and walk-in buyers, searched at the counter."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.gst.states import STATE_CHOICES
from apps.invoicing import selectors, services
from apps.invoicing.models import Customer
from apps.tenants import rights


class CustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Customer.Kind.choices)
    name = serializers.CharField()
    trade_name = serializers.CharField()
    gstin = serializers.CharField(help_text="Empty for an unregistered buyer.")
    state_code = serializers.CharField(
        help_text="Two-digit GST state code; a registered buyer's is their GSTIN's."
    )
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()
    pincode = serializers.CharField()
    pan = serializers.CharField()
    form_60_given = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CustomerInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, required=False)
    name = serializers.CharField(max_length=120)
    trade_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    gstin = serializers.CharField(max_length=20, required=False, allow_blank=True)
    state_code = serializers.ChoiceField(choices=STATE_CHOICES, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    pincode = serializers.CharField(max_length=6, required=False, allow_blank=True)
    pan = serializers.CharField(max_length=10, required=False, allow_blank=True)
    form_60_given = serializers.BooleanField(required=False)


class CustomerFilter(filters.FilterSet):
    q = filters.CharFilter(help_text="Words of the name, a phone number (4 digits or more), or a GSTIN.")

    class Meta:
        model = Customer
        fields = ["q"]

    def filter_queryset(self, queryset):
        return selectors.customer_list(tenant=self.request.tenant, q=self.form.cleaned_data.get("q") or "")


@extend_schema_view(
    list=extend_schema(summary="The shop's customers"),
    retrieve=extend_schema(summary="One customer"),
    create=extend_schema(summary="Add a customer", request=CustomerInput, responses={201: CustomerOutput}),
    partial_update=extend_schema(
        summary="Change a customer", request=CustomerInput, responses=CustomerOutput
    ),
)
class CustomerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    model = Customer
    selector = staticmethod(selectors.customer_list)
    serializer_class = CustomerOutput
    filterset_class = CustomerFilter
    write_role = rights.SALES_MAKE  # the salesperson at the counter adds the buyer
    http_method_names = ["get", "post", "patch", "head", "options"]

    @idempotent
    def create(self, request, *args, **kwargs):
        data = CustomerInput(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(CustomerOutput(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        customer = self.get_object()
        data = CustomerInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = services.customer_update(
            tenant=request.tenant, actor=request.user, customer=customer, **data.validated_data
        )
        return Response(CustomerOutput(customer).data)
