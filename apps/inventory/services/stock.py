"""Every change to stock: validated as a whole (weights, HUID, the sale rule), in a transaction, audited."""

from __future__ import annotations

from collections.abc import Callable, Container
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.audit.services import AuditEntry, audit_record, audit_record_many
from apps.core.figures import tenant_figures_changed
from apps.core.money import GRAM, RUPEE, parse_decimal
from apps.gst.validators import hsn_normalise
from apps.inventory import rules
from apps.inventory.exceptions import StockItemInUse
from apps.inventory.hallmarking import centre_batch, huid_normalise, huid_required, under_2g_gold
from apps.inventory.models import Certificate, Metal, Purity, StockItem
from apps.inventory.services.sku_numbers import SkuNumbers

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

EDITABLE = [
    "sku", "name", "category", "purity", "gross_weight", "stone_weight", "making_charge_type",
    "making_charge_value", "stone_value", "hsn_code", "huid", "hallmark_status", "exemption",
    "ready_for_sale", "stock_status",
]  # fmt: skip
SALE_STATUSES = {StockItem.StockStatus.RESERVED, StockItem.StockStatus.SOLD}
FOREIGN_KEYS = [f for f in StockItem._meta.fields if f.is_relation]


def hsn_default(*, category: str, metal: str) -> str:
    if metal == Metal.SILVER and category in (StockItem.Category.COIN, StockItem.Category.BAR):
        return rules.HSN_SILVER
    if category in (StockItem.Category.COIN, StockItem.Category.BAR):
        return rules.HSN_GOLD_BULLION
    return rules.HSN_JEWELLERY


def _derive_fields(item: StockItem) -> None:
    """Set what follows from the other fields: net weight, no exemption unless exempt, hallmarked once
    it has a HUID, and exempt as under 2 g for a light gold article left pending without one (the
    reason a BIS inspector asks for is then on record)."""
    gross, stones = item.gross_weight, item.stone_weight
    if gross is not None and stones is not None and gross > 0 and stones <= gross:
        item.net_weight = gross - stones
    if item.hallmark_status != StockItem.HallmarkStatus.EXEMPT:
        item.exemption = ""
    if item.huid and item.hallmark_status in (
        StockItem.HallmarkStatus.PENDING,
        StockItem.HallmarkStatus.AT_CENTRE,
    ):
        item.hallmark_status = StockItem.HallmarkStatus.HALLMARKED
    if (
        not item.huid
        and item.hallmark_status == StockItem.HallmarkStatus.PENDING
        and item.purity_id
        and under_2g_gold(item)
    ):
        item.hallmark_status = StockItem.HallmarkStatus.EXEMPT
        item.exemption = StockItem.Exemption.UNDER_2G


def _check_rules(item: StockItem) -> dict[str, list[str]]:
    """The rules that span fields, keyed by field, in a shop owner's words. Changes nothing."""
    errors: dict[str, list[str]] = {}
    gross, stones = item.gross_weight, item.stone_weight
    if gross is not None and stones is not None and gross > 0 and stones > gross:
        errors["stone_weight"] = ["The stone weight can't be more than the gross weight."]
    making_charge = _making_charge_error(item)
    if making_charge:
        errors["making_charge_value"] = [making_charge]
    if item.hallmark_status == StockItem.HallmarkStatus.EXEMPT:
        if not item.exemption:
            errors["exemption"] = ["Say why the article is exempt from hallmarking."]
        elif (
            item.exemption == StockItem.Exemption.UNDER_2G
            and item.gross_weight is not None
            and item.gross_weight >= rules.HALLMARK_MIN_GRAMS
        ):
            errors["exemption"] = [
                f"The article weighs {item.gross_weight} g: the under-2-gram exemption does not apply."
            ]
        if item.huid:
            errors["huid"] = ["An exempt article has no HUID. Remove the HUID or the exemption."]
    if item.hallmark_status == StockItem.HallmarkStatus.HALLMARKED and not item.huid:
        errors["huid"] = ["A hallmarked article needs its 6-character HUID."]
    selling = item.ready_for_sale or item.stock_status in SALE_STATUSES
    if selling and item.purity_id and not item.huid and huid_required(item):
        errors.setdefault("huid", []).append(
            "A gold article of 2 g or more needs its HUID before it can be sold (BIS hallmarking rule). "
            "Enter the HUID, or mark the article exempt with the reason."
        )
    return errors


