"""Who may give which role, and who may change or remove whom: the team's rules, written once.

Pure functions over memberships, so every channel (pages, the API with a session, the API with a
key) and every screen that shows or hides a button asks the same question and gets the same answer.
"""

from __future__ import annotations

from apps.core.exceptions import ApplicationError
from apps.tenants.exceptions import LastOwnerError, RoleNotAllowedError
from apps.tenants.models import Membership, Role
from apps.tenants.rights import OWNERS_MANAGE, TEAM_MANAGE


def role_grant_refusal(*, actor_membership: Membership, role: str, what: str) -> RoleNotAllowedError | None:
    """Nobody hands out a role above their own (to a person invited, or to an API key)."""
    if Role.rank(role) > Role.rank(actor_membership.role):
        return RoleNotAllowedError(
            f"You can't give {what} the {Role(role).label} role: it is above your own."
        )
    return None


def membership_acts_as_self(*, actor_membership: Membership, membership: Membership) -> bool:
    """Whether the actor is the member themselves, holding that member's full role.

    An API key acts as its maker but with its own role, capped by the maker's. A key with a lesser
    role than its maker is not the maker: it cannot make them leave, any more than a member of that
    role could remove them.
    """
    return actor_membership.user_id == membership.user_id and actor_membership.role == membership.role


def membership_change_refusal(
    *, actor_membership: Membership, membership: Membership, role: str | None, owner_count: int
) -> ApplicationError | None:
    """Why the actor may not give `membership` the `role` (or remove it, when `role` is None); else None.

    - staff change nobody's role, and remove only themselves (leave);
    - admins never change or remove an owner, and never make anyone an owner;
    - only owners make owners;
    - the last owner is never demoted or removed.
    The first three are the actor's permission (403); the last is the team's state (409), checked
    only once the actor is allowed, so a refusal never hints at more than the actor may know.
    """
    assert actor_membership.tenant_id == membership.tenant_id
    actor_role = actor_membership.role
    removing = role is None
    if removing:
        if not membership_acts_as_self(actor_membership=actor_membership, membership=membership):
            if not TEAM_MANAGE.held_by(actor_role):
                return RoleNotAllowedError("Staff can only leave the team; owners and admins remove members.")
            if membership.role == Role.OWNER and not OWNERS_MANAGE.held_by(actor_role):
                return RoleNotAllowedError("Only an owner can remove an owner.")
    else:
        if not TEAM_MANAGE.held_by(actor_role):
            return RoleNotAllowedError("Only owners and admins can change roles.")
        if membership.role == Role.OWNER and not OWNERS_MANAGE.held_by(actor_role):
            return RoleNotAllowedError("Only an owner can change an owner's role.")
        if role == Role.OWNER and not OWNERS_MANAGE.held_by(actor_role):
            return RoleNotAllowedError("Only an owner can make someone an owner.")
    if membership.role == Role.OWNER and role != Role.OWNER and owner_count <= 1:
        if removing and membership_acts_as_self(actor_membership=actor_membership, membership=membership):
            return LastOwnerError(
                "You are the only owner, so you can't leave. Make someone else an owner first."
            )
        return LastOwnerError("This is the only owner. Make someone else an owner first.")
    return None
