from apps.tenants.rights import rights_held


def tenancy(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "active_tenant": getattr(request, "tenant", None),
        "active_membership": membership,
        "memberships": getattr(request, "memberships", []),
        "can": rights_held(membership.role if membership else None),
    }
