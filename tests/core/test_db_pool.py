"""Connections from a psycopg pool (production's default): no tenant carried from one user to the
next, no health-check query per checkout, an idle connection checked and replaced when dead."""

from __future__ import annotations

import copy
import os

import psycopg
import pytest
from django.db import connection
from psycopg.pq import TransactionStatus

from apps.core.db import pool as db_pool
from apps.core.db.postgresql.base import DatabaseWrapper
from apps.core.rls import TENANT_SETTING, request_scope, rls_bypass, tenant_scope
from apps.tenants.models import Membership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pooled():
    """A second alias on the test database, pooled as production configures it, with one connection
    so that every checkout gets the same one back."""
    settings_dict = copy.deepcopy(connection.settings_dict)
    db_pool.pool_enable(settings_dict, min_size=1, max_size=1)
    wrapper = DatabaseWrapper(settings_dict, alias="pooled_test")
    yield wrapper
    wrapper.close()
    wrapper.close_pool()


def _one(wrapper, sql, params=None):
    with wrapper.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _raw(wrapper):
    return wrapper.connection.pgconn


def test_next_user_of_a_pooled_connection_never_sees_the_last_tenant(pooled, tenant, other_tenant):
    with rls_bypass():
        tenant_rows = Membership.objects.filter(tenant=tenant).count()
    assert tenant_rows >= 1
    with request_scope(), tenant_scope(tenant.pk):
        assert _one(pooled, "SELECT count(*) FROM tenants_membership") == tenant_rows
        first = _raw(pooled)
    pooled.close()  # the end of a request: back to the pool, still set to `tenant` on the server
    with request_scope():  # the next request, before it knows whose it is
        assert _one(pooled, f"SELECT current_setting('{TENANT_SETTING}', true)") == ""
        assert _one(pooled, "SELECT count(*) FROM tenants_membership") == 0
        assert _raw(pooled) is first  # the very same server connection, reused
    pooled.close()
    with request_scope(), tenant_scope(other_tenant.pk):
        ids = _one(pooled, "SELECT array_agg(DISTINCT tenant_id) FROM tenants_membership")
        assert ids == [other_tenant.pk]


def test_a_connection_another_thread_used_is_set_again(pooled, tenant, other_tenant):
    """Two threads' wrappers share the process's pool: what one of them set last time is no guide."""
    second = DatabaseWrapper(pooled.settings_dict, alias=pooled.alias)
    try:
        with request_scope(), tenant_scope(tenant.pk):
            _one(pooled, "SELECT 1")
        pooled.close()
        with request_scope(), tenant_scope(other_tenant.pk):
            _one(second, "SELECT 1")
        second.close()
        with request_scope(), tenant_scope(tenant.pk):
            ids = _one(pooled, "SELECT array_agg(DISTINCT tenant_id) FROM tenants_membership")
            assert ids == [tenant.pk]
    finally:
        second.close()


def test_a_busy_connection_is_handed_out_without_a_ping(pooled, monkeypatch):
    with request_scope():
        _one(pooled, "SELECT 1")
    pooled.close()
    sent = []
    from psycopg_pool import ConnectionPool

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(lambda conn: sent.append(conn)))
    with request_scope():
        _one(pooled, "SELECT 2")
    assert sent == []


def test_an_idle_dead_connection_is_replaced_before_use(pooled, monkeypatch):
    with request_scope():
        _one(pooled, "SELECT 1")
        dead = pooled.connection
    pooled.close()
    monkeypatch.setattr(db_pool, "IDLE_CHECK_SECONDS", 0)  # every returned connection counts as idle
    # The server drops it, as a PostgreSQL restart would (asked by another session of the same role).
    params = {k: v for k, v in pooled.get_connection_params().items() if k != "pool"}
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dead.info.backend_pid])
    with request_scope():
        assert _one(pooled, "SELECT 3") == 3
        assert pooled.connection is not dead
        assert pooled.connection.info.transaction_status != TransactionStatus.UNKNOWN


def test_a_forked_child_opens_its_own_pool(pooled):
    """A Celery prefork child must not take connections from the pool its parent opened."""
    with request_scope():
        _one(pooled, "SELECT 1")
    pooled.close()
    assert pooled.alias in DatabaseWrapper._connection_pools
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        os._exit(0 if pooled.alias not in DatabaseWrapper._connection_pools else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pooled.alias in DatabaseWrapper._connection_pools  # the parent keeps its own