def _making_charge_error(item: StockItem) -> str | None:
    value = item.making_charge_value
    if not isinstance(value, Decimal):
        return None  # unreadable: its own error says so
    if (
        item.making_charge_type == StockItem.MakingChargeType.PERCENT
        and value > rules.MAKING_CHARGE_MAX_PERCENT
    ):
        return (
            f"A making charge of {value}% is more than {rules.MAKING_CHARGE_MAX_PERCENT:.0f}% of the metal value: "
            "check the amount, or charge it per gram or flat."
        )
    if (
        item.making_charge_type == StockItem.MakingChargeType.PER_GRAM
        and value > rules.MAKING_CHARGE_MAX_PER_GRAM
    ):
        return (
            f"A making charge of ₹{value} a gram is more than ₹{rules.MAKING_CHARGE_MAX_PER_GRAM:,.0f} a gram: "
            "check the amount, or charge it flat."
        )
    return None


def sku_taken_message(sku: str) -> str:
    return f"SKU {sku} is already used in this shop."


def huid_taken_message(huid: str) -> str:
    return f"HUID {huid} is already on another article of this shop."


def _parse(item: StockItem, values: dict[str, Any]) -> dict[str, list[str]]:
    """Set the editable fields given on `item`; returns the errors of those that could not be read.

    A purity given as a `Purity` instance is taken as it is (no query); an id is looked up.
    """
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for field, value in values.items():
        if field in ("gross_weight", "stone_weight"):
            value = parse_decimal(value, GRAM, field, "weight in grams", errors)
        elif field in ("making_charge_value", "stone_value"):
            value = parse_decimal(value, RUPEE, field, "amount in rupees", errors)
        elif field == "huid":
            value = huid_normalise(value)
        elif field == "hsn_code":
            value = hsn_normalise((value or "").strip())
        elif field in ("sku", "name", "exemption"):
            value = (value or "").strip()
        elif field == "purity" and not isinstance(value, Purity):
            purity = Purity.objects.filter(pk=value, is_active=True).first() if str(value).isdigit() else None
            if purity is None:
                errors["purity"] = ["Choose a purity from the list, like 22K916."]
                continue
            value = purity
        setattr(item, field, value)
    return errors


