"""Reads from the read replica (DATABASE_READ_URL): reports, registers and exports, nothing else.

A streaming replica is a little behind the primary. Pages that show what someone just did must never
read it, so the replica is opt-in: only the views named in `DATABASE_READ_VIEWS` (and code that asks
with `replica_reads()`) read there, and even then

- every write goes to the primary, and so does every read inside a transaction, which must see its
  own writes and one consistent snapshot;
- a client that has just written (any POST, PUT, PATCH or DELETE) carries the primary's WAL position
  in a signed cookie, and reads the primary until the replica has replayed that far; so a page opened
  right after a write never shows the state from before it;
- a replica that cannot be reached is skipped: the primary answers instead.

Without DATABASE_READ_URL there is no `replica` alias and all of this is a no-op.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import OperationalError

logger = logging.getLogger(__name__)

REPLICA = "replica"
WRITTEN_COOKIE = "tijori_written"
# Longer than any lag the replica-lag alarm lets pass unnoticed; past it a page may read the replica
# even if it has not caught up (the alarm has fired by then).
WRITTEN_COOKIE_SECONDS = 5 * 60
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_replica_reads_var: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside the block, reads outside a transaction come from the replica (when there is one)."""
    token = _replica_reads_var.set(True)
    try:
        yield
    finally:
        _replica_reads_var.reset(token)


def _iterate_on_replica(chunks: Iterable) -> Iterator:
    """A streamed response's rows are read while it streams, after the view has returned."""
    with replica_reads():
        yield from chunks


class ReadReplicaRouter:
    """The primary for everything, unless `replica_reads()` is on and no transaction is open."""

    def db_for_read(self, model, **hints) -> str:
        if (
            _replica_reads_var.get()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        # A row read from the replica is saved to the primary (Django would follow its `_state.db`).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        return True if {obj1._state.db, obj2._state.db} <= aliases else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None


# --- Where the primary is, and whether the replica has got there -------------------------------------


def primary_position() -> str:
    """The primary's current WAL position (e.g. '0/3000148')."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_has_replayed(position: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `position`.

    A server that is not in recovery (the replica alias pointing at a primary) is always up to date.
    """
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [position]
        )
        return bool(cursor.fetchone()[0])


def _replica_usable(request) -> bool:
    try:
        connections[REPLICA].ensure_connection()
        written = request.get_signed_cookie(WRITTEN_COOKIE, default="", max_age=WRITTEN_COOKIE_SECONDS)
        return not written or replica_has_replayed(written)
    except OperationalError:
        logger.warning("read replica unreachable: reading the primary")
        return False


class ReadReplicaMiddleware:
    """Runs the views of DATABASE_READ_VIEWS on the replica; remembers each client's last write."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.view_names = frozenset(settings.DATABASE_READ_VIEWS)

    def __call__(self, request):
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request._replica_token is not None:
                _replica_reads_var.reset(request._replica_token)
        if request._replica_token is not None and response.streaming:
            response.streaming_content = _iterate_on_replica(response.streaming_content)
        if request.method in _WRITE_METHODS and replica_configured() and response.status_code < 500:
            self._remember_write(response)
        return response

    @staticmethod
    def _remember_write(response) -> None:
        try:
            position = primary_position()
        except OperationalError:  # the write's answer stands; the page after it may read the replica
            logger.warning("primary unreachable after a write: its position not remembered")
            return
        response.set_signed_cookie(
            WRITTEN_COOKIE,
            position,
            max_age=WRITTEN_COOKIE_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            replica_configured()
            and match is not None
            and match.view_name in self.view_names
            and _replica_usable(request)
        ):
            request._replica_token = _replica_reads_var.set(True)
        return None
