"""PostgreSQL enforces what the code promises: the app role owns nothing, the audit trail cannot be
emptied or rewritten, and row-level security shows each tenant only its rows, whatever the query."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.http import JsonResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated

from apps.audit.models import AuditEvent
from apps.audit.services import audit_record
from apps.core.rls import TASK_HEADER, request_scope, rls_bypass, tenant_activate, tenant_scope, tenant_tables
from apps.inventory.models import Purity, StockItem
from apps.inventory.services import stock_item_create
from apps.tenants.models import Membership
from tests.api_helpers import ApiClient, make_key

pytestmark = pytest.mark.postgres


def _app_models():
    from django.apps import apps

    return [m for m in apps.get_models() if m._meta.db_table in set(tenant_tables())]


def _tenants_seen_view(request):
    """Deliberately unscoped: every tenant table read with objects.all(), as a forgotten filter would."""
    seen = {}
    for model in _app_models():
        seen[model._meta.db_table] = sorted(
            {t for t in model.objects.all().values_list("tenant_id", flat=True) if t is not None}
        )
    return JsonResponse(seen)


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def _tenants_seen_api(request):
    """The same through DRF, so that an API key authenticates the request."""
    return _tenants_seen_view(request)


urlpatterns = [
    path("unscoped/", _tenants_seen_view),
    path("api/v1/unscoped/", _tenants_seen_api),
]


def _item(tenant, owner, name="Ring"):
    purity = Purity.objects.get(karat="22K")
    return stock_item_create(tenant=tenant, actor=owner, name=name, purity=purity, gross_weight="4")


def _sql_error(sql: str, params=None) -> str:
    """Run one statement in a savepoint as the current connection's role; return the refusal."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    return str(caught.value)


def _owner_connection():
    db, owner = connections["default"].settings_dict, settings.DATABASES["owner"]
    info = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "dbname": db["NAME"]}
    info["user"] = owner["USER"]
    if owner.get("PASSWORD"):
        info["password"] = owner["PASSWORD"]
    return psycopg.connect(**info)


def test_the_suite_runs_as_an_app_role_that_owns_nothing_and_cannot_bypass_the_policies():
    assert "owner" in settings.DATABASES, "set DATABASE_OWNER_URL: tests must run as the app role"
    with request_scope(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]
    assert user == settings.DATABASE_APP_ROLE != settings.DATABASES["owner"]["USER"]
    assert (superuser, bypass, owned) == (False, False, 0)


def test_every_tenant_table_has_a_forced_policy():
    tables = tenant_tables()
    assert {"inventory_stockitem", "tenants_membership", "audit_auditevent", "tenants_apikey"} <= set(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) AND c.relrowsecurity "
            "AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)",
            [tables],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert protected == set(tables)


@pytest.mark.parametrize("as_platform", [False, True], ids=["app role", "platform role (bypassed)"])
def test_the_app_cannot_empty_rewrite_or_unguard_the_audit_trail(tenant, owner, as_platform):
    event = AuditEvent.objects.filter(tenant=tenant).first()
    with rls_bypass() if as_platform else tenant_scope(tenant.pk):
        assert "permission denied" in _sql_error("TRUNCATE audit_auditevent")
        assert "permission denied" in _sql_error("TRUNCATE inventory_stockitem")
        assert "audit events cannot be changed" in _sql_error(
            "UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [event.pk]
        )
        assert "kept for 7 years" in _sql_error("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        for sql in (
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_event_append_only ON audit_auditevent",
            "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
            "ALTER TABLE inventory_stockitem DISABLE ROW LEVEL SECURITY",
            "DROP POLICY tenant_isolation ON inventory_stockitem",
        ):
            assert "must be owner" in _sql_error(sql), sql
        assert "permission denied to set role" in _sql_error(
            f"SET ROLE {settings.DATABASES['owner']['USER']}"
        )
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


@pytest.mark.django_db(transaction=True)
def test_even_the_owner_cannot_truncate_the_audit_trail(tenant):
    with _owner_connection() as conn, conn.cursor() as cursor:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="cannot be truncated"):
            cursor.execute("TRUNCATE audit_auditevent")
        conn.rollback()
        cursor.execute("SELECT count(*) FROM audit_auditevent WHERE tenant_id = %s", [tenant.pk])
        assert cursor.fetchone()[0] >= 1


