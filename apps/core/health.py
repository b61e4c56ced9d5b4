"""Health checks for load balancers and monitors: each says 'connected' or 'unavailable', no more.

Details of a failure (hosts, error texts) go to the log, never into the answer, which is public.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from kombu import Connection

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


def check_broker() -> None:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
    url = settings.CELERY_BROKER_URL
    with Connection(url, connect_timeout=2, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks(names: list[str]) -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name in names:
        try:
            CHECKS[name]()
        except Exception:  # a health check must report any failure, whatever raised it
            logger.exception("health check %s failed", name)
            results[name] = "unavailable"
        else:
            results[name] = "connected"
    healthy = all(value == "connected" for value in results.values())
    return healthy, results
