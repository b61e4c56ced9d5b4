"""Pages for super admins that span every workspace, inside Django admin's frame."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from apps.platform import selectors
from apps.provisioning.selectors import provisioning_stats

BAR_WIDTH = 160  # the widest sign-up bar, in the chart's units


def stats_view(request):
    """/admin/stats: the platform's dashboard (wrapped in admin_view in the URLconf)."""
    if not request.user.is_superuser:
        raise PermissionDenied("Statistics are for super admins.")
    signups = selectors.signups_by_week()
    most = max([1, *(max(week["people"], week["shops"]) for week in signups)])
    for week in signups:
        week["people_bar"] = round(BAR_WIDTH * week["people"] / most)
        week["shops_bar"] = round(BAR_WIDTH * week["shops"] / most)
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
    }
    return render(request, "platform/stats.html", context)
