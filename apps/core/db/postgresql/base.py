"""PostgreSQL, with the connection kept in line with the row-level-security context.

Before a cursor is handed out, the session's `app.tenant_id` and role are compared with what
`apps.core.rls` says the current code acts as, and set when they differ: one extra round trip when
the tenant changes, none otherwise. A session setting made inside a transaction is undone when that
transaction (or savepoint) rolls back, so a rollback forgets what was set and the next cursor sets it
again. Nothing is left for the next user of a reused connection: each query is checked against the
context of the code that runs it. A connection taken from a pool (`apps.core.db.pool`) counts as a
new one: its first cursor sets the tenant and role whatever the connection last carried.
"""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import Error as PsycopgError
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool

from apps.core.db.pool import RETURNED_AT, connection_needs_check
from apps.core.rls import TENANT_SETTING, rls_state


def _forget_inherited_pools() -> None:
    """A forked child (a Celery prefork worker) opens its own pool: the parent's pool threads did not
    survive the fork, and its connections' sockets are the parent's."""
    base.DatabaseWrapper._connection_pools.clear()


os.register_at_fork(after_in_child=_forget_inherited_pools)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rls_applied: tuple[str, bool] | None = None

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._rls_sync()
        return cursor

    def _rls_sync(self) -> None:
        wanted = rls_state()
        if wanted == self._rls_applied:
            return
        if self.needs_rollback or self.connection.info.transaction_status == TransactionStatus.INERROR:
            return  # only a rollback runs now (after which this syncs again), or the query fails anyway
        tenant, bypass = wanted
        # 'none' is RESET ROLE: back to the role the connection logged in as.
        role = settings.DATABASE_PLATFORM_ROLE if bypass and settings.DATABASE_PLATFORM_ROLE else "none"
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config('role', %s, false)",
                [TENANT_SETTING, tenant, role],
            )
        self._rls_applied = wanted

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.pool and connection_needs_check(connection):
            try:
                ConnectionPool.check_connection(connection)
            except PsycopgError:
                self.pool.putconn(connection)  # closed: the pool drops it and opens a new one
                connection = super().get_new_connection(conn_params)
        return connection

    def connect(self):
        self._rls_applied = None
        super().connect()

    def _close(self):
        self._rls_applied = None
        if self.pool and self.connection is not None:
            setattr(self.connection, RETURNED_AT, time.monotonic())  # see apps.core.db.pool
        return super()._close()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._rls_applied = None

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self._rls_applied = None
