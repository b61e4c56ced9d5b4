"""Reads of stock, always for one tenant."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.core.figures import tenant_figure
from apps.core.money import rupees
from apps.inventory import rules
from apps.inventory.hallmarking import MISSING_REQUIRED_HUID
from apps.inventory.models import Certificate, HallmarkBatch, MetalRate, Purity, StockImport, StockItem

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def purity_list(*, active_only: bool = True) -> QuerySet[Purity]:
    qs = Purity.objects.all()
    return qs.filter(is_active=True) if active_only else qs


# Articles the shop still holds: in stock, or put aside for a customer but not yet sold.
IN_HAND = (StockItem.StockStatus.IN_STOCK, StockItem.StockStatus.RESERVED)
# The sort orders of the stock list, for the page and the API alike: value → what a shop reads.
# No ordering at all is the model's, newest first.
STOCK_ORDERINGS = {
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "sku": "SKU",
    "-sku": "SKU, from the end",
    "name": "Name",
    "-name": "Name, from the end",
    "-net_weight": "Heaviest first",
    "net_weight": "Lightest first",
}


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


def metal_rate_missing_today(*, tenant: Tenant, rates: dict[int, MetalRate] | None = None) -> bool:
    """True when the shop has stock in hand but has not entered any rate today (it is reminded).

    With the latest `rates` at hand, a rate entered today is among them (no rate is ever dated
    later), so that half needs no query.
    """
    today = timezone.localdate()
    if rates is not None:
        entered = any(rate.effective_on == today for rate in rates.values())
    else:
        entered = MetalRate.objects.for_tenant(tenant).filter(effective_on=today).exists()
    return not entered and StockItem.objects.for_tenant(tenant).filter(stock_status__in=IN_HAND).exists()


def metal_rate_day_before(
    *, tenant: Tenant, day: date | None = None
) -> tuple[date | None, dict[int, MetalRate]]:
    """The rates of the latest day before `day` (today in India) that has any: that day, and purity id →
    rate. What "Start from yesterday's rates" fills the day's form with. One query."""
    day = day or timezone.localdate()
    earlier = MetalRate.objects.for_tenant(tenant).filter(effective_on__lt=day)
    latest_day = earlier.order_by("-effective_on").values("effective_on")[:1]
    rows = list(earlier.filter(effective_on=Subquery(latest_day)).select_related("purity"))
    if not rows:
        return None, {}
    return rows[0].effective_on, {rate.purity_id: rate for rate in rows}


def stock_valuation(
    *, tenant: Tenant, items: QuerySet[StockItem] | None = None, rates: dict[int, MetalRate] | None = None
) -> dict:
    """Value of the stock in hand (or of `items`): net weight times the latest rate, per purity.

    Rupees to 2 places. Purities with stock but no rate are listed as unvalued rather than counted
    as zero. Two queries (one when `rates` is given), whatever the number of articles.
    """
    rates = metal_rate_latest(tenant=tenant) if rates is None else rates
    if items is None:
        items = StockItem.objects.for_tenant(tenant).filter(stock_status__in=IN_HAND)
    weights = items.values("purity_id").annotate(grams=Sum("net_weight"), pieces=Count("id")).order_by()
    lines, total, unvalued = [], Decimal("0.00"), []
    purities = {p.pk: p for p in purity_list(active_only=False)}
    for w in weights:
        purity = purities[w["purity_id"]]
        rate = rates.get(purity.pk)
        if rate is None:
            unvalued.append(purity)
            lines.append(
                {"purity": purity, "grams": w["grams"], "pieces": w["pieces"], "rate": None, "value": None}
            )
            continue
        value = rupees(w["grams"] * rate.rate_per_gram)
        total += value
        lines.append(
            {"purity": purity, "grams": w["grams"], "pieces": w["pieces"], "rate": rate, "value": value}
        )
    lines.sort(key=lambda line: (line["purity"].metal, -line["purity"].fineness))
    today = timezone.localdate()
    return {
        "lines": lines,
        "total": total,
        "unvalued": unvalued,
        # Meaningful for the whole stock in hand (items=None): there is stock, and no rate is today's.
        "rate_missing_today": bool(lines) and not any(r.effective_on == today for r in rates.values()),
    }