def test_no_tenant_means_no_rows_and_no_writes(tenant, owner):
    _item(tenant, owner)
    with request_scope():
        assert StockItem.objects.count() == 0
        assert Membership.objects.count() == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            AuditEvent.objects.bulk_create(
                [AuditEvent(tenant=tenant, action="x", summary="x", created_at=event_time())]
            )


def event_time():
    from django.utils import timezone

    return timezone.now()


def test_a_tenant_cannot_write_a_row_into_another_tenant(tenant, owner, other_tenant):
    _item(tenant, owner)
    with tenant_scope(tenant.pk):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            audit_record(tenant=other_tenant, actor=None, action="x.y", summary="planted")
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            StockItem.objects.filter(tenant=tenant).update(tenant=other_tenant)
    assert not AuditEvent.objects.filter(tenant=other_tenant, action="x.y").exists()
    assert not StockItem.objects.filter(tenant=other_tenant).exists()


def test_one_connection_used_for_a_then_b_shows_b_nothing_of_a(tenant, owner, other_tenant, other_owner):
    _item(tenant, owner, "A's ring")
    _item(other_tenant, other_owner, "B's ring")
    conn_id = connection.connection.info.backend_pid
    with tenant_scope(tenant.pk):
        assert set(StockItem.objects.values_list("tenant_id", flat=True)) == {tenant.pk}
    with tenant_scope(other_tenant.pk):
        assert set(StockItem.objects.values_list("tenant_id", flat=True)) == {other_tenant.pk}
    # A setting made inside a savepoint that rolls back is undone by PostgreSQL: the next query sets it again.
    with tenant_scope(other_tenant.pk):
        assert set(StockItem.objects.values_list("tenant_id", flat=True)) == {other_tenant.pk}
        try:
            with transaction.atomic():
                tenant_activate(tenant.pk)  # as the invitation page does, mid-request
                assert set(StockItem.objects.values_list("tenant_id", flat=True)) == {tenant.pk}
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert set(StockItem.objects.values_list("tenant_id", flat=True)) == {tenant.pk}
    with request_scope():
        assert StockItem.objects.count() == 0
    assert connection.connection.info.backend_pid == conn_id  # one and the same session throughout


@pytest.mark.urls(__name__)
def test_an_unscoped_query_in_a_request_sees_only_the_requests_tenant(
    make_client, tenant, owner, other_tenant, other_owner
):
    _item(tenant, owner, "A's ring")
    _item(other_tenant, other_owner, "B's ring")
    seen_by_a = make_client(owner, tenant).get("/unscoped/").json()
    assert seen_by_a["inventory_stockitem"] == [tenant.pk]
    assert all(ids in ([], [tenant.pk]) for ids in seen_by_a.values()), seen_by_a
    # The same connection next serves B, by session and then by API key: nothing of A is left on it.
    seen_by_b = make_client(other_owner, other_tenant).get("/unscoped/").json()
    assert seen_by_b["inventory_stockitem"] == [other_tenant.pk]
    assert all(ids in ([], [other_tenant.pk]) for ids in seen_by_b.values()), seen_by_b
    by_key = ApiClient(make_key(other_tenant, other_owner, "owner")).get("/api/v1/unscoped/").json()
    assert by_key["inventory_stockitem"] == [other_tenant.pk]
    assert all(ids in ([], [other_tenant.pk]) for ids in by_key.values()), by_key


def test_a_task_sent_for_a_tenant_sees_that_tenant_only(tenant, owner, other_tenant, other_owner):
    from celery import shared_task

    from apps.core.rls import task_send

    _item(tenant, owner)
    _item(other_tenant, other_owner)
    seen = []

    @shared_task(name="tests.rls_probe_task")
    def probe():
        seen.append(sorted(set(StockItem.objects.values_list("tenant_id", flat=True))))

    task_send(probe, tenant_id=other_tenant.pk)
    with request_scope():  # a task sent with no tenant sees nothing at all
        probe.delay()
    assert seen == [[other_tenant.pk], []]
    assert TASK_HEADER == "tijori_tenant_id"
