"""Who may call an API endpoint: a member (person or key) of an active tenant with a high enough role."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from apps.tenants.models import Role


class TenantRolePermission(permissions.BasePermission):
    """Views set `read_role` (default staff) and `write_role` (default admin); `action_roles` names
    the role of one action where it differs (removing an article needs an admin, leaving needs staff)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            # DRF checks permissions before throttles; count anonymous callers before turning them away.
            view.check_throttles(request)
            raise exceptions.NotAuthenticated("Sign in, or send an API key as `Authorization: Bearer tj_…`.")
        membership = getattr(request, "membership", None)
        if membership is None:
            raise exceptions.PermissionDenied("You don't belong to any workspace yet.")
        if not request.tenant.is_active:
            raise exceptions.PermissionDenied(
                f"{request.tenant.name} is deactivated; its data is kept but closed."
            )
        needed = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        if needed is None:
            safe = request.method in permissions.SAFE_METHODS
            needed = (
                getattr(view, "read_role", Role.STAFF) if safe else getattr(view, "write_role", Role.ADMIN)
            )
        if not membership.has_role(needed):
            raise exceptions.PermissionDenied(f"This needs the {Role(needed).label.lower()} role or above.")
        return True
