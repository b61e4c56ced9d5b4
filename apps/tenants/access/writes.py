"""Expired means read-only, never held hostage: the one rule that refuses a lapsed shop's writes.

`write_refusal(request)` decides, and exactly two gates ask it: `tenant_view` (every tenant page, for
any method but GET, HEAD and OPTIONS) and `TenantRolePermission` (every API endpoint, for unsafe
methods), so every write a member or an API key can send passes through it. A shop whose AMC has
expired (or that a super admin suspended) can still sign in, see and export everything; a write answers
402 with "renew to make changes" and writes nothing. Which contract states refuse is billing's rule
(`apps.billing.selectors.contract_write_refusal`); a tenant with no contract is not refused.

`WRITES_ALLOWED` names the writes that stay open, one reason each. The other channels are not gated,
on purpose:
- Django admin belongs to the super admins who run the platform (renewals and suspensions are made
  there); it is not the shop's channel.
- Celery tasks that change a shop's data are enqueued by a write, on commit: the write is refused
  before its service runs, so its task never starts. Scheduled jobs (sweeps, the AMC lifecycle,
  purges of expired files) are platform work.
- Management commands call services directly: platform work, run by the people who run the platform.
- Services themselves are not gated: billing's own services (renewing) and the platform jobs must
  still write to a lapsed shop's contract.
Retention is unaffected: nothing is deleted when a contract ends.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateformat import format as date_format

from apps.billing import selectors as billing_selectors
from apps.billing.models import Contract

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# URL names whose writes stay open to a shop whose AMC has lapsed, and why. A person's own session and
# account are not behind `tenant_view` today; they are named here so they stay open if they ever are.
WRITES_ALLOWED: dict[str, str] = {
    "reports:export_list": "its form starts a GSTR-1 export: exporting is reading, and a lapsed shop "
    "must still file its returns",
    "reports:export_request": "starts an export of a return or a register: exporting is reading",
    "api:gstr1-return-list": "POST starts a GSTR-1 export through the API: exporting is reading",
    "accounts:logout": "signing out is never refused",
    "tenants:switch": "switching to another shop or workspace changes only the session",
    "accounts:account": "a person's own account (their name), not the shop's data",
    "accounts:password_change": "a person's own password, not the shop's data",
    # The billing pages, where a lapsed shop renews.
    "billing:contract": "the AMC page, where the shop renews",
    "billing:renew": "starts the payment that renews the AMC",
    "billing:checkout_return": "records the payment that renews the AMC, from the checkout's answer",
    "payments:standin_checkout": "the local stand-in for Razorpay's checkout, where the renewal is paid",
}

RENEWAL_REQUIRED_STATUS = 402
_UNSET = object()


def _http(request) -> HttpRequest:
    """The Django request under a REST framework one (attributes set here must outlive the wrapper)."""
    return getattr(request, "_request", request)


def tenant_contract(request) -> Contract | None:
    """The active tenant's AMC contract, read once per request (the banner and the refusal share it)."""
    http = _http(request)
    contract = getattr(http, "_tenant_contract", _UNSET)
    if contract is _UNSET:
        tenant = getattr(http, "tenant", None)
        contract = billing_selectors.contract_for(tenant=tenant) if tenant is not None else None
        http._tenant_contract = contract
    return contract


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def write_refusal(request) -> str | None:
    """Why this request may not change anything, in the words to show; None when it may.

    Reads pass, and so do the writes named in `WRITES_ALLOWED`. Otherwise billing decides (one query);
    a refused write reads the contract once more, for the date the AMC expired on.
    """
    http = _http(request)
    if http.method in READ_METHODS:
        return None
    tenant = getattr(http, "tenant", None)
    if tenant is None:
        return None
    match = getattr(http, "resolver_match", None)
    if match is not None and match.view_name in WRITES_ALLOWED:
        return None
    refusal = billing_selectors.contract_write_refusal(tenant=tenant)
    if refusal is None:
        return None
    contract = tenant_contract(request)
    if contract is not None and contract.state == Contract.State.EXPIRED:
        return _expired_text(contract)
    return refusal  # suspended: billing's words


def expired_on(contract: Contract) -> date:
    """The first day without access: the day after grace's last day."""
    return contract.grace_until + timedelta(days=1)


def _expired_text(contract: Contract) -> str:
    return (
        f"Your AMC has expired on {_day(expired_on(contract))}: renew to make changes. "
        "You can still see and export everything."
    )


def amc_notice(request) -> dict | None:
    """What the banner on every page of a shop in grace, expired or suspended says (None: no banner)."""
    contract = tenant_contract(request)
    if contract is None:
        return None
    state = contract.state
    if state == Contract.State.GRACE:
        text = (
            f"Your AMC ended on {_day(contract.period_end)}; access continues until "
            f"{_day(contract.grace_until)}. Renew to keep making changes."
        )
    elif state == Contract.State.EXPIRED:
        text = _expired_text(contract)
    elif state == Contract.State.SUSPENDED:
        text = billing_selectors.WRITE_REFUSAL_SUSPENDED
    else:
        return None
    return {"state": state, "text": text}


def renewal_required_response(request: HttpRequest, refusal: str) -> HttpResponse:
    """A refused page write: 402 with the refusal page, or for htmx the banner as an alert.

    An htmx request swaps the banner (`#amc-banner`, on every page of a member) with the refusal, so
    the message shows where the user is without losing the page (static/js/app.js lets htmx swap 402).
    """
    context = {"refusal": refusal}
    if getattr(request, "htmx", False):
        response = render(request, "partials/_amc_banner.html", context, status=RENEWAL_REQUIRED_STATUS)
        response["HX-Retarget"] = "#amc-banner"
        response["HX-Reswap"] = "outerHTML show:window:top"
        return response
    return render(request, "402.html", context, status=RENEWAL_REQUIRED_STATUS)
