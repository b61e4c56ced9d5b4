"""Reads of stock, always for one tenant."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.inventory import rules
from apps.inventory.models import Metal, MetalRate, Purity, StockItem

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def purity_list(*, active_only: bool = True) -> QuerySet[Purity]:
    qs = Purity.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def stock_item_list(*, tenant: Tenant) -> QuerySet[StockItem]:
    return StockItem.objects.for_tenant(tenant).select_related("purity")


def stock_item_get(*, tenant: Tenant, item_id: int) -> StockItem:
    return get_object_or_404(stock_item_list(tenant=tenant), pk=item_id)


def metal_rate_latest(*, tenant: Tenant, on: date | None = None) -> dict[int, MetalRate]:
    """The latest rate of each purity on or before `on` (today in India): purity id → rate. One query."""
    on = on or timezone.localdate()
    newest = (
        MetalRate.objects.for_tenant(tenant)
        .filter(purity_id=OuterRef("pk"), effective_on__lte=on)
        .order_by("-effective_on")
        .values("pk")[:1]
    )
    latest_ids = (
        Purity.objects.annotate(latest=Subquery(newest)).filter(latest__isnull=False).values("latest")
    )
    rows = MetalRate.objects.for_tenant(tenant).filter(pk__in=latest_ids).select_related("purity")
    return {rate.purity_id: rate for rate in rows}


def metal_rate_missing_today(*, tenant: Tenant) -> bool:
    """True when the shop has stock but has not entered any rate today (the dashboard reminds them)."""
    today = timezone.localdate()
    return (
        not MetalRate.objects.for_tenant(tenant).filter(effective_on=today).exists()
        and StockItem.objects.for_tenant(tenant).filter(stock_status=StockItem.StockStatus.IN_STOCK).exists()
    )


def stock_valuation(*, tenant: Tenant) -> dict:
    """Value of the stock in hand: net weight times the latest rate, per purity (rupees, 2 places).

    Purities with stock but no rate are listed as unvalued rather than counted as zero.
    """
    rates = metal_rate_latest(tenant=tenant)
    weights = (
        StockItem.objects.for_tenant(tenant)
        .filter(stock_status=StockItem.StockStatus.IN_STOCK)
        .values("purity_id")
        .annotate(grams=Sum("net_weight"), pieces=Count("id"))
        .order_by()
    )
    lines, total, unvalued = [], Decimal("0.00"), []
    purities = {p.pk: p for p in Purity.objects.filter(pk__in=[w["purity_id"] for w in weights])}
    for w in weights:
        purity = purities[w["purity_id"]]
        rate = rates.get(purity.pk)
        if rate is None:
            unvalued.append(purity)
            lines.append(
                {"purity": purity, "grams": w["grams"], "pieces": w["pieces"], "rate": None, "value": None}
            )
            continue
        value = (w["grams"] * rate.rate_per_gram).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += value
        lines.append(
            {"purity": purity, "grams": w["grams"], "pieces": w["pieces"], "rate": rate, "value": value}
        )
    lines.sort(key=lambda line: (line["purity"].metal, -line["purity"].fineness))
    return {"lines": lines, "total": total, "unvalued": unvalued}


def stock_item_search(
    *,
    tenant: Tenant,
    stock_status: str = "",
    hallmark_status: str = "",
    metal: str = "",
    purity_id: int | None = None,
    missing_huid: bool | None = None,
    q: str = "",
    ordering: str = "",
) -> QuerySet[StockItem]:
    """The stock list with the filters shops use; every filter is optional."""
    qs = stock_item_list(tenant=tenant)
    if stock_status:
        qs = qs.filter(stock_status=stock_status)
    if hallmark_status:
        qs = qs.filter(hallmark_status=hallmark_status)
    if metal:
        qs = qs.filter(purity__metal=metal)
    if purity_id:
        qs = qs.filter(purity_id=purity_id)
    if missing_huid is not None:
        needing = Q(purity__metal=Metal.GOLD, gross_weight__gte=rules.HALLMARK_MIN_GRAMS, huid="") & ~Q(
            hallmark_status=StockItem.HallmarkStatus.EXEMPT
        )
        qs = qs.filter(needing) if missing_huid else qs.exclude(needing)
    if q:
        term = q.strip()
        qs = qs.filter(Q(sku__istartswith=term) | Q(huid__iexact=term) | Q(name__icontains=term))
    return qs.order_by(ordering, "-id") if ordering else qs
