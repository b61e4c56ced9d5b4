"""Pages for super admins that span every workspace, inside Django admin's frame."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from apps.provisioning.selectors import provisioning_stats


def stats_view(request):
    """/admin/stats: the figures super admins watch (wrapped in admin_view in the URLconf)."""
    if not request.user.is_superuser:
        raise PermissionDenied("Statistics are for super admins.")
    context = {
        **admin.site.each_context(request),
        "provisioning": provisioning_stats(),
        "title": "Provisioning statistics",
    }
    return render(request, "platform/stats.html", context)
