"""Draft invoices: made at the counter, edited freely, discarded if the sale falls through.

A draft has no number and writes no audit event until it is issued or discarded; its lines are
priced as they are added or edited (today's rate for the article's purity, its making charge), and
its tax is only a preview until issue settles it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.money import GRAM, RUPEE, grams, parse_decimal, rupees
from apps.gst.selectors import gst_rate_refusals, gst_rate_value
from apps.inventory import selectors as inventory_selectors
from apps.inventory.models import StockItem
from apps.inventory.services.sales import stock_item_sale_refusal
from apps.invoicing import rules
from apps.invoicing.exceptions import ArticleNotForSale, InvoiceNotDraft
from apps.invoicing.models import Customer, Invoice, InvoiceLine
from apps.invoicing.services.customers import customer_create
from apps.invoicing.services.series import series_code_check

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

ARTICLE_EDITABLE = ["gross_weight", "stone_weight", "rate_per_gram", "making_charge_rate", "stone_value",
                    "hallmarking_charge"]  # fmt: skip
FREE_EDITABLE = ["description", "hsn_code", "amount", "gst_rate"]
MAKING = StockItem.MakingChargeType


def _draft_locked(invoice: Invoice, *, notes: bool = False) -> Invoice:
    """The draft, locked; a credit or debit note only where `notes` (its buyer and lines come from its
    invoice, through services/notes.py)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise InvoiceNotDraft(
            f"{invoice.number} is {invoice.get_status_display().lower()}: it can't be changed."
        )
    if invoice.is_note and not notes:
        raise ValidationError(
            f"A {invoice.kind_name} keeps the buyer of its invoice and takes only that "
            "invoice's lines: return an article, or credit or add an amount on one of its lines."
        )
    return invoice


def line_price(line: InvoiceLine) -> None:
    """Fill the line's values from its weights, rate and charges (or a free line's amount)."""
    if line.kind == InvoiceLine.Kind.FREE:
        line.taxable_value = rupees(line.amount)
        return
    line.net_weight = grams(line.gross_weight - line.stone_weight)
    line.metal_value = rupees(line.net_weight * line.rate_per_gram)
    rate = line.making_charge_rate or Decimal("0")
    if line.making_charge_type == MAKING.PER_GRAM:
        line.making_charge = rupees(rate * line.net_weight)
    elif line.making_charge_type == MAKING.PERCENT:
        line.making_charge = rupees(line.metal_value * rate / 100)
    else:
        line.making_charge = rupees(rate)
    # GST on jewellery is on the whole value: metal, making, stones and hallmarking together.
    line.taxable_value = line.metal_value + line.making_charge + line.stone_value + line.hallmarking_charge


@transaction.atomic
def invoice_draft_create(
    *, tenant: Tenant, actor: User | None, customer: Customer | None = None, place_of_supply: str = "",
    series_code: str = "", lines: list[dict] | None = None,
) -> Invoice:  # fmt: skip
    if customer is not None:
        assert customer.tenant_id == tenant.id
    invoice = Invoice(
        tenant=tenant,
        created_by=actor,
        customer=customer,
        place_of_supply=place_of_supply or tenant.state_code,
        series_code=series_code or rules.DEFAULT_SERIES_CODES["invoice"],
    )
    if not invoice.place_of_supply:
        raise ValidationError({"place_of_supply": ["Choose the state the goods are delivered in."]})
    series_code_check(invoice.series_code)
    invoice.full_clean(exclude=["tenant"])
    invoice.save(force_insert=True)
    for values in lines or []:  # all or nothing: a refused line leaves no draft behind
        invoice_line_add(tenant=tenant, actor=actor, invoice=invoice, **values)
    return invoice


def invoice_line_add(*, tenant: Tenant, actor: User | None, invoice: Invoice, item: StockItem | None = None,
                     **free) -> InvoiceLine:  # fmt: skip
    """An article line for `item`, else a free line from `description`, `hsn_code`, `amount`, `gst_rate`."""
    if item is not None:
        return invoice_line_add_article(tenant=tenant, actor=actor, invoice=invoice, item=item)
    return invoice_line_add_free(tenant=tenant, actor=actor, invoice=invoice, **free)


