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
from apps.core.figures import tenant_figures_changed
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
        .select_related("purity", "tenant")  # the shop's own exemption is part of the sale rule
        .filter(pk__in=sorted(set(item_ids)))
        .order_by("pk")
    )
    return {item.pk: item for item in rows}


def stock_items_status_set(*, tenant: Tenant, items: Iterable[StockItem], status: str) -> None:
    """Set the stock status of locked articles; their events follow from `stock_status_events`."""
    ids = [item.pk for item in items]
    if ids:
        StockItem.objects.for_tenant(tenant).filter(pk__in=ids).update(
            stock_status=status, updated_at=timezone.now()
        )
        tenant_figures_changed(tenant_id=tenant.pk)


def stock_status_events(items: Iterable[StockItem], status: str, because: str) -> list[AuditEntry]:
    """The `stock.stock_status` event a change made by hand gives, for each article (as it was read)."""
    names = dict(StockItem.StockStatus.choices)
    return [
        AuditEntry("stock.stock_status", f"{item.sku}: stock status {names[item.stock_status]} → {names[status]} "
                   f"({because})", item)
        for item in items
    ]  # fmt: skip


def stock_items_mark(
    *, tenant: Tenant, actor: User | None, items: Iterable[StockItem], status: str, because: str
) -> None:
    """Set the stock status of locked articles (sold by an invoice, back in stock when it is cancelled),
    with the same `stock.stock_status` event on each article's trail as a change made by hand."""
    items = list(items)
    if items:
        stock_items_status_set(tenant=tenant, items=items, status=status)
        audit_record_many(tenant=tenant, actor=actor, entries=stock_status_events(items, status, because))