def item_metal_value(item: StockItem, rates: dict[int, MetalRate]) -> Decimal | None:
    """Net weight times the latest rate of the article's purity; None when there is no rate yet."""
    rate = rates.get(item.purity_id)
    if rate is None:
        return None
    return rupees(item.net_weight * rate.rate_per_gram)


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
        qs = qs.filter(MISSING_REQUIRED_HUID) if missing_huid else qs.exclude(MISSING_REQUIRED_HUID)
    if q:
        term = q.strip()
        qs = qs.filter(Q(sku__istartswith=term) | Q(huid__iexact=term) | Q(name__icontains=term))
    if ordering and ordering not in STOCK_ORDERINGS:
        raise ValueError(f"not a stock ordering: {ordering!r}")
    if not ordering:
        return qs
    # Ties (many articles weigh the same or share a name) go by id in the sort's own direction, so
    # that one index on (tenant, field, id) serves the sort both ways, read forwards or backwards.
    return qs.order_by(ordering, "-id" if ordering.startswith("-") else "id")


def hallmark_batch_list(*, tenant: Tenant, status: str = "") -> QuerySet[HallmarkBatch]:
    """Batches, newest first, each with its article count and whether its AHC report is attached."""
    reports = Certificate.objects.filter(batch=OuterRef("pk"), kind=Certificate.Kind.AHC_REPORT)
    qs = (
        HallmarkBatch.objects.for_tenant(tenant)
        .annotate(item_count=Count("items"), has_report=Exists(reports))
        .order_by("-sent_on", "-id")
    )
    return qs.filter(status=status) if status else qs


def hallmark_batch_get(*, tenant: Tenant, batch_id: int) -> HallmarkBatch:
    return get_object_or_404(hallmark_batch_list(tenant=tenant), pk=batch_id)


def hallmark_batch_items(*, batch: HallmarkBatch) -> QuerySet[StockItem]:
    return batch.items.select_related("purity").order_by("sku")


def certificate_list(
    *, tenant: Tenant, kind: str = "", batch: HallmarkBatch | None = None, item: StockItem | None = None
) -> QuerySet[Certificate]:
    qs = Certificate.objects.for_tenant(tenant).select_related("uploaded_by")
    if kind:
        qs = qs.filter(kind=kind)
    if batch is not None:
        qs = qs.filter(batch=batch)
    if item is not None:
        qs = qs.filter(item=item)
    return qs


def certificate_get(*, tenant: Tenant, certificate_id: int) -> Certificate:
    return get_object_or_404(Certificate.objects.for_tenant(tenant), pk=certificate_id)


def metal_rate_history(*, tenant: Tenant, days: int = 30) -> QuerySet[MetalRate]:
    since = timezone.localdate() - timedelta(days=days - 1)
    return (
        MetalRate.objects.for_tenant(tenant)
        .filter(effective_on__gte=since)
        .select_related("purity", "recorded_by")
        .order_by("-effective_on", "purity__metal", "-purity__fineness")
    )


