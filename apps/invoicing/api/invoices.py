"""REST endpoints for sales invoices: drafts edited freely, then issued (numbered, taxed, frozen) or cancelled."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.fields import DecimalInput
from apps.core.api.filters import MAX_ID, IdFilter
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.gst.states import STATE_CHOICES
from apps.invoicing import selectors, services
from apps.invoicing.api.documents import DocumentPdfMixin
from apps.invoicing.api.einvoice import DocumentEInvoiceMixin
from apps.invoicing.models import Invoice, InvoiceLine
from apps.tenants import rights


class InvoiceLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InvoiceLine.Kind.choices)
    stock_item = serializers.IntegerField(source="stock_item_id", allow_null=True)
    description = serializers.CharField()
    hsn_code = serializers.CharField(help_text="HSN for goods, SAC for services.")
    sku = serializers.CharField()
    huid = serializers.CharField()
    purity = serializers.CharField(source="purity_label", help_text="e.g. 22K916.")
    gross_weight = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    stone_weight = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    net_weight = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    rate_per_gram = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    metal_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    making_charge = serializers.DecimalField(max_digits=14, decimal_places=2)
    stone_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    hallmarking_charge = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="A free line's price.")
    gst_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    taxable_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    cgst = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Settled at issue; 0 on a draft."
    )
    sgst = serializers.DecimalField(max_digits=14, decimal_places=2)
    igst = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Invoice.Status.choices)
    number = serializers.CharField(help_text="Empty on a draft.")
    series_code = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    buyer_name = serializers.CharField()
    place_of_supply = serializers.CharField(help_text="Two-digit GST state code.")
    taxable_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    cgst = serializers.DecimalField(max_digits=14, decimal_places=2)
    sgst = serializers.DecimalField(max_digits=14, decimal_places=2)
    igst = serializers.DecimalField(max_digits=14, decimal_places=2)
    round_off = serializers.DecimalField(max_digits=14, decimal_places=2)
    grand_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_paid = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="Money, old gold and advances received (on its debit notes too).",
    )
    payment_status = serializers.SerializerMethodField(help_text="unpaid, part_paid or paid.")
    amount_credited = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The totals of its issued credit notes."
    )
    amount_debited = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The totals of its issued debit notes."
    )
    amount_due = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Grand total - paid - credited + debited; below zero, what the "
        "shop owes the buyer back.",
    )  # fmt: skip
    amount_in_words = serializers.CharField()
    retain_until = serializers.DateField(
        allow_null=True, help_text="Kept at least until this day (CGST s.36)."
    )
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_payment_status(self, invoice: Invoice) -> str:
        return selectors.payment_status(invoice)


class InvoiceDetailOutput(InvoiceOutput):
    seller_name = serializers.CharField()
    seller_gstin = serializers.CharField()
    seller_address = serializers.CharField()
    buyer_gstin = serializers.CharField()
    buyer_address = serializers.CharField()
    buyer_state_code = serializers.CharField()
    lines = InvoiceLineOutput(many=True)


class LineInput(serializers.Serializer):
    stock_item = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="An article of the shop's stock; or leave out for "
        "a free line with description, HSN/SAC and amount.",
    )  # fmt: skip
    description = serializers.CharField(max_length=200, required=False)
    hsn_code = serializers.CharField(max_length=8, required=False)
    amount = DecimalInput(max_digits=14, decimal_places=2, min_value=0, required=False)
    gst_rate = DecimalInput(
        max_digits=5, decimal_places=2, min_value=0, max_value=28, required=False,
        help_text="Percent; by default the rate on record for the HSN/SAC.",
    )  # fmt: skip

    def validate(self, data):
        if "stock_item" not in data and not all(
            data.get(k) not in (None, "") for k in ("description", "hsn_code", "amount")
        ):
            raise serializers.ValidationError(
                "Give an article's `stock_item`, or a free line's description, hsn_code and amount."
            )
        return data


class LineUpdateInput(serializers.Serializer):
    gross_weight = DecimalInput(max_digits=10, decimal_places=3, min_value=0, required=False)
    stone_weight = DecimalInput(max_digits=10, decimal_places=3, min_value=0, required=False)
    rate_per_gram = DecimalInput(max_digits=14, decimal_places=2, min_value=0, required=False)
    making_charge_rate = DecimalInput(max_digits=14, decimal_places=2, min_value=0, required=False)
    stone_value = DecimalInput(max_digits=14, decimal_places=2, min_value=0, required=False)
    hallmarking_charge = DecimalInput(max_digits=14, decimal_places=2, min_value=0, required=False)
    description = serializers.CharField(max_length=200, required=False)
    hsn_code = serializers.CharField(max_length=8, required=False)
    amount = DecimalInput(max_digits=14, decimal_places=2, min_value=0, required=False)
    gst_rate = DecimalInput(max_digits=5, decimal_places=2, min_value=0, max_value=28, required=False)


class InvoiceInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    place_of_supply = serializers.ChoiceField(
        choices=STATE_CHOICES,
        required=False,
        help_text="Where the goods are delivered; the shop's state by default.",
    )
    series_code = serializers.CharField(
        max_length=8, required=False, help_text="INV unless the shop added series."
    )
    lines = LineInput(many=True, required=False, max_length=200)


class InvoiceUpdateInput(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    place_of_supply = serializers.ChoiceField(choices=STATE_CHOICES, required=False)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Kept on the record with the cancelled invoice.")


class InvoiceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Invoice.Status.choices)
    customer = IdFilter(help_text="A customer id.")
    issued_from = filters.DateFilter(help_text="Issued on or after this day.")
    issued_to = filters.DateFilter(help_text="Issued on or before this day.")
    paid = filters.ChoiceFilter(
        choices=list(selectors.PAYMENT_STATUSES.items()), help_text="Issued invoices by payment."
    )
    q = filters.CharFilter(help_text="Part of the number or of the buyer's name.")

    class Meta:
        model = Invoice
        fields = ["status", "customer", "issued_from", "issued_to", "paid", "q"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.invoice_search(
            tenant=self.request.tenant, status=data.get("status") or "", customer_id=data.get("customer"),
            issued_from=data.get("issued_from"), issued_to=data.get("issued_to"), q=data.get("q") or "",
            paid=data.get("paid") or "",
        )  # fmt: skip


def _line_values(request, values: dict) -> dict:
    """A line of a request body as the service takes it: the article looked up in this shop's stock."""
    values = dict(values)
    if "stock_item" in values:
        return {
            "item": selectors.stock_item_for_input(tenant=request.tenant, item_id=values.pop("stock_item"))
        }
    return values


