"""How many account e-mails (password resets, signup notices) one client or one mailbox can cause.

Without a limit, anyone can fill a stranger's inbox from the password-reset or signup page. The
budget is counted like the API's throttles (DRF's window, in the shared cache), per client address
and per e-mail address; the page answers the same whether or not an e-mail went out.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.normalise import email_normalise
from apps.core.context import client_ip

logger = logging.getLogger(__name__)


class _KeyedThrottle(SimpleRateThrottle):
    """A rate for one thing the caller names, outside an API view."""

    def __init__(self, *, scope: str, rate: str, ident: str) -> None:
        self.scope = scope
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        self.ident = hashlib.sha256(ident.encode()).hexdigest()  # no e-mail addresses in cache keys

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def account_email_allowed(*, request, email: str, purpose: str) -> bool:
    """Whether one more `purpose` e-mail may go out for this request, counting it if so."""
    budgets = [
        _KeyedThrottle(
            scope=f"{purpose}_per_address",
            rate=settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS,
            ident=client_ip(request.META) or "",
        ),
        _KeyedThrottle(
            scope=f"{purpose}_per_email",
            rate=settings.ACCOUNT_EMAIL_RATE_PER_EMAIL,
            ident=email_normalise(email),
        ),
    ]
    allowed = all(budget.allow_request(request, None) for budget in budgets)
    if not allowed:
        logger.warning("%s e-mail not sent: too many for this address or mailbox", purpose)
    return allowed