@transaction.atomic
def invoice_draft_update(
    *, tenant: Tenant, actor: User | None, invoice: Invoice, customer: Customer | type | None = ...,
    place_of_supply: str | None = None,
) -> Invoice:  # fmt: skip
    assert invoice.tenant_id == tenant.id
    invoice = _draft_locked(invoice)
    fields = []
    if customer is not ...:
        if customer is not None:
            assert customer.tenant_id == tenant.id
        invoice.customer = customer
        fields.append("customer")
    if place_of_supply is not None:
        invoice.place_of_supply = place_of_supply
        fields.append("place_of_supply")
    invoice.full_clean(exclude=["tenant"])
    if fields:
        invoice.save(update_fields=[*fields, "updated_at"])
    return invoice


@transaction.atomic
def invoice_buyer_create(
    *, tenant: Tenant, actor: User | None, invoice: Invoice, **customer_values
) -> Customer:
    """A buyer new to the shop, added at the counter and made the draft's buyer: both or neither."""
    assert invoice.tenant_id == tenant.id
    invoice = _draft_locked(invoice)
    customer = customer_create(tenant=tenant, actor=actor, **customer_values)
    invoice_draft_update(tenant=tenant, actor=actor, invoice=invoice, customer=customer)
    return customer


@transaction.atomic
def invoice_draft_discard(*, tenant: Tenant, actor: User | None, invoice: Invoice) -> None:
    assert invoice.tenant_id == tenant.id
    invoice = _draft_locked(invoice, notes=True)
    lines = InvoiceLine.objects.for_tenant(tenant).filter(invoice=invoice)
    count = lines.count()
    lines.delete()
    audit_record(
        tenant=tenant, actor=actor, action="invoice.discard",
        summary=f"Discarded a draft {invoice.kind_name} of {count} line{'s' if count != 1 else ''}",
        target=invoice,
    )  # fmt: skip
    invoice.delete()


def _next_position(invoice: Invoice) -> int:
    last = InvoiceLine.objects.filter(invoice=invoice).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def invoice_line_add_article(
    *, tenant: Tenant, actor: User | None, invoice: Invoice, item: StockItem
) -> InvoiceLine:
    """Add an article at today's rate for its purity and the making charge it carries."""
    assert invoice.tenant_id == tenant.id and item.tenant_id == tenant.id
    invoice = _draft_locked(invoice)
    refusal = stock_item_sale_refusal(item)
    if refusal:
        raise ArticleNotForSale(refusal)
    if InvoiceLine.objects.filter(invoice=invoice, stock_item=item).exists():
        raise ArticleNotForSale(f"{item.sku} is already on this invoice.")
    today = timezone.localdate()
    rate = inventory_selectors.metal_rate_latest(tenant=tenant, on=today).get(item.purity_id)
    if rate is None or rate.effective_on != today:
        raise ArticleNotForSale(f"There is no rate for {item.purity.label} today: enter today's rates first.")
    line = InvoiceLine(
        tenant=tenant, invoice=invoice, position=_next_position(invoice), kind=InvoiceLine.Kind.ARTICLE,
        stock_item=item, description=item.name, hsn_code=item.hsn_code, sku=item.sku, huid=item.huid,
        purity_label=item.purity.label, gross_weight=item.gross_weight, stone_weight=item.stone_weight,
        rate_per_gram=rate.rate_per_gram, making_charge_type=item.making_charge_type,
        making_charge_rate=item.making_charge_value, stone_value=item.stone_value,
        gst_rate=_rate(item.hsn_code, default=rules.JEWELLERY_GST_RATE),
    )  # fmt: skip
    line_price(line)
    line.full_clean(exclude=["tenant", "invoice"])
    line.save(force_insert=True)
    return line


def _rate(code: str, *, default: Decimal | None = None, buyer_registered: bool = True) -> Decimal:
    rate = gst_rate_value(code=code, on=timezone.localdate(), buyer_registered=buyer_registered)
    if rate is None:
        if default is not None:
            return default
        raise ValidationError({"gst_rate": [f"There is no GST rate on record for {code}: give the rate."]})
    return rate


