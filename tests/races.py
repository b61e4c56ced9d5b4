"""Two writes at once, synchronised on the database instead of on sleeps (PostgreSQL only).

`overlap` runs the first call in a transaction that stays open after its work, starts the second,
and lets the first commit only once PostgreSQL shows the second's backend waiting on a lock
(`pg_stat_activity.wait_event_type = 'Lock'`), or once the second has finished without waiting (the
bug a race test exists to catch). Whatever each call returned or raised is handed back, so a test
asserts every thread's outcome and an exception in a thread is never lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from apps.core.rls import tenant_scope

TIMEOUT = 30.0  # seconds; a healthy race takes well under one


@dataclass
class Race:
    """What each call returned, or the exception it raised; and whether the second waited on a lock."""

    first: Any
    second: Any
    second_waited: bool


def _backend_waits_on_lock(tenant, pid: int) -> bool:
    # Asked as the role the threads log in as: pg_stat_activity hides another role's wait (the test
    # body's bypass role would read NULL).
    with tenant_scope(tenant.pk), connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def overlap(tenant, first: Callable[[], Any], second: Callable[[], Any]) -> Race:
    """Run `first` and `second` at once, each in its own thread and connection, acting for `tenant`
    as a request would; `first` has done its work, uncommitted, before `second` starts."""
    outcomes: dict[str, Any] = {}
    first_done, release = threading.Event(), threading.Event()
    second_pid: list[int] = []

    def run_first() -> None:
        try:
            with tenant_scope(tenant.pk), transaction.atomic():
                outcomes["first"] = first()
                first_done.set()
                if not release.wait(TIMEOUT):
                    raise TimeoutError("the first transaction was never released")
        except BaseException as exc:  # handed to the test, which asserts on it
            outcomes["first"] = exc
        finally:
            first_done.set()
            connection.close()

    def run_second() -> None:
        try:
            connection.ensure_connection()
            second_pid.append(connection.connection.info.backend_pid)
            with tenant_scope(tenant.pk):
                outcomes["second"] = second()
        except BaseException as exc:
            outcomes["second"] = exc
        finally:
            connection.close()

    a = threading.Thread(target=run_first)
    b = threading.Thread(target=run_second)
    a.start()
    waited = False
    try:
        assert first_done.wait(TIMEOUT), "the first call did not finish its work"
        b.start()
        deadline = time.monotonic() + TIMEOUT
        while b.is_alive() and time.monotonic() < deadline:
            if second_pid and _backend_waits_on_lock(tenant, second_pid[0]):
                waited = True
                break
            time.sleep(0.005)  # polling the database, not guessing how long the second takes
        else:
            assert not b.is_alive(), "the second call neither waited on a lock nor finished"
    finally:
        release.set()
        a.join(TIMEOUT)
        if b.ident is not None:
            b.join(TIMEOUT)
    assert not a.is_alive() and not b.is_alive(), "a thread never finished"
    return Race(first=outcomes.get("first"), second=outcomes.get("second"), second_waited=waited)
