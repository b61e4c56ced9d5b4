"""Reads of stock, always for one tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.inventory.models import Purity, StockItem

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def purity_list(*, active_only: bool = True) -> QuerySet[Purity]:
    qs = Purity.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def stock_item_list(*, tenant: Tenant) -> QuerySet[StockItem]:
    return StockItem.objects.for_tenant(tenant).select_related("purity")


def stock_item_get(*, tenant: Tenant, item_id: int) -> StockItem:
    return get_object_or_404(stock_item_list(tenant=tenant), pk=item_id)
