"""`tenant_view`: the one gate every tenant page passes, declaring the lowest role it allows."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from apps.tenants.models import Role


def tenant_view(min_role: str = Role.STAFF):
    """Require a signed-in member of an active tenant whose role is at least `min_role`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                return redirect("tenants:workspace_new")
            if not request.tenant.is_active:
                return render(
                    request, "tenants/inactive.html", {"inactive_tenant": request.tenant}, status=403
                )
            if not request.membership.has_role(min_role):
                raise PermissionDenied(f"This page is for the {Role(min_role).label.lower()} role and above.")
            return view(request, *args, **kwargs)

        wrapper.min_role = min_role
        return wrapper

    return decorator
