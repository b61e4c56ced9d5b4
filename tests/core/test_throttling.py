"""The throttles' sliding log in Redis: one round trip a request, and DRF's rule to the letter."""

from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from apps.core.api.throttling import AnonymousRateThrottle, TenantRateThrottle

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _throttle(cls, clock, rate):
    throttle = cls.__new__(cls)
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    throttle.timer = clock
    return throttle


class ReferenceThrottle(SimpleRateThrottle):
    """DRF's own throttle on a private in-memory cache: the behaviour to match."""

    cache = LocMemCache("reference-throttle", {})

    def get_cache_key(self, request, view):
        return f"reference_{request.tenant.pk}"


def test_decisions_and_retry_after_match_drfs_own_throttle(tenant):
    """3 a minute, requests at chosen times: a burst, one refused, one exactly at the cut-off (DRF
    drops a timestamp at `now - duration`), then a quiet spell that empties the log."""
    ReferenceThrottle.cache.clear()
    request = SimpleNamespace(tenant=tenant)
    clock = Clock(1_764_500_000.123456)
    start = clock.now
    times = [0, 1.5, 2.25, 10, 59.999, 60, 60.5, 61.5, 62.25, 62.3, 200, 200.0001]
    seen = []
    for offset in times:
        clock.now = start + offset
        ours = _throttle(TenantRateThrottle, clock, "3/min")
        reference = _throttle(ReferenceThrottle, clock, "3/min")
        ours_allowed = ours.allow_request(request, None)
        reference_allowed = reference.allow_request(request, None)
        seen.append(ours_allowed)
        assert ours_allowed == reference_allowed, offset
        assert ours.wait() == pytest.approx(reference.wait(), abs=1e-6), offset
    assert seen == [True, True, True, False, False, True, False, True, True, False, True, True]


def test_each_throttled_request_costs_one_redis_round_trip(tenant, monkeypatch):
    import redis.connection

    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    request = SimpleNamespace(tenant=tenant, META={"REMOTE_ADDR": "198.51.100.7"})
    clock = Clock(1_764_500_000.0)
    _throttle(TenantRateThrottle, clock, "5/min").allow_request(request, None)  # script loaded once
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    for _ in range(3):
        clock.now += 1
        assert _throttle(TenantRateThrottle, clock, "5/min").allow_request(request, None)
    assert len(sent) == 3


def test_requests_at_the_same_instant_are_each_counted(tenant):
    """Two processes can read the same clock: each request is its own entry in the log."""
    request = SimpleNamespace(tenant=tenant)
    clock = Clock(1_764_500_000.0)
    allowed = [_throttle(TenantRateThrottle, clock, "2/min").allow_request(request, None) for _ in range(3)]
    assert allowed == [True, True, False]


def test_anonymous_addresses_are_counted_apart(client):
    clock = Clock(1_764_500_000.0)
    first = SimpleNamespace(tenant=None, META={"REMOTE_ADDR": "198.51.100.1"})
    second = SimpleNamespace(tenant=None, META={"REMOTE_ADDR": "198.51.100.2"})
    throttle = _throttle(AnonymousRateThrottle, clock, "1/min")
    assert throttle.allow_request(first, None)
    assert not _throttle(AnonymousRateThrottle, clock, "1/min").allow_request(first, None)
    assert _throttle(AnonymousRateThrottle, clock, "1/min").allow_request(second, None)
