"""Pages for super admins that span every workspace, inside Django admin's frame."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from apps.billing.revenue import Revenue, platform_revenue
from apps.billing.services import today_local
from apps.core.money import count_text, inr
from apps.platform import charts, selectors
from apps.provisioning.selectors import provisioning_stats

BAR_WIDTH = 160  # the widest sign-up bar, in the chart's units


def revenue_charts(revenue: Revenue) -> list[charts.BarChart]:
    """MRR, paying shops and net collections over the months of `revenue`, one bar a month."""
    months = revenue.months
    labels = [f"{m.month:%b}" for m in months]
    names = [f"{m.month:%b %Y}" for m in months]
    span = f"{months[0].month:%b %Y} to {months[-1].month:%b %Y}"
    common = {"labels": labels, "names": names, "note": span}
    return [
        charts.bar_chart(
            key="mrr", title="MRR at each month's end", values=[m.mrr for m in months],
            description=f"Monthly recurring revenue before GST on each month's last day (today for this "
            f"month), {span}. The figures are in the table below.",
            describe=inr, scale_text=charts.rupees_short, **common,
        ),
        charts.bar_chart(
            key="paying", title="Paying shops at each month's end", values=[m.paying for m in months],
            description=f"Shops with a paid year running (grace included) on each month's last day, {span}. "
            "The figures are in the table below.",
            describe=count_text, scale_text=charts.count_short, whole=True, **common,
        ),
        charts.bar_chart(
            key="collections", title="Net collections by month", values=[m.net for m in months],
            description=f"Payments received less refunds, GST included, {span}. The figures are in the "
            "table below.",
            describe=inr, scale_text=charts.rupees_short, **common,
        ),
    ]  # fmt: skip


def stats_view(request):
    """/admin/stats: the platform's dashboard (wrapped in admin_view in the URLconf). `?plan=<code>` and
    `?cohort=YYYY-MM` narrow the revenue figures to one plan and to the shops of one signup month."""
    if not request.user.is_superuser:
        raise PermissionDenied("Statistics are for super admins.")
    signups = selectors.signups_by_week()
    most = max([1, *(max(week["people"], week["shops"]) for week in signups)])
    for week in signups:
        week["people_bar"] = round(BAR_WIDTH * week["people"] / most)
        week["shops_bar"] = round(BAR_WIDTH * week["shops"] / most)
    revenue = platform_revenue(
        today=today_local(),
        plan=request.GET.get("plan", "").strip(),
        cohort=request.GET.get("cohort", "").strip(),
    )
    context = {
        **admin.site.each_context(request),
        "title": "Platform dashboard",
        "now": timezone.localtime(),
        "periods": selectors.ACTIVE_PERIODS,
        "workspaces": selectors.workspace_stats(),
        "people": selectors.user_stats(),
        "signups": signups,
        "bar_width": BAR_WIDTH,
        "stock": selectors.stock_stats(),
        "provisioning": provisioning_stats(),
        "revenue": revenue,
        "revenue_charts": revenue_charts(revenue),
    }
    return render(request, "platform/stats.html", context)
