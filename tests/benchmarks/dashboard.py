"""The dashboard `/` of a shop holding BENCH_DASHBOARD_ITEMS (10,000) articles: time and queries, with
its stock figures computed (cold) and read from the cache (warm).

A shop is made through the services (owner, membership, contract), its stock inserted in bulk as
`seed.seed_stock` does, then ANALYZE; the owner asks for `/` through Django's test client, in-process
(middleware, session, rendering included; no web server). Cold requests follow a
`tenant_figures_changed` each, as after a write; warm ones follow each other. Printed: median and 90th
percentile milliseconds, and the SQL queries of one request (the cache's own are not SQL with Redis).

On a migrated PostgreSQL database (DATABASE_URL, DATABASE_OWNER_URL and REDIS_URL as for the tests):
    python manage.py shell -c "from tests.benchmarks import dashboard as d; d.print_figures(d.measure())"
"""

from __future__ import annotations

import os
import statistics
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.figures import tenant_figures_changed
from apps.core.rls import rls_bypass
from apps.tenants.access.session import SESSION_KEY as ACTIVE_TENANT_KEY
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.benchmarks.seed import seed_stock

ITEMS = int(os.environ.get("BENCH_DASHBOARD_ITEMS", "") or 10000)
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "") or 60)


def _shop() -> tuple[Tenant, Client]:
    stamp = f"{time.strftime('%H%M%S')}-{os.getpid()}"
    with rls_bypass():
        owner = User.objects.create_user(f"bench-dashboard-{stamp}@example.in", full_name="Bench Owner")
        tenant = tenant_create(owner=owner, kind=Tenant.Kind.SHOP, name=f"Dashboard {stamp}", state_code="27")
        seed_stock(tenants=[tenant], items_per_shop=ITEMS)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(owner.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    store[ACTIVE_TENANT_KEY] = tenant.pk
    store.create()
    client = Client(HTTP_HOST="localhost")
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return tenant, client


def _analyze() -> None:
    alias = "owner" if "owner" in settings.DATABASES else "default"  # ANALYZE skips tables a role doesn't own
    with connections[alias].cursor() as cursor:
        cursor.execute("ANALYZE")


def _timed(client: Client, tenant: Tenant, *, cold: bool) -> dict:
    times, queries = [], 0
    for _ in range(REQUESTS):
        if cold:
            tenant_figures_changed(tenant_id=tenant.pk)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            status = client.get("/").status_code
        times.append(time.perf_counter() - started)
        assert status == 200, status
        queries = len(captured.captured_queries)
    times.sort()
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 1),
        "queries": queries,
    }


def measure() -> dict:
    tenant, client = _shop()
    _analyze()
    for _ in range(3):  # templates compiled, connections open, the planner's first plans
        client.get("/")
    return {
        "items": ITEMS,
        "requests": REQUESTS,
        "cold": _timed(client, tenant, cold=True),
        "warm": _timed(client, tenant, cold=False),
    }


def print_figures(figures: dict) -> None:
    print(
        f"\n/ (dashboard) of a shop with {figures['items']:,} articles, its owner, Django's test client, "
        f"{figures['requests']} requests each:"
    )
    print(f"  {'stock figures':<28}{'median ms':>10}{'p90 ms':>8}{'queries':>9}")
    for label, key in (("computed (after a write)", "cold"), ("from the cache", "warm")):
        row = figures[key]
        print(f"  {label:<28}{row['median_ms']:>10.1f}{row['p90_ms']:>8.1f}{row['queries']:>9}")
