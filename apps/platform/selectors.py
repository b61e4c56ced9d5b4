"""Platform-wide figures for super admins: workspaces, people, sign-ups and the stock kept on Tijori.

Read across every tenant (the admin's requests bypass row-level security), in a fixed number of
queries whatever the number of shops: counts are aggregated by the database, never looped per shop.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.money import rupees
from apps.inventory.models import MetalRate, StockItem
from apps.inventory.selectors import IN_HAND
from apps.tenants.models import Tenant

# A workspace or a person is "active" in a period when the audit trail holds something they did in it
# (a sale, an article, a rate, a team change...); people also count when they signed in.
ACTIVE_PERIODS = (7, 30)
SIGNUP_WEEKS = 12


def _since(days: int):
    return timezone.now() - timedelta(days=days)


def workspace_stats() -> dict:
    """Shops and personal workspaces: how many, how many deactivated, how many active in 7 and 30 days."""

    def acted(days: int) -> Q:
        return Q(Exists(AuditEvent.objects.filter(tenant=OuterRef("pk"), created_at__gte=_since(days))))

    counts = {}
    for kind in Tenant.Kind:
        of_kind = Q(kind=kind)
        counts.update(
            {
                f"{kind}_total": Count("pk", filter=of_kind),
                f"{kind}_inactive": Count("pk", filter=of_kind & Q(is_active=False)),
                **{f"{kind}_active_{d}": Count("pk", filter=of_kind & acted(d)) for d in ACTIVE_PERIODS},
            }
        )
    figures = Tenant.objects.aggregate(**counts)
    return {
        kind: {
            "label": label,
            "total": figures[f"{kind}_total"],
            "deactivated": figures[f"{kind}_inactive"],
            "active": [figures[f"{kind}_active_{d}"] for d in ACTIVE_PERIODS],
        }
        for kind, label in [
            (Tenant.Kind.SHOP, "Jewellery shops"),
            (Tenant.Kind.PERSONAL, "Personal workspaces"),
        ]
    }


def user_stats() -> dict:
    """People who use the platform (its own staff left out): how many, and how many active in 7 and 30 days."""

    def active(days: int) -> Q:
        acted = Exists(AuditEvent.objects.filter(actor=OuterRef("pk"), created_at__gte=_since(days)))
        return Q(last_login__gte=_since(days)) | Q(acted)

    figures = (
        get_user_model()
        .objects.filter(is_staff=False, is_active=True)
        .aggregate(
            total=Count("pk"), **{f"active_{d}": Count("pk", filter=active(d)) for d in ACTIVE_PERIODS}
        )
    )
    return {"total": figures["total"], "active": [figures[f"active_{d}"] for d in ACTIVE_PERIODS]}


def signups_by_week(*, weeks: int = SIGNUP_WEEKS, today: date | None = None) -> list[dict]:
    """New people and new shops in each of the last `weeks` weeks (Monday to Sunday, India time), oldest first."""
    today = today or timezone.localdate()
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    mondays = [first_monday + timedelta(weeks=n) for n in range(weeks)]
    start = timezone.make_aware(datetime.combine(first_monday, time.min))

    def per_week(queryset, field: str) -> dict[date, int]:
        days = (
            queryset.filter(**{f"{field}__gte": start})
            .annotate(day=TruncDate(field))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        weekly: dict[date, int] = {}
        for row in days:
            monday = row["day"] - timedelta(days=row["day"].weekday())
            weekly[monday] = weekly.get(monday, 0) + row["n"]
        return weekly

    people = per_week(get_user_model().objects.filter(is_staff=False), "date_joined")
    shops = per_week(Tenant.objects.filter(kind=Tenant.Kind.SHOP), "created_at")
    return [
        {"week": monday, "people": people.get(monday, 0), "shops": shops.get(monday, 0)} for monday in mondays
    ]


def stock_stats(*, today: date | None = None) -> dict:
    """Articles in hand across every shop, how many carry a HUID, their net weight, and their metal value
    at each shop's latest rate on or before today (the rule of the shop's own dashboard). One query for
    the counts, one for weight and value by shop and purity."""
    today = today or timezone.localdate()
    in_hand = StockItem.objects.filter(stock_status__in=IN_HAND)
    counts = in_hand.aggregate(
        articles=Count("pk"), with_huid=Count("pk", filter=~Q(huid="")), shops=Count("tenant", distinct=True)
    )
    latest_rate = (
        MetalRate.objects.filter(
            tenant=OuterRef("tenant"), purity=OuterRef("purity"), effective_on__lte=today
        )
        .order_by("-effective_on")
        .values("rate_per_gram")[:1]
    )
    groups = (
        in_hand.values("tenant", "purity")
        .annotate(grams=Sum("net_weight"), pieces=Count("pk"), rate=Subquery(latest_rate))
        .order_by()
    )
    value, unvalued_pieces, unvalued_shops, grams = Decimal("0.00"), 0, set(), Decimal("0.000")
    for group in groups:
        grams += group["grams"]
        if group["rate"] is None:
            unvalued_pieces += group["pieces"]
            unvalued_shops.add(group["tenant"])
        else:
            value += rupees(group["grams"] * group["rate"])
    return {
        **counts,
        "huid_percent": round(100 * counts["with_huid"] / counts["articles"]) if counts["articles"] else None,
        "grams": grams,
        "value": value,
        "unvalued_pieces": unvalued_pieces,
        "unvalued_shops": len(unvalued_shops),
    }
