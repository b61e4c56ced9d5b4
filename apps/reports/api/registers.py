"""REST endpoints for the registers: `/api/v1/registers/{sales,hsn-summary,payments,old-gold,stock-movement}`.

Each answers the register for `?from=&to=` (the current month without them) and its filters: the
rows (paged where a register lists documents) and the totals, read through the same filter form and
selector as the register's page and its CSV export. A date that cannot be read, `from` after `to`, or
a range longer than MAX_DAYS is a 400 naming the parameter.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import Pagination
from apps.gst.states import STATE_CHOICES
from apps.inventory.models import Metal
from apps.invoicing.models import Invoice, Payment
from apps.reports.registers import MAX_DAYS, REGISTERS, RegisterKind, payment_row
from apps.reports.registers.filters import ADVANCE_RECEIVED
from apps.tenants import rights


def _rupees(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


def _grams(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=3, **kwargs)


class RangeOutput(serializers.Serializer):
    start = serializers.DateField(help_text="`from`, as read (the current month's first day without it).")
    end = serializers.DateField(help_text="`to`, as read.")


# --- sales register ---------------------------------------------------------------------------------


class SalesRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    doc_type = serializers.ChoiceField(choices=Invoice.Kind.choices)
    status = serializers.ChoiceField(choices=[(s, s) for s in ("issued", "cancelled")])
    counted = serializers.BooleanField(help_text="Issued, so in the totals; a cancelled document is not.")
    buyer_name = serializers.CharField()
    buyer_gstin = serializers.CharField(help_text="Empty for an unregistered buyer.")
    place_of_supply = serializers.ChoiceField(choices=STATE_CHOICES)
    taxable_value = _rupees(source="s_taxable_value", help_text="Negative on a credit note, as every amount.")
    cgst = _rupees(source="s_cgst")
    sgst = _rupees(source="s_sgst")
    igst = _rupees(source="s_igst")
    round_off = _rupees(source="s_round_off")
    grand_total = _rupees(source="s_grand_total")


class SalesTotalsOutput(serializers.Serializer):
    documents = serializers.IntegerField(help_text="Rows listed, cancelled ones included.")
    cancelled = serializers.IntegerField()
    taxable_value = _rupees(help_text="Of the issued documents, credit notes taken off.")
    cgst = _rupees()
    sgst = _rupees()
    igst = _rupees()
    tax = _rupees(help_text="CGST + SGST + IGST.")
    round_off = _rupees()
    grand_total = _rupees()


# --- HSN summary --------------------------------------------------------------------------------------


class HsnAmountsOutput(serializers.Serializer):
    lines = serializers.IntegerField()
    quantity = _grams(help_text="Grams of net weight of goods (UQC GMS); services count none.")
    taxable_value = _rupees()
    igst = _rupees()
    cgst = _rupees()
    sgst = _rupees()


class HsnRowOutput(HsnAmountsOutput):
    section = serializers.ChoiceField(choices=["b2b", "b2c"], source="section_code")
    hsn_code = serializers.CharField()
    uqc = serializers.ChoiceField(choices=["GMS", "OTH"])
    gst_rate = serializers.DecimalField(max_digits=5, decimal_places=2)


class HsnTotalsOutput(serializers.Serializer):
    b2b = HsnAmountsOutput()
    b2c = HsnAmountsOutput()
    all = HsnAmountsOutput(help_text="Equal to the sales register's totals for the same range.")


# --- payments by mode ---------------------------------------------------------------------------------

PAYMENTS_MODES = [*Payment.Mode.values, ADVANCE_RECEIVED]


class CountAmountOutput(serializers.Serializer):
    count = serializers.IntegerField()
    amount = _rupees()


class ModeTotalOutput(CountAmountOutput):
    mode = serializers.ChoiceField(choices=PAYMENTS_MODES)
    label = serializers.CharField()


class PaymentRowOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["payment", ADVANCE_RECEIVED], source="row_kind")
    id = serializers.IntegerField(source="row_id", help_text="The payment's, or the receipt voucher's, id.")
    date = serializers.DateField(source="day")
    mode = serializers.ChoiceField(
        choices=Payment.Mode.choices, help_text="An advance received: the mode it was paid by."
    )
    document = serializers.CharField(help_text="The invoice or note paid, or the receipt voucher's number.")
    customer_name = serializers.CharField()
    voucher = serializers.CharField(help_text="The old-gold or receipt voucher a payment spends; else empty.")
    reference = serializers.CharField()
    amount = _rupees()


class PaymentsTotalsOutput(serializers.Serializer):
    modes = ModeTotalOutput(many=True, help_text="Each payment mode, then the advances received.")
    payments = CountAmountOutput(help_text="Everything paid against invoices and notes.")
    advances = CountAmountOutput(help_text="Advances received on receipt vouchers.")
    money_in = _rupees(help_text="Cash, UPI, card and bank payments plus advances received.")
    cash_in = _rupees(help_text="Cash payments plus cash advances received.")
    listed = CountAmountOutput(help_text="What `results` lists in all (every page), for the mode asked.")


# --- old gold ---------------------------------------------------------------------------------------------


class OldGoldRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    received_on = serializers.DateField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    description = serializers.CharField()
    gross_weight = _grams()
    deduction_weight = _grams()
    net_weight = _grams()
    purity_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    fine_weight = _grams()
    rate_per_gram = _rupees(help_text="Per gram of fine gold.")
    value = _rupees()


class OldGoldTotalsOutput(serializers.Serializer):
    vouchers = serializers.IntegerField()
    gross_weight = _grams()
    deduction_weight = _grams()
    net_weight = _grams()
    fine_weight = _grams()
    value = _rupees()


# --- stock movement -------------------------------------------------------------------------------------

PHASES = ("opening", "added", "sold", "returned", "closing")


class StockMeasureOutput(serializers.Serializer):
    count = serializers.IntegerField()
    net = _grams()
    gross = _grams()


class InHandOutput(serializers.Serializer):
    count = serializers.IntegerField()
    net = _grams()


class StockPhasesOutput(serializers.Serializer):
    opening = StockMeasureOutput(help_text="In hand when the range starts.")
    added = StockMeasureOutput(help_text="Entered in stock in the range.")
    sold = StockMeasureOutput(help_text="On invoices issued in the range (cancelled ones move nothing).")
    returned = StockMeasureOutput(help_text="Taken back on credit notes issued in the range.")
    closing = StockMeasureOutput(help_text="Opening + added - sold + returned.")
    in_hand_now = InHandOutput(
        allow_null=True, help_text="For a range reaching today: what the stock list shows in hand (statuses set by "
        "hand included); null otherwise.",
    )  # fmt: skip


class StockRowOutput(StockPhasesOutput):
    purity_id = serializers.IntegerField()
    purity = serializers.CharField(help_text="22K916, Silver 925.")
    metal = serializers.ChoiceField(choices=Metal.choices)
    fineness = serializers.IntegerField()


class StockMetalOutput(StockPhasesOutput):
    metal = serializers.ChoiceField(choices=Metal.choices)


class StockTotalsOutput(serializers.Serializer):
    metals = StockMetalOutput(
        many=True, help_text="Per metal: grams of gold and of silver are not added together."
    )
    differs_from_stock_list = serializers.BooleanField(
        help_text="For a range reaching today: whether its closing differs from what the stock list shows in hand."
    )


def _phases(row: dict) -> dict:
    out = {p: {m: row[f"{p}_{m}"] for m in ("count", "net", "gross")} for p in PHASES}
    now = "in_hand_now_count" in row
    out["in_hand_now"] = {"count": row["in_hand_now_count"], "net": row["in_hand_now_net"]} if now else None
    return out


def _stock_row(row: dict) -> dict:
    return {**row, **_phases(row)}


def _stock_totals(totals: dict) -> dict:
    return {**totals, "metals": [{"metal": m["metal"], **_phases(m)} for m in totals["metals"]]}


# --- the views ------------------------------------------------------------------------------------------


def _page_envelope(name: str, row: type[serializers.Serializer], totals: type[serializers.Serializer]):
    fields = {
        "range": RangeOutput(),
        "count": serializers.IntegerField(help_text="Rows in all pages."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": row(many=True),
        "totals": totals(help_text="Of the whole range and filters, every page."),
    }
    return type(name, (serializers.Serializer,), fields)


def _list_envelope(name: str, row: type[serializers.Serializer], totals: type[serializers.Serializer]):
    fields = {"range": RangeOutput(), "results": row(many=True), "totals": totals()}
    return type(name, (serializers.Serializer,), fields)


def _parameters(register: RegisterKind) -> list[OpenApiParameter]:
    """The query the register's filter form reads, described from its fields."""
    params = [
        OpenApiParameter(
            "from", OpenApiTypes.DATE, description="First day (2026-10-01, or 01-10-2026). Without `from` and `to`: "
            f"the current month. At most {MAX_DAYS} days in all.",
        ),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included; on or after `from`."),
    ]  # fmt: skip
    for name in register.form.FILTERS:
        field = register.form.base_fields[name]
        if isinstance(field, forms.ChoiceField):
            values = [value for value, _ in field.choices if value]
            params.append(
                OpenApiParameter(name, str, enum=values, description=f"{field.label}: one of these.")
            )
        else:
            params.append(OpenApiParameter(name, str, description="Part of a number or a name."))
    if register.paginated:
        params += [
            OpenApiParameter("page", int, description="A page number."),
            OpenApiParameter("page_size", int, description="Rows per page, at most 200 (50 without it)."),
        ]
    return params


