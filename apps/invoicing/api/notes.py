"""REST endpoints for credit and debit notes: a draft against an issued invoice, lines picked from that
invoice, then issued (numbered, taxed, frozen) or cancelled like an invoice, by the invoice's own code."""

from __future__ import annotations

from functools import partial

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.filters import MAX_ID, IdFilter
from apps.core.api.idempotency import idempotent
from apps.invoicing import selectors, services
from apps.invoicing.api.invoices import (
    CancelInput,
    InvoiceDetailOutput,
    InvoiceLineOutput,
    InvoiceOutput,
    InvoiceViewSet,
)
from apps.invoicing.models import CREDIT_NOTE_REASONS, DEBIT_NOTE_REASONS, Invoice, NoteReason
from apps.tenants import rights

KIND = Invoice.Kind


class NoteLineOutput(InvoiceLineOutput):
    original_line = serializers.IntegerField(
        source="original_line_id", allow_null=True, help_text="The line of the original invoice it corrects."
    )


class NoteOutput(InvoiceOutput):
    # What is owed is kept on the original invoice (its `amount_due`); payments list by `invoice`.
    amount_paid = payment_status = amount_credited = amount_debited = amount_due = None
    original = serializers.IntegerField(source="original_id", help_text="The invoice this note corrects.")
    original_number = serializers.CharField(source="original.number")
    original_issued_on = serializers.DateField(source="original.issued_on")
    reason = serializers.ChoiceField(source="note_reason", choices=NoteReason.choices)


class NoteDetailOutput(NoteOutput, InvoiceDetailOutput):
    amount_paid = payment_status = amount_credited = amount_debited = amount_due = None
    lines = NoteLineOutput(many=True)


def _reason_field(reasons) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[(r.value, r.label) for r in reasons], help_text="Why (CGST s.34)."
    )


class _NoteInput(serializers.Serializer):
    original = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The issued invoice the note corrects."
    )


class CreditNoteInput(_NoteInput):
    reason = _reason_field(CREDIT_NOTE_REASONS)


class DebitNoteInput(_NoteInput):
    reason = _reason_field(DEBIT_NOTE_REASONS)


class NoteLineInput(serializers.Serializer):
    original_line = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A line of the invoice the note corrects."
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False,
        help_text="The value before GST to credit (a credit note) or to add (a debit note), at the line's "
        "HSN and GST rate. Leave it out on a credit note to return the line's article whole.",
    )  # fmt: skip


class NoteFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Invoice.Status.choices)
    original = IdFilter(help_text="The id of the invoice the notes correct.")
    customer = IdFilter(help_text="A customer id.")
    issued_from = filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", help_text="Issued on or after."
    )
    issued_to = filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", help_text="Issued on or before."
    )

    class Meta:
        model = Invoice
        fields = ["status", "original", "customer", "issued_from", "issued_to"]


LINE_ID = OpenApiParameter("line_id", int, OpenApiParameter.PATH, description="A line of this note.")


# A note is an invoice of another kind: listing, issuing, cancelling, discarding and the PDF are the
# invoice's; creating it and adding its lines are its own; there is nothing to PATCH on a note. (A comment,
# not a docstring: the schema would show it as every operation's description.)
class _NoteViewSet(InvoiceViewSet):
    kind: str
    input_class: type[_NoteInput]
    serializer_class = NoteOutput
    filterset_class = NoteFilter
    write_role = rights.SALE_NOTES
    action_roles = {"einvoice": rights.EINVOICE}
    http_method_names = ["get", "post", "delete", "head", "options"]

    def _detail(self, note: Invoice, http_status: int = status.HTTP_200_OK) -> Response:
        note = selectors.invoice_get(tenant=self.request.tenant, invoice_id=note.pk)
        data = NoteDetailOutput(note).data
        data["lines"] = NoteLineOutput(
            selectors.invoice_lines(tenant=self.request.tenant, invoice=note), many=True
        ).data
        return Response(data, status=http_status)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        original = selectors.original_for_input(
            tenant=request.tenant, invoice_id=data.validated_data["original"]
        )
        create = (
            services.credit_note_draft_create
            if self.kind == KIND.CREDIT_NOTE
            else services.debit_note_draft_create
        )
        note = create(
            tenant=request.tenant, actor=request.user, original=original, reason=data.validated_data["reason"]
        )
        return self._detail(note, status.HTTP_201_CREATED)

    @extend_schema(summary="Add a line: an article returned, or an amount on a line of the invoice",
                   request=NoteLineInput, responses={201: NoteDetailOutput})  # fmt: skip
    @action(detail=True, methods=["post"], url_path="lines")
    @idempotent
    def lines(self, request, pk=None):
        note = self.get_object()
        data = NoteLineInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        line = selectors.original_line_for_input(
            tenant=request.tenant, note=note, line_id=values["original_line"]
        )
        if "amount" in values:
            services.note_line_add_amount(
                tenant=request.tenant,
                actor=request.user,
                note=note,
                original_line=line,
                amount=values["amount"],
            )
        elif self.kind == KIND.CREDIT_NOTE:
            services.credit_note_line_return(
                tenant=request.tenant, actor=request.user, note=note, original_line=line
            )
        else:
            raise serializers.ValidationError({"amount": ["Give the value before GST to add to the line."]})
        return self._detail(note, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a line from a draft note", responses=NoteDetailOutput, parameters=[LINE_ID]
    )
    @action(detail=True, methods=["delete"], url_path=r"lines/(?P<line_id>\d+)", url_name="line")
    def line(self, request, pk=None, line_id=None):
        note = self.get_object()
        line = selectors.invoice_line_get(tenant=request.tenant, invoice=note, line_id=int(line_id))
        services.invoice_line_remove(tenant=request.tenant, actor=request.user, line=line)
        return self._detail(note)


def _note_schema(label: str, input_class) -> dict:
    return {
        "list": extend_schema(summary=f"{label}s, newest first"),
        "retrieve": extend_schema(summary=f"One {label.lower()} with its lines", responses=NoteDetailOutput),
        "create": extend_schema(
            summary=f"Start a draft {label.lower()} against an issued invoice", request=input_class,
            description="It takes the invoice's customer and place of supply; its lines are added next.",
            responses={201: NoteDetailOutput},
        ),
        "destroy": extend_schema(summary=f"Discard a draft {label.lower()} (an issued one answers 409)",
                                 responses={204: None}),
        "issue": extend_schema(
            summary=f"Issue the draft {label.lower()}: number it in its own series, settle its tax, freeze it",
            description="Refused with 409 if it is not a draft, its invoice is no longer issued, or it would credit "
            "a line beyond its value or return an article twice; a credit note also after 30 November following "
            "the end of the invoice's financial year (CGST s.34(2)).",
            request=None, responses=NoteDetailOutput,
        ),
        "cancel": extend_schema(summary=f"Cancel an issued {label.lower()} on its day (it keeps its number)",
                                request=CancelInput, responses=NoteDetailOutput),
    }  # fmt: skip


@extend_schema_view(**_note_schema("Credit note", CreditNoteInput))
class CreditNoteViewSet(_NoteViewSet):
    kind = KIND.CREDIT_NOTE
    input_class = CreditNoteInput
    selector = staticmethod(partial(selectors.note_list, doc_type=KIND.CREDIT_NOTE))


@extend_schema_view(**_note_schema("Debit note", DebitNoteInput))
class DebitNoteViewSet(_NoteViewSet):
    kind = KIND.DEBIT_NOTE
    input_class = DebitNoteInput
    selector = staticmethod(partial(selectors.note_list, doc_type=KIND.DEBIT_NOTE))
