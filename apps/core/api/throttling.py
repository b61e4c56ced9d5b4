"""Request rates per tenant (or per address when anonymous), counted in the shared cache.

The cache is Redis in production, shared by every web process; a per-process cache would multiply
each limit by the number of processes.

DRF keeps each key's history as a pickled list of timestamps that every request reads and writes
back whole: two round trips, and at 1,200 requests a minute a 11 kB list unpickled and pickled each
time, with a race between the read and the write. On Redis the same sliding log is a sorted set
trimmed, counted and appended by one server-side script: one round trip, nothing carried over the
wire, atomic. The rule is DRF's to the letter: timestamps at or before `now - duration` drop out, a
request is refused (and not recorded) once `num_requests` remain, and `wait()` is DRF's formula. On
any other cache (the embedded database cache) DRF's own code runs.
"""

from __future__ import annotations

import os

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from apps.core.context import client_ip

# KEYS[1] the log; ARGV: now, the cut-off (now - duration), the limit, this request's member, the
# duration. Times go in as strings so that no float is rounded by Lua's number formatting.
_SLIDING_LOG = """
local key = KEYS[1]
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local count = redis.call('ZCARD', key)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or ''
if count >= tonumber(ARGV[3]) then
  return {0, count, oldest}
end
redis.call('ZADD', key, ARGV[1], ARGV[4])
redis.call('EXPIRE', key, ARGV[5])
if oldest == '' then oldest = ARGV[1] end
return {1, count + 1, oldest}
"""
_script: Script | None = None


class SlidingLogThrottle(SimpleRateThrottle):
    """DRF's throttle with its history kept in a Redis sorted set when the cache is Redis."""

    def allow_request(self, request, view):
        backend = caches[DEFAULT_CACHE_ALIAS]
        if self.rate is None or not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        global _script
        # Not the pickled list's key: a history left in the old shape must not meet a ZSET command.
        key = backend.make_and_validate_key(f"{self.key}:log")
        client = backend._cache.get_client(key, write=True)
        if _script is None:
            _script = client.register_script(_SLIDING_LOG)
        self.now = self.timer()
        allowed, count, oldest = _script(
            keys=[key],
            args=[repr(self.now), repr(self.now - self.duration), self.num_requests,
                  f"{self.now!r}:{os.urandom(6).hex()}", self.duration],
            client=client,
        )  # fmt: skip
        self._count = int(count)
        self._oldest = float(oldest) if self._count else None
        return bool(allowed)

    def wait(self):
        if not hasattr(self, "_count"):
            return super().wait()
        remaining = self.duration - (self.now - self._oldest) if self._count else self.duration
        available = self.num_requests - self._count + 1
        if available <= 0:
            return None
        return remaining / available


def _tenant(request):
    return getattr(request, "tenant", None)


class TenantRateThrottle(SlidingLogThrottle):
    """All requests of one tenant, whoever makes them (its people and its keys together)."""

    scope = "tenant"

    def get_cache_key(self, request, view):
        tenant = _tenant(request)
        if tenant is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": tenant.pk}


class AnonymousRateThrottle(SlidingLogThrottle, AnonRateThrottle):
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
