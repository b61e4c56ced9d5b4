"""Articles leaving and coming back with a sale: the stock side of invoices and credit notes.

Invoicing locks and checks the articles of a sale here, in its own transaction, so the stock
rules (sellable status, "no HUID, no sale") are the inventory's, written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from apps.audit.services import AuditEntry, audit_record_many
from apps.inventory.hallmarking import huid_required
from apps.inventory.models import StockItem

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

SELLABLE = frozenset({StockItem.StockStatus.IN_STOCK, StockItem.StockStatus.RESERVED})


def stock_item_sale_refusal(item: StockItem) -> str:
    """Why the article can't be sold now, in a sentence; empty if it can."""
    if item.stock_status not in SELLABLE:
        return f"{item.sku} is {item.get_stock_status_display().lower()}: it can't be sold."
    if huid_required(item) and not item.huid:
        return (
            f"{item.sku} needs its HUID before it is sold (gold of 2 g or more must be hallmarked): "
            "no HUID, no sale."
        )
    return ""


def stock_items_lock(*, tenant: Tenant, item_ids: Iterable[int]) -> dict[int, StockItem]:
    """The articles, locked to the end of the caller's transaction, in id order (no deadlocks)."""
    assert transaction.get_connection().in_atomic_block
    rows = (
        StockItem.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("purity")
        .filter(pk__in=sorted(set(item_ids)))
        .order_by("pk")
    )
    return {item.pk: item for item in rows}


def stock_items_mark(
    *, tenant: Tenant, actor: User | None, items: Iterable[StockItem], status: str, because: str
) -> None:
    """Set the stock status of locked articles (sold by an invoice, back in stock when it is cancelled),
    with the same `stock.stock_status` event on each article's trail as a change made by hand."""
    items = list(items)
    if not items:
        return
    StockItem.objects.for_tenant(tenant).filter(pk__in=[i.pk for i in items]).update(
        stock_status=status, updated_at=timezone.now()
    )
    names = dict(StockItem.StockStatus.choices)
    audit_record_many(
        tenant=tenant, actor=actor,
        entries=[AuditEntry("stock.stock_status", f"{item.sku}: stock status {names[item.stock_status]} → "
                            f"{names[status]} ({because})", item) for item in items],
    )  # fmt: skip