LINE_ID = OpenApiParameter("line_id", int, OpenApiParameter.PATH, description="A line of this invoice.")


@extend_schema_view(
    list=extend_schema(summary="Invoices, newest first"),
    retrieve=extend_schema(summary="One invoice with its lines", responses=InvoiceDetailOutput),
    create=extend_schema(
        summary="Start a draft invoice, optionally with its lines", request=InvoiceInput,
        responses={201: InvoiceDetailOutput},
    ),
    partial_update=extend_schema(
        summary="Change a draft's customer or place of supply", request=InvoiceUpdateInput,
        responses=InvoiceDetailOutput,
    ),
    destroy=extend_schema(summary="Discard a draft (an issued invoice answers 409)", responses={204: None}),
)  # fmt: skip
class InvoiceViewSet(
    DocumentPdfMixin,
    DocumentEInvoiceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    TenantViewSet,
):
    model = Invoice
    selector = staticmethod(selectors.invoice_list)
    serializer_class = InvoiceOutput
    filterset_class = InvoiceFilter
    write_role = rights.SALES_MAKE  # salespeople make and issue bills
    # Undoing a sale on the record is for the owner or a manager, and so is the IRP.
    action_roles = {"cancel": rights.SALE_CANCEL, "einvoice": rights.EINVOICE}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _detail(self, invoice: Invoice, http_status: int = status.HTTP_200_OK) -> Response:
        invoice = selectors.invoice_get(tenant=self.request.tenant, invoice_id=invoice.pk)
        data = InvoiceDetailOutput(invoice).data
        data["lines"] = InvoiceLineOutput(
            selectors.invoice_lines(tenant=self.request.tenant, invoice=invoice), many=True
        ).data
        return Response(data, status=http_status)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @idempotent
    def create(self, request, *args, **kwargs):
        data = InvoiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = selectors.customer_for_input(tenant=request.tenant, customer_id=values.get("customer"))
        lines = [_line_values(request, line) for line in values.get("lines", [])]
        invoice = services.invoice_draft_create(
            tenant=request.tenant, actor=request.user, customer=customer, lines=lines,
            place_of_supply=values.get("place_of_supply", ""), series_code=values.get("series_code", ""),
        )  # fmt: skip
        return self._detail(invoice, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        invoice = self.get_object()
        data = InvoiceUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        changes = {}
        if "customer" in values:
            changes["customer"] = selectors.customer_for_input(
                tenant=request.tenant, customer_id=values["customer"]
            )
        if "place_of_supply" in values:
            changes["place_of_supply"] = values["place_of_supply"]
        services.invoice_draft_update(tenant=request.tenant, actor=request.user, invoice=invoice, **changes)
        return self._detail(invoice)

    def destroy(self, request, *args, **kwargs):
        services.invoice_draft_discard(tenant=request.tenant, actor=request.user, invoice=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Add a line to a draft", request=LineInput, responses={201: InvoiceDetailOutput})
    @action(detail=True, methods=["post"], url_path="lines")
    @idempotent
    def lines(self, request, pk=None):
        invoice = self.get_object()
        data = LineInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.invoice_line_add(
            tenant=request.tenant,
            actor=request.user,
            invoice=invoice,
            **_line_values(request, data.validated_data),
        )
        return self._detail(invoice, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Change a draft's line",
        request=LineUpdateInput,
        responses=InvoiceDetailOutput,
        parameters=[LINE_ID],
    )
    @extend_schema(methods=["DELETE"], summary="Remove a line from a draft", responses=InvoiceDetailOutput,
                   parameters=[LINE_ID])  # fmt: skip
    @action(detail=True, methods=["patch", "delete"], url_path=r"lines/(?P<line_id>\d+)", url_name="line")
    def line(self, request, pk=None, line_id=None):
        invoice = self.get_object()
        line = selectors.invoice_line_get(tenant=request.tenant, invoice=invoice, line_id=int(line_id))
        if request.method == "DELETE":
            services.invoice_line_remove(tenant=request.tenant, actor=request.user, line=line)
            return self._detail(invoice)
        data = LineUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.invoice_line_update(
            tenant=request.tenant, actor=request.user, line=line, **data.validated_data
        )
        return self._detail(invoice)

    @extend_schema(
        summary="Issue the draft: number it, settle its tax and freeze it",
        description="Refused with 409 if the invoice is not a draft or an article can't be sold "
        "(sold meanwhile, or gold without its HUID); 400 when the shop or buyer lacks details the law asks for.",
        request=None, responses=InvoiceDetailOutput,
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request, pk=None):
        invoice = services.invoice_issue(tenant=request.tenant, actor=request.user, invoice=self.get_object())
        return self._detail(invoice)

    @extend_schema(summary="Cancel an issued invoice on its day (it keeps its number)", request=CancelInput,
                   responses=InvoiceDetailOutput)  # fmt: skip
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        invoice = self.get_object()
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = services.invoice_cancel(
            tenant=request.tenant, actor=request.user, invoice=invoice, **data.validated_data
        )
        return self._detail(invoice)
