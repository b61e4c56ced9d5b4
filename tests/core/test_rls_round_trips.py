"""The row-level-security setting costs as few round trips as the request's changes of scope need."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def rls_sets(monkeypatch):
    """The `set_config` statements sent to PostgreSQL, counted where psycopg sends them."""
    sent = []
    original = psycopg.Cursor.execute

    def execute(self, query, *args, **kwargs):
        if isinstance(query, str) and query.startswith("SELECT set_config"):
            sent.append(args[0] if args else None)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    return sent


def test_a_signed_in_request_loads_its_user_and_memberships_in_one_scope(owner_client, tenant, rls_sets):
    """The session's user and the user's memberships are both read bypassed, before any tenant is
    known: one change of setting for the two queries, as a connection fresh from the pool starts."""
    connection._rls_applied = None
    response = owner_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["tenant"]["id"] == tenant.pk
    assert len(rls_sets) == 1, rls_sets
    assert rls_sets[0][2] != "none"  # the platform role: the bypass
