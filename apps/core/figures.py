"""Figures that add up many rows of one tenant, kept in the shared cache until their inputs change.

The dashboard reads the same aggregates (the stock valuation, the BIS compliance counts) on every
visit, while they change only when the shop writes stock, rates, batches, certificates or its stock
settings. Each tenant has one version token in the cache; a figure is stored together with the token
it was computed under and is served only while that token is still the tenant's. The services that
change a figure's inputs call `tenant_figures_changed`, which sets a new token twice:
- at once, so that a read later in the same transaction computes the figure again;
- when the transaction commits, because another request may have computed the figure meanwhile from
  the rows as they were before the commit, and stored it under the token set "at once": the new token
  leaves that copy unread.
One token per tenant means a write never has to find and delete the keys of every figure (and every
day's), and every key names the tenant, so one tenant's figures are never read for another.

The cache is an accelerator, never the record. When it fails (Redis down or timing out), figures are
computed from the database as if nothing were cached, and a write goes on without its new token.
Stored figures expire after `FIGURE_SECONDS`, which bounds how long a figure can lag a write whose
token was lost that way, or a change made outside the services (a data migration, the shell).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import DatabaseError, transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What the cache backends raise when their server is unreachable: Redis in production, the database
# cache on the embedded defaults (locmem never fails).
CACHE_ERRORS = (RedisError, DatabaseError, OSError)
FIGURE_SECONDS = 600  # also spreads the recomputation of idle shops' figures over time


def _version_key(tenant_id: int) -> str:
    return f"figures:{tenant_id}:version"


def _figure_key(tenant_id: int, name: str) -> str:
    return f"figures:{tenant_id}:{name}"


def _version_set(tenant_id: int) -> None:
    try:
        cache.set(_version_key(tenant_id), secrets.token_hex(8), timeout=None)
    except CACHE_ERRORS as exc:
        logger.warning("figures of tenant %s not marked changed, the cache failed: %s", tenant_id, exc)


def tenant_figures_changed(*, tenant_id: int) -> None:
    """Figures of the tenant computed before now are no longer served (now, and again on commit)."""
    _version_set(tenant_id)
    transaction.on_commit(partial(_version_set, tenant_id))


def tenant_figure(*, tenant_id: int, name: str, compute: Callable[[], T]) -> T:
    """The tenant's figure `name` as `compute()` gives it, from the cache while no input has changed.

    One cache round trip when the figure is there (its token and the tenant's are read together), two
    when it has to be computed and stored. `name` says what the figure depends on besides the tenant's
    rows (a day, for figures that read today's date).
    """
    version_key, figure_key = _version_key(tenant_id), _figure_key(tenant_id, name)
    try:
        found = cache.get_many([version_key, figure_key])
    except CACHE_ERRORS as exc:
        logger.warning("figure %s of tenant %s computed uncached, the cache failed: %s", name, tenant_id, exc)
        return compute()
    version, stored = found.get(version_key), found.get(figure_key)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    value = compute()
    try:
        if version is None:  # never set, or evicted: start one; a token set meanwhile by a write wins
            version = secrets.token_hex(8)
            if not cache.add(version_key, version, timeout=None):
                return value
        cache.set(figure_key, (version, value), timeout=FIGURE_SECONDS)
    except CACHE_ERRORS as exc:
        logger.warning("figure %s of tenant %s not stored, the cache failed: %s", name, tenant_id, exc)
    return value
