"""Stock movement: articles in hand at the start of a range, added, sold, returned, and in hand at its end."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone

from apps.inventory.models import StockItem
from apps.invoicing.models import Invoice, InvoiceLine
from apps.reports.registers.base import NO_GRAMS, Register, grams_sum, settled

if TYPE_CHECKING:
    from datetime import date

    from apps.gst.periods import DateRange
    from apps.tenants.models import Tenant

IN_HAND = (StockItem.StockStatus.IN_STOCK, StockItem.StockStatus.RESERVED)
PHASES = ("opening", "added", "sold", "returned", "closing")
MEASURES = ("count", "net", "gross")


def _day_start(day: date) -> datetime:
    """Midnight in IST, where a day of the register begins (articles are stamped in UTC)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _measures(prefix: str, when: Q, *, weights: str = "") -> dict:
    return {
        f"{prefix}_count": Count("id", filter=when),
        f"{prefix}_net": grams_sum(f"{weights}net_weight", filter=when),
        f"{prefix}_gross": grams_sum(f"{weights}gross_weight", filter=when),
    }


def stock_movement(*, tenant: Tenant, dates: DateRange, metal: str = "") -> Register:
    """By purity: the articles in hand at the start of the range, added, sold and returned in it, and in
    hand at its end (counts, net and gross grams), with totals per metal.

    History is read from what is dated, never from an article's status today (which says nothing of
    where it stood a month ago): an article is *added* on the day it was entered in stock, *sold* on the
    day of the issued invoice that sold it, and *returned* on the day of the issued credit note that
    took it back. A cancelled invoice or credit note moves nothing (cancelling is allowed on its day
    only, and puts the article back where it was). So opening = entered before the range - sold
    before it + returned before it, and closing = opening + added - sold + returned: the closing of
    one range is the opening of the next, and a range ending today closes on the articles in hand.

    A status set by hand (an article marked sold, returned or back in stock without a document, or
    imported with such a status) is not a movement: the register keeps counting the article where its
    documents leave it, and for a range that reaches today `in_hand_now` gives the articles the stock
    list shows in hand, so a difference made by hand shows. An article deleted as entered by mistake
    (only possible before it is ever sold) leaves every range. Weights and purity are the article's as
    stock records them (a draft's line may weigh it again; the stock is not changed by that).
    """
    start, end = dates.start, dates.end
    start_at, end_at = _day_start(start), _day_start(end + timedelta(days=1))
    group = ("purity_id", "purity__metal", "purity__karat", "purity__fineness")
    items = StockItem.objects.for_tenant(tenant).filter(created_at__lt=end_at)
    lines = InvoiceLine.objects.for_tenant(tenant).filter(
        kind=InvoiceLine.Kind.ARTICLE,
        invoice__status=Invoice.Status.ISSUED,
        invoice__doc_type__in=[Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE],
        invoice__issued_on__lte=end,
    )
    if metal:
        items = items.filter(purity__metal=metal)
        lines = lines.filter(stock_item__purity__metal=metal)
    entered = items.values(*group).annotate(
        **_measures("before", Q(created_at__lt=start_at)), **_measures("added", Q(created_at__gte=start_at))
    )
    sale, back = Q(invoice__doc_type=Invoice.Kind.INVOICE), Q(invoice__doc_type=Invoice.Kind.CREDIT_NOTE)
    before, within = Q(invoice__issued_on__lt=start), Q(invoice__issued_on__gte=start)
    moved = lines.values(*(f"stock_item__{name}" for name in group)).annotate(
        **_measures("sold_before", sale & before, weights="stock_item__"),
        **_measures("sold", sale & within, weights="stock_item__"),
        **_measures("returned_before", back & before, weights="stock_item__"),
        **_measures("returned", back & within, weights="stock_item__"),
    )
    rows: dict[int, dict] = {}

    def row_for(purity_id: int, metal_code: str, karat: str, fineness: int) -> dict:
        if purity_id not in rows:
            rows[purity_id] = {
                "purity_id": purity_id, "metal": metal_code, "karat": karat, "fineness": fineness,
                **{f"{p}_{m}": 0 if m == "count" else NO_GRAMS for p in PHASES for m in MEASURES},
            }  # fmt: skip
        return rows[purity_id]

    for found in map(_grams, entered):
        row = row_for(*(found[name] for name in group))
        for m in MEASURES:
            row[f"opening_{m}"] += found[f"before_{m}"]
            row[f"added_{m}"] += found[f"added_{m}"]
    for found in map(_grams, moved):
        row = row_for(*(found[f"stock_item__{name}"] for name in group))
        for m in MEASURES:
            row[f"opening_{m}"] += found[f"returned_before_{m}"] - found[f"sold_before_{m}"]
            row[f"sold_{m}"] += found[f"sold_{m}"]
            row[f"returned_{m}"] += found[f"returned_{m}"]
    in_hand_now = None
    if end >= timezone.localdate():
        in_hand_now = {
            found["purity_id"]: _grams(found)
            for found in StockItem.objects.for_tenant(tenant)
            .filter(stock_status__in=IN_HAND, **({"purity__metal": metal} if metal else {}))
            .values("purity_id", *group[1:])
            .annotate(**_measures("now", Q()))
        }
        for found in in_hand_now.values():
            row_for(*(found[name] for name in group))
    out = []
    for row in rows.values():
        for m in MEASURES:
            row[f"closing_{m}"] = (
                row[f"opening_{m}"] + row[f"added_{m}"] - row[f"sold_{m}"] + row[f"returned_{m}"]
            )
        row["purity"] = purity_label(row)
        if in_hand_now is not None:
            now = in_hand_now.get(row["purity_id"], {})
            row["in_hand_now_count"] = now.get("now_count", 0)
            row["in_hand_now_net"] = now.get("now_net", NO_GRAMS)
        if any(row[f"{p}_count"] for p in PHASES) or row.get("in_hand_now_count"):
            out.append(row)
    out.sort(key=lambda r: (METAL_ORDER.get(r["metal"], 9), -r["fineness"]))
    return Register(rows=out, totals=_totals(out, with_now=in_hand_now is not None))


def _grams(found: dict) -> dict:
    return settled(found, grams=tuple(found))


METAL_ORDER = {"gold": 0, "silver": 1, "platinum": 2}


def purity_label(row: dict) -> str:
    """As the stock pages write a purity: 22K916 for gold, Silver 925 otherwise."""
    if row["karat"]:
        return f"{row['karat']}{row['fineness']}"
    return f"{row['metal'].capitalize()} {row['fineness']}"


def _totals(rows: list[dict], *, with_now: bool) -> dict:
    """Per metal (grams of gold and of silver are not added together), over the few purity rows."""
    names = [f"{p}_{m}" for p in PHASES for m in MEASURES]
    if with_now:
        names += ["in_hand_now_count", "in_hand_now_net"]
    metals: dict[str, dict] = {}
    for row in rows:
        total = metals.setdefault(row["metal"], {"metal": row["metal"], **dict.fromkeys(names, 0)})
        for name in names:
            total[name] += row[name]
    by_metal = list(metals.values())
    return {
        "metals": by_metal,
        "differs_from_stock_list": with_now
        and any(
            row["closing_count"] != row["in_hand_now_count"] or row["closing_net"] != row["in_hand_now_net"]
            for row in rows
        ),
    }
