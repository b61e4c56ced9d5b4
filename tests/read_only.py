"""The read-only registry: how the walk of tests/billing/test_read_only.py reaches every URL of an expired
shop, and which URLs stand outside the shop's two gates.

The walk sends every write a URL takes as the expired shop's owner and expects 402; it reads every URL
that answers a GET and expects it to work. A URL with parameters is built for the expired shop's own
objects by its isolation case (tests/<app>/isolation_cases.py: the builder makes an object of the
tenant it is given). Where that object does not fit, or a URL has no isolation case, a case here
(or in `tests/<app>/read_only_cases.py`) builds it:

    @read_only_case("inventory:certificate_download")
    def _(tenant):
        return {"certificate_id": ...}

A case may also prepare what a URL without parameters reads (returning `{}`): the shop's AWS account.

The walk fails for a URL with parameters that has no case of either kind, and for a URL that is
neither behind `tenant_view` nor an API endpoint under `TenantRolePermission` nor listed in `OUTSIDE`,
so a new URL cannot skip the check.
"""

from __future__ import annotations

from collections.abc import Callable

CASES: dict[str, Callable] = {}

# URLs behind neither gate, and why a lapsed AMC has nothing to refuse there.
OUTSIDE: dict[str, str] = {
    "core:health": "the platform's health, read by load balancers",
    "core:health_live": "the platform's liveness, read by load balancers",
    "core:health_component": "one health check of the platform",
    "core:private_file": "a signed, expiring link to a file a member was allowed to read: reading",
    "core:public_media": "public files (shop logos): reading",
    "accounts:signup": "a new person's account, before any shop",
    "accounts:signup_done": "a page saying the sign-up mail was sent",
    "accounts:invitation_accept": "joining a workspace by an invitation sent while it could still invite",
    "accounts:login": "signing in is never refused",
    "accounts:logout": "signing out is never refused",
    "accounts:account": "a person's own account, not the shop's data",
    "accounts:password_change": "a person's own password, not the shop's data",
    "accounts:password_reset": "a person's own password",
    "accounts:password_reset_done": "a person's own password",
    "accounts:password_reset_confirm": "a person's own password",
    "accounts:password_reset_complete": "a person's own password",
    "tenants:switch": "switching to another workspace changes only the session",
    "tenants:workspace_new": "a new shop or workspace of one's own, with its own contract",
    "invoicing:bill_shared": "a signed link a shop gave its buyer: reading a bill",
    "provisioning:preview_file": "a signed link to a deployed site's files: reading",
    "schema": "the API's OpenAPI schema: reading",
    "openapi-json": "the API's OpenAPI schema: reading",
    "api-docs": "the API's documentation: reading",
    "admin-stats": "the platform dashboard of super admins",
    "payments:razorpay_webhook": "Razorpay's signed webhook: records the payment that renews an AMC",
}


def read_only_case(url_name: str):
    """Register `build(tenant) -> kwargs` for `url_name`: the URL of one of `tenant`'s own objects
    (or `{}`, for a URL without parameters, once what it reads is in place)."""

    def register(build: Callable) -> Callable:
        if url_name in CASES:
            raise ValueError(f"two read-only cases for {url_name}")
        CASES[url_name] = build
        return build

    return register
