"""`tenant_view`: the one gate every tenant page passes, declaring the right (or, for staff, the role)
it needs, and the right a POST needs where it is more than reading the page. A write (any method but
GET, HEAD and OPTIONS) of a shop whose AMC has lapsed is refused here (`access.writes`)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from apps.tenants.access.writes import renewal_required_response, write_refusal
from apps.tenants.models import Role
from apps.tenants.rights import Right, role_of


def tenant_view(gate: Right | str = Role.STAFF, *, post: Right | None = None):
    """Require a signed-in member of an active tenant who holds `gate` (and `post` to send a POST);
    a write of a shop whose AMC has lapsed answers 402 instead (`access.writes.write_refusal`).

    A platform admin who belongs to no workspace is sent to Django admin rather than asked to create one.
    """
    min_role = role_of(gate)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                return redirect("admin:index" if request.user.is_staff else "tenants:workspace_new")
            if not request.tenant.is_active:
                return render(
                    request, "tenants/inactive.html", {"inactive_tenant": request.tenant}, status=403
                )
            if not request.membership.has_role(min_role):
                raise PermissionDenied(f"This page is for the {Role(min_role).label.lower()} role and above.")
            if post is not None and request.method == "POST" and not request.membership.has_role(post.role):
                raise PermissionDenied(post.refusal())
            refusal = write_refusal(request)
            if refusal is not None:
                return renewal_required_response(request, refusal)
            return view(request, *args, **kwargs)

        wrapper.min_role = min_role
        wrapper.gate = gate
        wrapper.post_right = post
        return wrapper

    return decorator