class RegisterView(APIView):
    """One register: the range and filters read by its form, its selector's rows and totals."""

    read_role = rights.REGISTERS_READ
    code: ClassVar[str]
    row_output: ClassVar[type[serializers.Serializer]]
    totals_output: ClassVar[type[serializers.Serializer]]
    output: ClassVar[type[serializers.Serializer]]  # the answer's envelope, made by `_documented`

    def row(self, row):
        return row

    def totals(self, totals: dict) -> dict:
        return totals

    def get(self, request):
        register = REGISTERS[self.code]
        form = register.form(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        result = register.selector(tenant=request.tenant, **form.filters())
        dates = form.dates
        body = {"range": {"start": dates.start, "end": dates.end}, "totals": self.totals(result.totals)}
        rows = result.rows
        if register.paginated:
            paginator = Pagination()
            rows = paginator.paginate_queryset(rows, request, view=self)
            body.update(
                count=paginator.page.paginator.count,
                next=paginator.get_next_link(),
                previous=paginator.get_previous_link(),
            )
        body["results"] = [self.row(row) for row in rows]
        return Response(self.output(body).data)


def _documented(cls: type[RegisterView]) -> type[RegisterView]:
    """The view's answer envelope and its OpenAPI description, from its register."""
    register = REGISTERS[cls.code]
    envelope = _page_envelope if register.paginated else _list_envelope
    name = "Register" + register.code.title().replace("_", "")  # RegisterSales, RegisterOldGold
    cls.output = envelope(name, cls.row_output, cls.totals_output)
    schema = extend_schema(
        summary=register.title,
        description=register.blurb + " " + (cls.__doc__ or ""),
        parameters=_parameters(register),
        responses=cls.output,
        operation_id=f"registers_{register.code}",
        tags=["registers"],
    )

    def get(self, request):  # each view its own method, so each keeps its own description
        return RegisterView.get(self, request)

    cls.get = schema(get)
    return cls


@_documented
class SalesRegisterView(RegisterView):
    """Oldest first; credit notes negative; cancelled documents listed but not totalled. `buyer` reads the
    GSTIN the document was issued with."""

    code = "sales"
    row_output = SalesRowOutput
    totals_output = SalesTotalsOutput

    def row(self, row):
        row.counted = row.status == Invoice.Status.ISSUED
        return row


@_documented
class HsnSummaryView(RegisterView):
    """By section (B2B, B2C), HSN and rate; credit notes netted in."""

    code = "hsn"
    row_output = HsnRowOutput
    totals_output = HsnTotalsOutput


@_documented
class PaymentsRegisterView(RegisterView):
    """`mode` narrows `results` (not `totals.modes`) to one mode, or to the advances received."""

    code = "payments"
    row_output = PaymentRowOutput
    totals_output = PaymentsTotalsOutput

    def row(self, row):
        return payment_row(row)


@_documented
class OldGoldRegisterView(RegisterView):
    """By day; `q` matches the voucher number or the customer's name."""

    code = "old_gold"
    row_output = OldGoldRowOutput
    totals_output = OldGoldTotalsOutput


@_documented
class StockMovementView(RegisterView):
    """By purity, from dated records (entered, invoiced, credited): statuses set by hand are not movements."""

    code = "stock"
    row_output = StockRowOutput
    totals_output = StockTotalsOutput

    def row(self, row):
        return _stock_row(row)

    def totals(self, totals: dict) -> dict:
        return _stock_totals(totals)


VIEWS = [SalesRegisterView, HsnSummaryView, PaymentsRegisterView, OldGoldRegisterView, StockMovementView]

urlpatterns = [
    path(
        f"registers/{REGISTERS[view.code].api_path}",
        view.as_view(),
        name=f"register-{REGISTERS[view.code].api_path}",
    )
    for view in VIEWS
]