@transaction.atomic
def invoice_line_add_free(
    *, tenant: Tenant, actor: User | None, invoice: Invoice, description: str, hsn_code: str, amount,
    gst_rate=None,
) -> InvoiceLine:  # fmt: skip
    """A repair, an old article sold again, a service: its HSN or SAC gives the rate unless one is given."""
    assert invoice.tenant_id == tenant.id
    invoice = _draft_locked(invoice)
    line = InvoiceLine(
        tenant=tenant, invoice=invoice, position=_next_position(invoice), kind=InvoiceLine.Kind.FREE,
        description=" ".join((description or "").split()), hsn_code=(hsn_code or "").strip(),
    )  # fmt: skip
    _free_values(line, {"amount": amount, "gst_rate": gst_rate}, buyer_registered=_buyer_registered(invoice))
    invoice_lines_rate_check(invoice=invoice, lines=[line], on=timezone.localdate())
    line_price(line)
    line.full_clean(exclude=["tenant", "invoice"])
    line.save(force_insert=True)
    return line


def _buyer_registered(invoice: Invoice) -> bool:
    return bool(invoice.customer_id and invoice.customer.gstin)


def invoice_lines_rate_check(*, invoice: Invoice, lines: list[InvoiceLine], on: date) -> None:
    """Refuse a line whose rate is a concession the buyer can't have (job work at 5% for a buyer without
    a GSTIN). Checked when a line is priced and again at issue, since the buyer may have changed since."""
    refused = gst_rate_refusals(
        charges=[(line.hsn_code, line.gst_rate) for line in lines], on=on,
        buyer_registered=_buyer_registered(invoice),
    )  # fmt: skip
    if refused:
        raise ValidationError({"gst_rate": [
            f"{line.description}: {refused[(line.hsn_code, line.gst_rate)]}" for line in lines
            if (line.hsn_code, line.gst_rate) in refused
        ]})  # fmt: skip


def _free_values(line: InvoiceLine, values: dict, *, buyer_registered: bool) -> None:
    """Read a free line's amount and rate; with no rate given, the one on record for this buyer."""
    errors: dict[str, list[str]] = {}
    if "amount" in values:
        line.amount = parse_decimal(values["amount"], RUPEE, "amount", "amount in rupees", errors)
    if values.get("gst_rate") not in (None, ""):
        line.gst_rate = parse_decimal(values["gst_rate"], Decimal("0.01"), "gst_rate", "GST rate", errors)
    elif ("gst_rate" in values or not line.gst_rate) and line.hsn_code:
        try:
            line.gst_rate = _rate(line.hsn_code, buyer_registered=buyer_registered)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def invoice_line_update(*, tenant: Tenant, actor: User | None, line: InvoiceLine, **values) -> InvoiceLine:
    """Change a draft line's weights or charges (article) or its text, code, amount or rate (free)."""
    assert line.tenant_id == tenant.id
    invoice = _draft_locked(line.invoice)
    line = InvoiceLine.objects.select_for_update().get(pk=line.pk)
    allowed = ARTICLE_EDITABLE if line.kind == InvoiceLine.Kind.ARTICLE else FREE_EDITABLE
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError({name: ["This can't be changed on this line."] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if line.kind == InvoiceLine.Kind.ARTICLE:
        for name, value in values.items():
            places, label = (
                (GRAM, "weight in grams") if name.endswith("weight") else (RUPEE, "amount in rupees")
            )
            parsed = parse_decimal(value, places, name, label, errors)
            if parsed is not None:
                setattr(line, name, parsed)
        if not errors and line.stone_weight > line.gross_weight:
            errors["stone_weight"] = ["The stones can't weigh more than the whole article."]
        if errors:
            raise ValidationError(errors)
    else:
        for name in ("description", "hsn_code"):
            if name in values:
                setattr(line, name, " ".join(str(values[name] or "").split()))
        _free_values(
            line,
            {k: v for k, v in values.items() if k in ("amount", "gst_rate")},
            buyer_registered=_buyer_registered(invoice),
        )
        invoice_lines_rate_check(invoice=invoice, lines=[line], on=timezone.localdate())
    line_price(line)
    line.full_clean(exclude=["tenant", "invoice"])
    line.save()
    return line


@transaction.atomic
def invoice_line_remove(*, tenant: Tenant, actor: User | None, line: InvoiceLine) -> None:
    assert line.tenant_id == tenant.id
    _draft_locked(line.invoice, notes=True)
    InvoiceLine.objects.filter(pk=line.pk).delete()
