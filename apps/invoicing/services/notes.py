"""Credit and debit notes (CGST s.34): an issued invoice is never edited, it is corrected by a note.

A note is an invoice of its own kind that names its original. Each of its lines names a line of the
original and takes that line's HSN and GST rate: a credit note returns an article (the line copied
whole; the article comes back to stock when the note is issued) or takes value off a line (a
discount after sale, a deficient supply); a debit note adds value to a line. Drafts are discarded,
lines removed, and notes issued and cancelled through the invoice's own services, which read the
note's kind; the rules that protect the original are here, checked as lines are added and again at
issue under the original's row lock, so two notes issued at once cannot credit a line twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from apps.core.money import RUPEE, inr, parse_decimal
from apps.gst.periods import credit_note_last_day
from apps.invoicing import rules
from apps.invoicing.exceptions import NoteNotAllowed
from apps.invoicing.models import CREDIT_NOTE_REASONS, DEBIT_NOTE_REASONS, Invoice, InvoiceLine, NoteReason
from apps.invoicing.services.drafts import _draft_locked, _next_position, line_price
from apps.tenants.rights import SALE_NOTES, right_require

if TYPE_CHECKING:
    from datetime import date

    from apps.accounts.models import User
    from apps.tenants.models import Tenant

KIND = Invoice.Kind
REASONS = {KIND.CREDIT_NOTE: CREDIT_NOTE_REASONS, KIND.DEBIT_NOTE: DEBIT_NOTE_REASONS}
# What a returned article's line copies from the line that sold it: the same value, the same tax.
RETURN_COPIES = ["kind", "stock_item_id", "description", "hsn_code", "sku", "huid", "purity_label",
                 "gross_weight", "stone_weight", "net_weight", "rate_per_gram", "making_charge_type",
                 "making_charge_rate", "metal_value", "making_charge", "stone_value", "hallmarking_charge",
                 "amount", "gst_rate", "taxable_value"]  # fmt: skip
ZERO = Decimal("0.00")
AMOUNT_LINE_TEXT = {
    NoteReason.PRICE_REDUCTION: "Discount after sale",
    NoteReason.DEFICIENCY: "Allowance for deficiency",
    NoteReason.PRICE_INCREASE: "Price increase",
}


def _original_check(original: Invoice, *, today: date, credit: bool) -> None:
    if original.doc_type != KIND.INVOICE:
        raise NoteNotAllowed(f"{original.number} is itself a note: a note corrects a tax invoice.")
    if original.status != Invoice.Status.ISSUED:
        what = "a draft" if original.status == Invoice.Status.DRAFT else "cancelled"
        raise NoteNotAllowed(
            f"Invoice {original.number or original.pk} is {what}: notes are issued only against an issued "
            "invoice."
        )
    if credit and today > credit_note_last_day(original.issued_on):
        raise NoteNotAllowed(
            f"Invoice {original.number} of {original.issued_on:%d %b %Y} can be credited only until "
            f"{credit_note_last_day(original.issued_on):%d %b %Y} (CGST s.34(2)): the deadline has passed. "
            "Settle the difference with the buyer outside GST."
        )


@transaction.atomic
def _note_draft_create(
    *, tenant: Tenant, actor: User | None, original: Invoice, reason: str, kind: str
) -> Invoice:
    assert original.tenant_id == tenant.id
    right_require(tenant=tenant, actor=actor, right=SALE_NOTES)
    original = Invoice.objects.get(pk=original.pk)  # as it stands now, not as the caller read it
    _original_check(original, today=timezone.localdate(), credit=kind == KIND.CREDIT_NOTE)
    if reason not in REASONS[kind]:
        choices = ", ".join(f"{r.value} ({r.label.lower()})" for r in REASONS[kind])
        raise ValidationError(
            {"reason": [f"Choose why the {KIND(kind).label.lower()} is issued: {choices}."]}
        )
    note = Invoice(
        tenant=tenant, created_by=actor, doc_type=kind, original=original, note_reason=reason,
        customer_id=original.customer_id, place_of_supply=original.place_of_supply,
        series_code=rules.DEFAULT_SERIES_CODES[kind],
    )  # fmt: skip
    note.full_clean(exclude=["tenant", "original", "customer", "created_by"])
    note.save(force_insert=True)
    return note


def credit_note_draft_create(
    *, tenant: Tenant, actor: User | None, original: Invoice, reason: str
) -> Invoice:
    """A draft credit note against an issued invoice, for its buyer and place of supply."""
    return _note_draft_create(
        tenant=tenant, actor=actor, original=original, reason=reason, kind=KIND.CREDIT_NOTE
    )


def debit_note_draft_create(*, tenant: Tenant, actor: User | None, original: Invoice, reason: str) -> Invoice:
    """A draft debit note against an issued invoice, for its buyer and place of supply."""
    return _note_draft_create(
        tenant=tenant, actor=actor, original=original, reason=reason, kind=KIND.DEBIT_NOTE
    )


def _noted(original_line_ids, kind: str, **filters) -> dict[int, Decimal]:
    """The value the issued notes of `kind` put on each of the lines (credited or debited)."""
    rows = (
        InvoiceLine.objects.filter(
            original_line_id__in=original_line_ids, invoice__doc_type=kind, invoice__status=Invoice.Status.ISSUED,
            **filters,
        ).order_by().values_list("original_line_id").annotate(total=Sum("taxable_value"))
    )  # fmt: skip
    return dict(rows)


def _credit_room(line_ids: list[int]) -> dict[int, Decimal]:
    """How much more may be credited on each line: its value, with what debit notes added, less what
    issued credit notes took off already."""
    values = dict(InvoiceLine.objects.filter(pk__in=line_ids).values_list("pk", "taxable_value"))
    debited = _noted(line_ids, KIND.DEBIT_NOTE)
    credited = _noted(line_ids, KIND.CREDIT_NOTE)
    return {pk: values[pk] + debited.get(pk, ZERO) - credited.get(pk, ZERO) for pk in line_ids}


def _returned_by(original_line: InvoiceLine, *, statuses, exclude: Invoice | None = None) -> Invoice | None:
    others = Invoice.objects.filter(
        doc_type=KIND.CREDIT_NOTE, status__in=statuses, lines__original_line=original_line,
        lines__kind=InvoiceLine.Kind.ARTICLE,
    )  # fmt: skip
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.order_by("pk").first()


def _note_for_lines(note: Invoice, original_line: InvoiceLine, kind: str | None = None) -> Invoice:
    """The draft note, locked, then its original (the order issue locks them in, so no deadlock): two
    drafts returning one article take turns."""
    assert note.tenant_id == original_line.tenant_id
    if not note.is_note:
        raise ValidationError("Only a credit or debit note takes lines of the invoice it corrects.")
    if kind and note.doc_type != kind:
        raise ValidationError("Only a credit note returns articles; a debit note adds value to a line.")
    note = _draft_locked(note, notes=True)
    Invoice.objects.select_for_update(of=("self",)).filter(pk=note.original_id).get()
    if original_line.invoice_id != note.original_id:
        raise ValidationError({"original_line": ["Choose a line of the invoice this note corrects."]})
    return note


@transaction.atomic
def credit_note_line_return(
    *, tenant: Tenant, actor: User | None, note: Invoice, original_line: InvoiceLine
) -> InvoiceLine:
    """Return an article of the original: its line is copied whole, at the value and tax it was sold at."""
    assert note.tenant_id == tenant.id
    note = _note_for_lines(note, original_line, KIND.CREDIT_NOTE)
    if original_line.kind != InvoiceLine.Kind.ARTICLE:
        raise ValidationError(
            {
                "original_line": [
                    f"{original_line.description} is not an article from stock: credit an amount instead."
                ]
            }
        )
    other = _returned_by(original_line, statuses=[Invoice.Status.DRAFT, Invoice.Status.ISSUED])
    if other is not None and other.pk == note.pk:
        raise NoteNotAllowed(
            f"{original_line.description} ({original_line.sku}) is already on this credit note."
        )
    if other is not None:
        where = f"credit note {other.number}" if other.number else f"draft credit note {other.pk}"
        raise NoteNotAllowed(
            f"{original_line.description} ({original_line.sku}) is already returned on {where}"
            + ("." if other.number else ": issue or discard that draft first.")
        )
    line = InvoiceLine(
        tenant=tenant, invoice=note, position=_next_position(note), original_line=original_line
    )
    for name in RETURN_COPIES:
        setattr(line, name, getattr(original_line, name))
    _room_check(note, {original_line.pk: line.taxable_value})
    line.full_clean(exclude=["tenant", "invoice", "stock_item", "original_line"])
    line.save(force_insert=True)
    return line


@transaction.atomic
def note_line_add_amount(
    *, tenant: Tenant, actor: User | None, note: Invoice, original_line: InvoiceLine, amount
) -> InvoiceLine:
    """Take value off a line (a credit note) or add value to it (a debit note), at its HSN and GST rate."""
    assert note.tenant_id == tenant.id
    note = _note_for_lines(note, original_line)
    errors: dict[str, list[str]] = {}
    value = parse_decimal(amount, RUPEE, "amount", "amount in rupees", errors)
    if not errors and value <= 0:
        errors["amount"] = ["Enter an amount above zero: the value before GST."]
    if errors:
        raise ValidationError(errors)
    credit = note.doc_type == KIND.CREDIT_NOTE
    what = AMOUNT_LINE_TEXT.get(note.note_reason) or ("Value credited" if credit else "Value added")
    line = InvoiceLine(
        tenant=tenant, invoice=note, position=_next_position(note), original_line=original_line,
        kind=InvoiceLine.Kind.FREE, description=f"{what} on {original_line.description}"[:200],
        hsn_code=original_line.hsn_code, sku=original_line.sku, huid=original_line.huid,
        purity_label=original_line.purity_label, amount=value, gst_rate=original_line.gst_rate,
    )  # fmt: skip
    line_price(line)
    if credit:
        _room_check(note, {original_line.pk: line.taxable_value})
    line.full_clean(exclude=["tenant", "invoice", "original_line"])
    line.save(force_insert=True)
    return line


def _room_check(note: Invoice, adding: dict[int, Decimal]) -> None:
    """A credit note with `adding` credits no line beyond its room (its own lines counted)."""
    own = dict(
        InvoiceLine.objects.filter(invoice=note).exclude(original_line=None).order_by()
        .values_list("original_line_id").annotate(total=Sum("taxable_value"))
    )  # fmt: skip
    wanted = {pk: own.get(pk, ZERO) + adding.get(pk, ZERO) for pk in own.keys() | adding.keys()}
    room = _credit_room(list(wanted))
    over = [pk for pk, value in wanted.items() if value > room[pk]]
    if not over:
        return
    names = dict(InvoiceLine.objects.filter(pk__in=over).values_list("pk", "description"))
    if adding:  # a line being added: say how much more this note may take
        raise NoteNotAllowed(
            " ".join(
                f"{names[pk]}: only {inr(max(room[pk] - own.get(pk, ZERO), ZERO))} more can be credited on this "
                "line (its value, less what credit notes took off already)."
                for pk in sorted(over)
            )
        )
    raise NoteNotAllowed(  # at issue: another note was issued since the lines were added
        " ".join(
            f"{names[pk]}: only {inr(max(room[pk], ZERO))} can still be credited on this line, and this note "
            f"credits {inr(wanted[pk])}: another credit note was issued meanwhile. Change this note's lines."
            for pk in sorted(over)
        )
    )


def note_issue_check(
    *, tenant: Tenant, actor: User | None, note: Invoice, lines: list[InvoiceLine]
) -> Invoice:
    """At issue, under the original's row lock: the original is still issued, a credit note is still in
    time, credits no line beyond its room and returns no article another issued credit note returned.
    Returns the original, locked to the end of the issuing transaction."""
    assert transaction.get_connection().in_atomic_block
    right_require(tenant=tenant, actor=actor, right=SALE_NOTES)
    original = Invoice.objects.select_for_update(of=("self",)).get(pk=note.original_id, tenant=tenant)
    credit = note.doc_type == KIND.CREDIT_NOTE
    _original_check(original, today=timezone.localdate(), credit=credit)
    if any(line.original_line_id is None for line in lines):
        raise ValidationError("Every line of a note names the line of the invoice it corrects.")
    if credit:
        _room_check(note, {})
        for line in lines:
            if line.kind == InvoiceLine.Kind.ARTICLE:
                other = _returned_by(line.original_line, statuses=[Invoice.Status.ISSUED], exclude=note)
                if other is not None:
                    raise NoteNotAllowed(
                        f"{line.description} ({line.sku}) was returned on credit note {other.number}."
                    )
    return original


def note_lines_offer(*, tenant: Tenant, note: Invoice) -> list[dict]:
    """The original's lines as a draft note offers them: what this note already does with each, whether
    its article can still be returned (a credit note), and how much more can be credited on it."""
    assert note.tenant_id == tenant.id and note.is_note
    lines = list(
        InvoiceLine.objects.for_tenant(tenant).filter(invoice_id=note.original_id).order_by("position")
    )
    ids = [line.pk for line in lines]
    room = _credit_room(ids)
    on_note = dict(
        InvoiceLine.objects.for_tenant(tenant).filter(invoice=note).exclude(original_line=None).order_by()
        .values_list("original_line_id").annotate(total=Sum("taxable_value"))
    )  # fmt: skip
    returned = set(
        InvoiceLine.objects.for_tenant(tenant)
        .filter(
            Q(invoice__status=Invoice.Status.ISSUED) | Q(invoice__status=Invoice.Status.DRAFT),
            original_line_id__in=ids, kind=InvoiceLine.Kind.ARTICLE, invoice__doc_type=KIND.CREDIT_NOTE,
        )
        .values_list("original_line_id", flat=True)
    )  # fmt: skip
    credit = note.doc_type == KIND.CREDIT_NOTE
    offer = []
    for line in lines:
        left = max(room[line.pk] - on_note.get(line.pk, ZERO), ZERO) if credit else None
        offer.append({
            "line": line,
            "on_note": on_note.get(line.pk, ZERO),
            "room": left,
            "returnable": credit and line.kind == InvoiceLine.Kind.ARTICLE and line.pk not in returned
            and left >= line.taxable_value,
        })  # fmt: skip
    return offer
