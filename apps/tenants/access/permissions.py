"""Who may call an API endpoint: a member (person or key) of an active tenant with a high enough role;
and, for a write, of a shop whose AMC has not lapsed (`access.writes`)."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from apps.tenants.access.writes import RENEWAL_REQUIRED_STATUS, write_refusal
from apps.tenants.models import Role
from apps.tenants.rights import Right, role_of


class RenewalRequired(exceptions.APIException):
    """A write of a shop whose AMC has lapsed: 402, `renewal_required`, with the words to show."""

    status_code = RENEWAL_REQUIRED_STATUS
    default_code = "renewal_required"
    default_detail = "Renew the AMC to make changes."


def required_gate(view, action: str | None, method: str) -> Right | str:
    """What an endpoint's action needs: a right from `apps.tenants.rights`, or at the staff level a role.

    Views set `read_role` (default staff) and `write_role` (default admin); `action_roles` names the
    gate of one action where it differs (removing an article needs an admin, leaving needs staff).
    """
    needed = getattr(view, "action_roles", {}).get(action)
    if needed is None:
        safe = method in permissions.SAFE_METHODS
        needed = getattr(view, "read_role", Role.STAFF) if safe else getattr(view, "write_role", Role.ADMIN)
    return needed


class TenantRolePermission(permissions.BasePermission):
    """A member (person or key) of an active tenant whose role reaches the action's `required_gate`;
    a write the endpoint takes, of a shop whose AMC has lapsed, is refused with 402 (`RenewalRequired`)."""

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
        gate = required_gate(view, getattr(view, "action", None), request.method)
        if not membership.has_role(role_of(gate)):
            if isinstance(gate, Right):
                raise exceptions.PermissionDenied(gate.refusal())
            raise exceptions.PermissionDenied(f"This needs the {Role(gate).label.lower()} role or above.")
        # A method the endpoint does not take still answers 405, whatever the contract.
        if hasattr(view, request.method.lower()):
            refusal = write_refusal(request)
            if refusal is not None:
                raise RenewalRequired(refusal)
        return True