def _validate(
    item: StockItem, errors: dict[str, list[str]] | None = None, skip: Container[str] = ()
) -> dict[str, list[str]]:
    """Field errors first; the cross-field rules add theirs for fields that are otherwise fine.

    `errors` are those already found while reading the values: those fields are not checked again,
    nor those in `skip` (a SKU still to be numbered). Foreign keys held as instances are not looked
    up again (no query per article in an import); the database's foreign key constraints still hold.
    """
    errors = {field: list(messages) for field, messages in (errors or {}).items()}
    exclude = {"net_weight", *errors, *skip}
    exclude.update(f.name for f in FOREIGN_KEYS if getattr(item, f.attname) is not None)
    try:
        item.full_clean(exclude=sorted(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _derive_fields(item)
    for field, messages in _check_rules(item).items():
        errors.setdefault(field, messages)
    return errors


def _at_centre_errors(item: StockItem, before: dict[str, Any]) -> dict[str, list[str]]:
    """An article in a batch at the hallmarking centre gets its HUID (or goes back to pending) only
    when the batch is received: by hand, its batch would count it and no longer list it."""
    field = next((f for f in ("huid", "hallmark_status") if getattr(item, f) != before[f]), None)
    batch = centre_batch(item, status=before["hallmark_status"]) if field else None
    if batch is None:
        return {}
    what = "its HUID is entered" if field == "huid" else "its hallmark status changes"
    return {
        field: [
            f"This article is at the hallmarking centre with batch {batch.request_number}: {what} when "
            "the batch is received, on the batch's page."
        ]
    }


def _build(
    item: StockItem,
    values: dict[str, Any],
    *,
    sku_numbers: SkuNumbers | None = None,
    is_sku_taken: Callable[[str], bool] | None = None,
    before: dict[str, Any] | None = None,
    from_batch: bool = False,
) -> dict[str, list[str]]:
    """Set `values` on `item`, fill in the defaults and check every rule; returns the errors by field.

    The one path of a new article, a change and an imported row. A blank SKU is numbered only when
    `sku_numbers` is given (a new article), and only once the article is otherwise fine, so a refused
    article uses up no number; a blank HSN code defaults by category and metal. For a change
    (`before`, the fields as they were), values that leave the article as it was are not checked:
    nothing changes, so there is nothing to refuse (an import's unchanged rows, most of a re-imported
    export); `from_batch` is the return of the article's hallmarking batch, the one change that may
    give a HUID to an article at the centre. Whether the SKU and HUID are free of other articles is
    the caller's to check.
    """
    errors = _parse(item, values)
    numbered = sku_numbers is not None and not item.sku and "sku" not in errors
    if before is not None and not from_batch:
        errors.update(_at_centre_errors(item, before))
    if not item.hsn_code and item.purity_id:
        item.hsn_code = hsn_default(category=item.category, metal=item.purity.metal)
    if before is not None and not errors:
        _derive_fields(item)
        if not stock_item_changed_fields(item, before):
            return {}
    errors = _validate(item, errors, skip=("sku",) if numbered else ())
    if not item.hsn_code and not item.purity_id:
        errors.pop("hsn_code", None)  # it defaults from the purity, whose own error says what is missing
    if numbered and not errors:
        item.sku = sku_numbers.next(is_taken=is_sku_taken)
    return errors


def _write(item: StockItem) -> None:
    """Save an article already validated; a SKU or HUID taken in the meantime is a field error.

    Every article created or changed by hand or from a batch is saved here, so the shop's cached
    figures (`apps.core.figures`) are marked changed here too."""
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        if (
            StockItem.objects.for_tenant(item.tenant).filter(huid=item.huid).exclude(pk=item.pk).exists()
            and item.huid
        ):
            raise ValidationError({"huid": [huid_taken_message(item.huid)]}) from None
        raise ValidationError({"sku": [sku_taken_message(item.sku)]}) from None
    tenant_figures_changed(tenant_id=item.tenant_id)


def _unique_errors(item: StockItem, skip: Container[str] = ()) -> dict[str, list[str]]:
    errors = {}
    others = StockItem.objects.for_tenant(item.tenant).exclude(pk=item.pk)
    if item.sku and "sku" not in skip and others.filter(sku=item.sku).exists():
        errors["sku"] = [sku_taken_message(item.sku)]
    if item.huid and "huid" not in skip and others.filter(huid=item.huid).exists():
        errors["huid"] = [huid_taken_message(item.huid)]
    return errors


def stock_item_prepare(
    *,
    tenant: Tenant,
    actor: User | None,
    values: dict[str, Any],
    sku_numbers: SkuNumbers,
    is_sku_taken: Callable[[str], bool],
) -> tuple[StockItem, dict[str, list[str]]]:
    """A new article built from `values` and checked against every rule, without saving it.

    The defaults are filled in: a SKU when blank (the shop's next number from `sku_numbers` that
    `is_sku_taken` says is free) and the HSN code by category and metal. Returns the article and its
    errors keyed by field, all of them at once (empty when it can be saved). Whether the SKU and HUID
    are free is the caller's to check: one article asks the database, an import compares with the
    stock it loaded once.
    """
    item = StockItem(tenant=tenant, created_by=actor)
    return item, _build(item, values, sku_numbers=sku_numbers, is_sku_taken=is_sku_taken)


def stock_item_created_summary(item: StockItem) -> str:
    """The audit summary of a new article: SKU, name, purity, net weight and its HUID if it has one."""
    return f"Added {item.sku} “{item.name}” ({item.purity.label}, {item.net_weight} g net)" + (
        f", HUID {item.huid}" if item.huid else ""
    )


@transaction.atomic
def stock_item_create(*, tenant: Tenant, actor: User | None, **values: Any) -> StockItem:
    """Add an article. A blank SKU takes the shop's next number; HSN defaults by category and metal."""
    sku_numbers = SkuNumbers(tenant=tenant, take=True)
    item, errors = stock_item_prepare(
        tenant=tenant,
        actor=actor,
        values=values,
        sku_numbers=sku_numbers,
        is_sku_taken=lambda sku: StockItem.objects.for_tenant(tenant).filter(sku=sku).exists(),
    )
    sku_numbers.save()
    errors.update(_unique_errors(item, skip=errors))
    if errors:
        raise ValidationError(errors)
    _write(item)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="stock.create",
        target=item,
        summary=stock_item_created_summary(item),
    )
    return item


def _value(item: StockItem, field: str) -> Any:
    return item.purity_id if field == "purity" else getattr(item, field)


def stock_item_change(
    *, item: StockItem, values: dict[str, Any], from_batch: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Set `values` on an article of the stock and check every rule, without saving it.

    The one path of a change, on the article's page, through the API, in an import and (`from_batch`)
    when its hallmarking batch comes back. Returns the editable fields as they were (the purity by
    id), to compare and audit with, and the errors keyed by field. Whether the SKU and HUID are free
    of other articles is the caller's to check.
    """
    before = {field: _value(item, field) for field in EDITABLE}
    return before, _build(item, values, before=before, from_batch=from_batch)


def stock_item_changed_fields(item: StockItem, before: dict[str, Any]) -> list[str]:
    """The editable fields that differ from `before`, in the order of EDITABLE (the CSV's columns)."""
    return [field for field in EDITABLE if _value(item, field) != before[field]]


# Changes with an event of their own; every other field changed goes into one "stock.update" event.
OWN_EVENTS = {"huid", "hallmark_status", "stock_status", "ready_for_sale"}


def _shown(item: StockItem, field: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field == "purity":
        return str(item.purity if item.purity_id == value else Purity.objects.get(pk=value))
    choices = dict(StockItem._meta.get_field(field).choices or ())
    return str(choices.get(value, value))


def stock_item_change_entries(item: StockItem, before: dict[str, Any]) -> list[AuditEntry]:
    """The audit events of a change: a HUID, a hallmark or stock status, sale readiness, each its own,
    and one event naming every other field changed, old → new (weights and charges included)."""
    entries = []
    others = [f for f in stock_item_changed_fields(item, before) if f not in OWN_EVENTS]
    if others:
        changes = "; ".join(
            f"{StockItem._meta.get_field(f).verbose_name} {_shown(item, f, before[f])} → "
            f"{_shown(item, f, _value(item, f))}"
            for f in others
        )
        entries.append(AuditEntry("stock.update", f"{item.sku}: {changes}"[:300], item))
    if item.huid != before["huid"]:
        if before["huid"] and item.huid:
            summary = f"{item.sku}: HUID changed from {before['huid']} to {item.huid}"
        elif item.huid:
            summary = f"{item.sku}: HUID {item.huid} assigned"
        else:
            summary = f"{item.sku}: HUID {before['huid']} removed"
        entries.append(AuditEntry(action="stock.huid", summary=summary, target=item))
    for field, label in (("hallmark_status", "hallmark status"), ("stock_status", "stock status")):
        if getattr(item, field) != before[field]:
            names = dict(StockItem._meta.get_field(field).choices)
            summary = f"{item.sku}: {label} {names[before[field]]} → {names[getattr(item, field)]}"
            entries.append(AuditEntry(f"stock.{field}", summary, item))
    if item.ready_for_sale != before["ready_for_sale"]:
        summary = f"{item.sku}: {'ready for sale' if item.ready_for_sale else 'withdrawn from sale'}"
        entries.append(AuditEntry(action="stock.ready_for_sale", summary=summary, target=item))
    return entries


@transaction.atomic
def stock_item_update(*, tenant: Tenant, actor: User | None, item: StockItem, **values: Any) -> StockItem:
    """Change an article. HUID assignments and status changes are audited one by one."""
    return _update(tenant=tenant, actor=actor, item=item, values=values, from_batch=False)


@transaction.atomic
def stock_item_hallmark_receive(
    *, tenant: Tenant, actor: User | None, item: StockItem, huid: str
) -> StockItem:
    """An article back from the hallmarking centre with its batch: hallmarked with `huid`, or, left
    blank (the centre did not mark it), pending again."""
    values = {"huid": huid} if huid else {"hallmark_status": StockItem.HallmarkStatus.PENDING}
    return _update(tenant=tenant, actor=actor, item=item, values=values, from_batch=True)


def _update(
    *, tenant: Tenant, actor: User | None, item: StockItem, values: dict[str, Any], from_batch: bool
) -> StockItem:
    assert item.tenant_id == tenant.id
    # Lock the article only, not the purity row every shop shares nor the shop's.
    item = (
        StockItem.objects.select_for_update(of=("self",)).select_related("purity", "tenant").get(pk=item.pk)
    )
    before, errors = stock_item_change(item=item, values=values, from_batch=from_batch)
    errors.update(_unique_errors(item, skip=errors))
    if errors:
        raise ValidationError(errors)
    _write(item)
    audit_record_many(tenant=tenant, actor=actor, entries=stock_item_change_entries(item, before))
    return item


@transaction.atomic
def stock_item_delete(*, tenant: Tenant, actor: User | None, item: StockItem) -> None:
    """Remove an article entered by mistake. Sold articles and those with certificates stay."""
    assert item.tenant_id == tenant.id
    if item.stock_status == StockItem.StockStatus.SOLD:
        raise StockItemInUse("A sold article can't be deleted: its sale must stay on record.")
    if Certificate.objects.for_tenant(tenant).filter(item=item).exists():
        raise StockItemInUse("This article has a certificate attached, so it can't be deleted.")
    summary = f"Deleted {item.sku} “{item.name}”" + (f" (HUID {item.huid})" if item.huid else "")
    item_id = item.pk
    item.delete()
    tenant_figures_changed(tenant_id=tenant.pk)
    audit_record(tenant=tenant, actor=actor, action="stock.delete", summary=f"{summary}, id {item_id}")
