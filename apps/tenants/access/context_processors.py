from apps.tenants.access.writes import amc_notice
from apps.tenants.rights import rights_held


def tenancy(request) -> dict:
    """The workspace switcher's data, the member's rights, and the AMC banner's words.

    `amc_notice` is read only when a template shows it (base.html does, once): one query, for the
    tenant's contract, shared with the write gate's refusal in the same request.
    """
    membership = getattr(request, "membership", None)
    return {
        "active_tenant": getattr(request, "tenant", None),
        "active_membership": membership,
        "memberships": getattr(request, "memberships", []),
        "can": rights_held(membership.role if membership else None),
        "amc_notice": (lambda: amc_notice(request)) if membership is not None else None,
    }
