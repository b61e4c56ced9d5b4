"""Puts the active tenant and the user's membership in it on every request."""

from __future__ import annotations

from django.urls import reverse

from apps.core.rls import rls_bypass, rls_bypass_var, tenant_activate
from apps.tenants import selectors
from apps.tenants.access.session import active_tenant_choose, active_tenant_chosen


class ActiveTenantMiddleware:
    """Sets request.tenant, request.membership and request.memberships for a signed-in user.

    The active tenant is the one chosen in the session; if the user no longer belongs to it (or
    never chose), the first tenant they belong to, preferring active ones. API requests replace
    these in their authentication class, from the API key.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        request.memberships = []
        # Who the user is and which tenants they may act in: known before any tenant is chosen. The
        # session's user is loaded in the same bypass as the memberships, so the connection's
        # row-level-security setting changes once for both (apps.core.rls), not twice.
        with rls_bypass():
            authenticated = request.user.is_authenticated
            memberships = selectors.user_membership_list(user=request.user) if authenticated else []
        if authenticated:
            request.memberships = memberships
            chosen = active_tenant_chosen(request)
            membership = next((m for m in memberships if m.tenant_id == chosen), None)
            if membership is None and memberships:
                membership = next((m for m in memberships if m.tenant.is_active), memberships[0])
            if membership is not None:
                request.membership = membership
                request.tenant = membership.tenant
                if chosen != membership.tenant_id:
                    active_tenant_choose(request, membership.tenant_id)
                tenant_activate(membership.tenant_id)
            if request.user.is_staff and request.path.startswith(reverse("admin:index")):
                rls_bypass_var.set(True)  # Django admin and /admin/stats/ run the whole platform
        return self.get_response(request)
