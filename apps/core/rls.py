"""Row-level security: which tenant's rows the database lets the current code see.

On PostgreSQL every table with a `tenant` column has a policy that shows and accepts only the rows of
the tenant named by the session setting `app.tenant_id` (none set: no rows at all). This is the
second wall behind the selectors' `for_tenant()`: a forgotten filter still returns only the current
tenant's rows. The app role that web, workers and beat connect as owns no table and cannot switch
the policies off; the platform role (BYPASSRLS) is taken only inside `rls_bypass()`, by platform-wide
work: sweeps and expiry, Django admin, the platform's statistics, and resolving who a user or an API
key is before any tenant is known.

The truth is two context variables. The database backend (`apps.core.db.postgresql`) brings the
connection in line with them before each query, so a reused connection never carries the previous
request's tenant, whatever happened to its transactions. Requests set them in middleware, Celery
tasks from a header written when the task was sent (beat jobs run bypassed), and management
commands explicitly.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps as django_apps
from django.conf import settings
from django.db import models

from apps.core.context import tenant_id_var

rls_tenant_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("rls_tenant", default=None)
rls_bypass_var: contextvars.ContextVar[bool] = contextvars.ContextVar("rls_bypass", default=False)

POLICY_NAME = "tenant_isolation"
TENANT_SETTING = "app.tenant_id"
TASK_HEADER = "tijori_tenant_id"


def rls_state() -> tuple[str, bool]:
    """What the connection must be set to: the tenant id ('' for none) and whether to bypass."""
    tenant_id = rls_tenant_var.get()
    return ("" if tenant_id is None else str(tenant_id)), rls_bypass_var.get()


def tenant_activate(tenant_id: int | None) -> None:
    """Act for this tenant from now on in this context (logs name it too). Not for bypassed code."""
    rls_tenant_var.set(tenant_id)
    rls_bypass_var.set(False)
    tenant_id_var.set("-" if tenant_id is None else str(tenant_id))


@contextmanager
def tenant_scope(tenant_id: int | None) -> Iterator[None]:
    """Act for one tenant inside the block, then go back to what was before."""
    tenant_token = rls_tenant_var.set(tenant_id)
    bypass_token = rls_bypass_var.set(False)
    log_token = tenant_id_var.set("-" if tenant_id is None else str(tenant_id))
    try:
        yield
    finally:
        tenant_id_var.reset(log_token)
        rls_bypass_var.reset(bypass_token)
        rls_tenant_var.reset(tenant_token)


@contextmanager
def rls_bypass() -> Iterator[None]:
    """See every tenant's rows inside the block: platform-wide work only (see the module's doc)."""
    token = rls_bypass_var.set(True)
    try:
        yield
    finally:
        rls_bypass_var.reset(token)


@contextmanager
def request_scope() -> Iterator[None]:
    """A request starts with no tenant and no bypass and leaves the context as it found it."""
    tenant_token = rls_tenant_var.set(None)
    bypass_token = rls_bypass_var.set(False)
    try:
        yield
    finally:
        rls_bypass_var.reset(bypass_token)
        rls_tenant_var.reset(tenant_token)


# --- Policies, installed after every migrate ------------------------------------------------------


def tenant_tables() -> list[str]:
    """Every table with a `tenant` foreign key: each gets the policy (new apps included)."""
    tables = []
    for model in django_apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "tenant"), None)
        if (
            isinstance(field, models.ForeignKey)
            and field.related_model._meta.label == "tenants.Tenant"
            and model._meta.managed
            and not model._meta.proxy
        ):
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def _policy_sql(table: str, quote) -> list[str]:
    t = quote(table)
    match = f"tenant_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint"
    return [
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        # FORCE: the policy binds the table's owner too (only BYPASSRLS roles and superusers pass).
        f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {t}",
        # A row of no tenant (a platform event in the audit trail) may be written by anyone and read
        # only when bypassed; tenant columns are NOT NULL everywhere else.
        f"CREATE POLICY {POLICY_NAME} ON {t} USING ({match}) WITH CHECK (tenant_id IS NULL OR {match})",
    ]


def _role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def database_secure(*, connection) -> list[str]:
    """Install the tenant policies and grant the app and platform roles their rights (idempotent).

    Runs as the owner after `migrate`. The roles get SELECT, INSERT, UPDATE and DELETE on every table
    and nothing more: no TRUNCATE, no ownership, so they can neither empty a table nor switch off its
    triggers or policies. Returns the tables given a policy.
    """
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    tables = tenant_tables()
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _policy_sql(table, quote):
                cursor.execute(sql)
        for role in (settings.DATABASE_APP_ROLE, settings.DATABASE_PLATFORM_ROLE):
            if not role or not _role_exists(cursor, role):
                continue
            r = quote(role)
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {r}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}")
            cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}")
            cursor.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}"
            )
            cursor.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}"
            )
    return tables


def post_migrate_secure(sender, using, **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    # A flush (tests) sends post_migrate too, as whoever runs it: only the owner may alter tables.
    if settings.DATABASE_APP_ROLE and connection.settings_dict.get("USER") == settings.DATABASE_APP_ROLE:
        return
    database_secure(connection=connection)


# --- Celery: a task acts for the tenant it was sent for ---------------------------------------------


def task_publish_add_tenant(headers=None, **kwargs) -> None:
    """`before_task_publish`: a task sent while acting for a tenant (a retry, say) stays that tenant's."""
    tenant_id = rls_tenant_var.get()
    if headers is not None and tenant_id is not None and not rls_bypass_var.get():
        headers.setdefault(TASK_HEADER, tenant_id)


def task_send(task, *args, tenant_id: int) -> None:
    """Send a task that works for one tenant: wherever it runs, it sees that tenant's rows only."""
    task.apply_async(args=args, headers={TASK_HEADER: tenant_id})


_task_tokens: dict[str, tuple] = {}


def _beat_task_names() -> set[str]:
    return {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}


def task_prerun_set_scope(task_id=None, task=None, **kwargs) -> None:
    """`task_prerun`: a task sent for a tenant acts for it; a beat job is platform-wide.

    Anything else keeps the context it runs in: an eager task its caller's, a worker's task none at
    all, so an unscoped task sees no tenant's rows rather than every tenant's.
    """
    headers = getattr(task.request, "headers", None) or {}
    tenant_id = headers.get(TASK_HEADER, getattr(task.request, TASK_HEADER, None))
    if tenant_id is not None:
        tokens = (rls_tenant_var.set(int(tenant_id)), rls_bypass_var.set(False))
    elif task.name in _beat_task_names():
        tokens = (rls_tenant_var.set(None), rls_bypass_var.set(True))
    else:
        return
    _task_tokens[task_id] = tokens


def task_postrun_reset_scope(task_id=None, **kwargs) -> None:
    tokens = _task_tokens.pop(task_id, None)
    if tokens is not None:
        rls_bypass_var.reset(tokens[1])
        rls_tenant_var.reset(tokens[0])
