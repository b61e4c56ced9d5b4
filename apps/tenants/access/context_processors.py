def tenancy(request) -> dict:
    return {
        "active_tenant": getattr(request, "tenant", None),
        "active_membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