def bis_compliance(*, tenant: Tenant, today: date | None = None, sample: int = 25) -> dict:
    """What a BIS inspector would ask about, for the compliance page and the dashboard.

    Articles in hand without a HUID that need one; articles at the hallmarking centre, by batch and
    days away; exempt articles by reason; the shop's registration validity; and hallmarked articles
    whose batch has no AHC report. A fixed number of queries, whatever the size of the stock.
    """
    today = today or timezone.localdate()
    in_hand = StockItem.objects.for_tenant(tenant).filter(stock_status__in=IN_HAND)
    needing = in_hand.filter(MISSING_REQUIRED_HUID)
    at_centre = (
        hallmark_batch_list(tenant=tenant, status=HallmarkBatch.Status.SENT)
        .annotate(
            at_centre=Count("items", filter=Q(items__hallmark_status=StockItem.HallmarkStatus.AT_CENTRE))
        )
        .filter(at_centre__gt=0)
        .order_by("sent_on", "id")
    )
    at_centre_batches = [
        {"batch": b, "count": b.at_centre, "days": (today - b.sent_on).days} for b in at_centre
    ]
    exempt = {
        row["exemption"]: row["n"]
        for row in in_hand.filter(hallmark_status=StockItem.HallmarkStatus.EXEMPT)
        .values("exemption")
        .annotate(n=Count("id"))
        .order_by()
    }
    exempt_by_reason = [
        {"reason": value, "label": label, "count": exempt[value]}
        for value, label in StockItem.Exemption.choices
        if exempt.get(value)
    ]
    reports = Certificate.objects.filter(
        batch=OuterRef("hallmark_batch_id"), kind=Certificate.Kind.AHC_REPORT
    )
    unreported = (
        StockItem.objects.for_tenant(tenant)
        .filter(hallmark_status=StockItem.HallmarkStatus.HALLMARKED, hallmark_batch__isnull=False)
        .exclude(Exists(reports))
        .values("hallmark_batch_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    unreported_counts = {row["hallmark_batch_id"]: row["n"] for row in unreported}
    unreported_batches = [
        {"batch": b, "count": unreported_counts[b.pk]}
        for b in HallmarkBatch.objects.for_tenant(tenant).filter(pk__in=list(unreported_counts))
    ]
    return {
        "missing_huid_count": needing.count(),
        "missing_huid": list(needing.select_related("purity").order_by("created_at", "id")[:sample])
        if sample
        else [],
        "at_centre_batches": at_centre_batches,
        "at_centre_count": sum(b["count"] for b in at_centre_batches),
        "oldest_at_centre_days": max((b["days"] for b in at_centre_batches), default=None),
        "exempt_by_reason": exempt_by_reason,
        "exempt_count": sum(exempt.values()),
        "unreported_batches": unreported_batches,
        "unreported_count": sum(unreported_counts.values()),
        **bis_registration(tenant=tenant, today=today),
    }


def bis_registration(*, tenant: Tenant, today: date | None = None) -> dict:
    """The shop's BIS registration: missing, expired, expiring (within the warning days) or valid, and
    the days left. Read from the shop itself, no query."""
    today = today or timezone.localdate()
    valid_until = tenant.bis_registration_valid_until
    if not tenant.bis_registration_number or valid_until is None:
        registration = "missing"
    elif valid_until < today:
        registration = "expired"
    elif valid_until <= today + timedelta(days=rules.BIS_EXPIRY_WARNING_DAYS):
        registration = "expiring"
    else:
        registration = "valid"
    return {
        "registration": registration,
        "registration_days_left": (valid_until - today).days if valid_until else None,
    }


def stock_figures(*, tenant: Tenant) -> dict:
    """The dashboard's stock figures: the valuation of the stock in hand and the BIS compliance counts.

    Served from the cache (`apps.core.figures`) until a service changes what they add up: articles
    (created, edited, sold, returned, imported, deleted), rates, hallmarking batches, AHC reports or
    the shop's small-turnover exemption. Kept per day, since the latest rate, the today's-rate
    reminder and the days at the centre read the date. The registration is read from the shop on
    every call: the shop is loaded with the request anyway, and its renewal shows at once.
    """
    today = timezone.localdate()

    def compute() -> dict:
        rates = metal_rate_latest(tenant=tenant, on=today)
        return {
            "valuation": stock_valuation(tenant=tenant, rates=rates),
            "compliance": bis_compliance(tenant=tenant, today=today, sample=0),
        }

    figures = tenant_figure(tenant_id=tenant.pk, name=f"stock:{today.isoformat()}", compute=compute)
    return {
        **figures,
        "compliance": {**figures["compliance"], **bis_registration(tenant=tenant, today=today)},
    }


def pending_for_batch(*, tenant: Tenant, q: str = "", limit: int = 200) -> QuerySet[StockItem]:
    """Articles that can be sent for hallmarking: pending and in hand, oldest first."""
    qs = stock_item_search(tenant=tenant, hallmark_status=StockItem.HallmarkStatus.PENDING, q=q)
    return qs.filter(stock_status__in=IN_HAND).order_by("created_at", "id")[:limit]


def metal_rate_list(
    *,
    tenant: Tenant,
    purity_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[MetalRate]:
    """The rate history, newest day first; the date bounds are inclusive."""
    qs = MetalRate.objects.for_tenant(tenant).select_related("purity").order_by("-effective_on", "purity_id")
    if purity_id:
        qs = qs.filter(purity_id=purity_id)
    if date_from:
        qs = qs.filter(effective_on__gte=date_from)
    if date_to:
        qs = qs.filter(effective_on__lte=date_to)
    return qs


def stock_import_list(*, tenant: Tenant) -> QuerySet[StockImport]:
    return StockImport.objects.for_tenant(tenant).defer("errors", "changes", "versions")


def stock_import_get(*, tenant: Tenant, import_id: int) -> StockImport:
    """An import as its page shows it: without `versions`, which only a run reads (it locks and reloads the row)."""
    return get_object_or_404(StockImport.objects.for_tenant(tenant).defer("versions"), pk=import_id)
