"""Request rates per tenant (or per address when anonymous), counted in the shared cache.

The cache is Redis in production, shared by every web process; a per-process cache would multiply
each limit by the number of processes.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from apps.core.context import client_ip


def _tenant(request):
    return getattr(request, "tenant", None)


class TenantRateThrottle(SimpleRateThrottle):
    """All requests of one tenant, whoever makes them (its people and its keys together)."""

    scope = "tenant"

    def get_cache_key(self, request, view):
        tenant = _tenant(request)
        if tenant is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": tenant.pk}


class AnonymousRateThrottle(AnonRateThrottle):
    """Requests without credentials (and guessed API keys), per client address."""

    scope = "anon"

    def get_ident(self, request):
        """The address the audit trail and the sign-in lockout use: only NUM_PROXIES hops are trusted.

        DRF's own rule takes the whole X-Forwarded-For when NUM_PROXIES is unset, and its first hop
        when fewer arrive than configured: a client could pick a fresh address for every request.
        """
        return client_ip(request.META) or request.META.get("REMOTE_ADDR", "")

    def get_cache_key(self, request, view):
        if _tenant(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ExpensiveOperationThrottle(TenantRateThrottle):
    """A stricter budget for operations that cost real work or money (e-mails, AWS calls)."""

    scope = "expensive"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
