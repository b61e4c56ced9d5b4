"""Puts the active tenant and the user's membership in it on every request."""

from __future__ import annotations

from apps.core.context import tenant_id_var
from apps.tenants import selectors

SESSION_KEY = "active_tenant_id"


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
        if request.user.is_authenticated:
            memberships = selectors.user_membership_list(user=request.user)
            request.memberships = memberships
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.tenant_id == chosen), None)
            if membership is None and memberships:
                membership = next((m for m in memberships if m.tenant.is_active), memberships[0])
            if membership is not None:
                request.membership = membership
                request.tenant = membership.tenant
                if chosen != membership.tenant_id:
                    request.session[SESSION_KEY] = membership.tenant_id
                tenant_id_var.set(str(membership.tenant_id))
        return self.get_response(request)
