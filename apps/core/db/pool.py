"""PostgreSQL connections from a psycopg pool in each process (Django's `OPTIONS["pool"]`).

Persistent connections (`CONN_MAX_AGE`) with `CONN_HEALTH_CHECKS` send a `SELECT 1` at the start of
every request that touches the database: one round trip spent on nothing. With a pool, a request
takes a connection at its first query and gives it back when it ends. A connection taken from the
pool is pinged only when it has lain unused for `IDLE_CHECK_SECONDS` (long enough for a restart of
PostgreSQL or a dropped idle connection to have happened), and swapped for another if the ping
fails; a busy process never pings. (Django's own `CONN_HEALTH_CHECKS` with a pool would ping on every
checkout.)

Row-level security: a connection taken from the pool is a new connection to the backend
(`apps.core.db.postgresql`), which forgets what it set and sets the tenant and role again before
the first query, so a connection never carries the previous request's tenant.
"""

from __future__ import annotations

import time

IDLE_CHECK_SECONDS = 30
# Set on a psycopg connection when the backend gives it back to the pool.
RETURNED_AT = "_tijori_returned_at"


def connection_needs_check(conn) -> bool:
    """Whether a connection from the pool has been idle long enough to be pinged before use."""
    returned = getattr(conn, RETURNED_AT, None)
    return returned is not None and time.monotonic() - returned >= IDLE_CHECK_SECONDS


def pool_enable(database: dict, *, min_size: int, max_size: int) -> None:
    """Switch one DATABASES entry from persistent connections to a pool of min_size..max_size."""
    database["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistent connections
    database["CONN_HEALTH_CHECKS"] = False  # the idle check (above) replaces the per-request ping
    database.setdefault("OPTIONS", {})["pool"] = {"min_size": min_size, "max_size": max_size}
