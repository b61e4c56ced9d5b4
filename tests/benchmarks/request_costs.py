"""`make bench-requests`: what one request to each URL of `make bench` costs in-process, and where it goes.

Seeds a bench database as `make bench` does, smaller (BENCH_REQUEST_SHOPS shops, two people each with
a session, an API key and an open sale; the first shop with BENCH_STOCK_ITEMS articles), then, in a
child process under production settings (the environment gunicorn gets in `make bench`: Redis cache
and sessions, the psycopg pool, row-level security as the app role), calls Django's WSGI handler for
every URL of the single and mixed scenarios BENCH_REQUESTS times, each time as the next person, and
prints per URL: the median and fastest milliseconds a request took, and of the median request's
time, the queries (sent, waited on, read), the templates rendered, and the rest (middleware,
authentication, throttling, the ORM building queries and models, forms, serializers, JSON).
Then the mixed scenario's weighted mean, the figure that sets its throughput on saturated cores.

No server and no client: the figures are the Python a request costs, comparable between commits on
one machine. Settings as for tests/benchmarks/run.py (BENCH_DATABASE_URL, BENCH_REDIS_URL,
BENCH_STOCK_ITEMS), and:
  BENCH_REQUEST_SHOPS  20      shops seeded
  BENCH_REQUESTS       200     requests timed per URL (after 10 not timed)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

SHOPS_ENV, REQUESTS_ENV = "BENCH_REQUEST_SHOPS", "BENCH_REQUESTS"


def harness() -> None:
    from tests.benchmarks import run  # sets up Django on the bench database, as `make bench` does
    from tests.benchmarks.run import MIX, SINGLE, Server, seeding

    shops = run._int(SHOPS_ENV, 20)
    from apps.tenants.models import Tenant  # once Django is set up

    owner = run.settings.DATABASES["owner"]["USER"] if run.DATABASE_OWNER_URL else None
    seeding.database_recreate(run.DATABASE_URL, owner=owner)
    seeding.database_migrate()
    seeded = seeding.seed(shops=shops, people=shops * 2)
    credentials = seeded.credentials
    stock_shop = list(Tenant.objects.filter(pk=credentials[0].tenant_id))
    seeding.seed_stock(tenants=stock_shop, items_per_shop=run.STOCK_ITEMS)
    seeding.seed_sales(credentials=credentials, invoices_per_shop=run.SALES_PER_SHOP)
    with run.connections["owner" if run.DATABASE_OWNER_URL else "default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    run.connection.close()
    print(
        f"seeded {shops} shops, {len(credentials)} people, {run.STOCK_ITEMS:,} articles in the first shop",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="tijori-bench-requests-") as tmp:
        work_dir = Path(tmp)
        server = Server(work_dir)  # not started: its environment and collectstatic are what is needed
        server.collectstatic()
        weights = {(path, auth): weight for path, auth, weight in MIX}
        urls = [(path, auth, weights.get((path, auth), 0)) for path, auth in SINGLE]
        urls += [(path, auth, weight) for path, auth, weight in MIX if (path, auth) not in set(SINGLE)]
        spec = {
            "urls": urls,
            "stock_prefixes": list(run.STOCK_PREFIXES),
            "credentials": [asdict(c) for c in credentials],
            "session_cookie_name": run.settings.SESSION_COOKIE_NAME,
            "requests": run._int(REQUESTS_ENV, 200),
        }
        spec_path = work_dir / "spec.json"
        spec_path.write_text(json.dumps(spec, default=str))
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.request_costs", str(spec_path)],
            cwd=run.BASE_DIR,
            env=server.env,
            check=True,
            timeout=1800,
        )


def measure(spec_path: str) -> None:
    """Under production settings (the child process): time every URL through the WSGI handler."""
    import io
    import logging
    from collections import Counter

    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.template import base

    spec = json.loads(Path(spec_path).read_text())
    app = get_wsgi_application()
    logging.disable(logging.CRITICAL)  # a line per request would be timed too
    spent: Counter = Counter()
    depth = [0]
    render = base.Template._render

    def timed_render(self, context):  # the outermost template only: includes are inside it
        depth[0] += 1
        started = time.perf_counter()
        try:
            return render(self, context)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent["templates"] += time.perf_counter() - started

    def timed_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["queries"] += time.perf_counter() - started
            spent["count"] += 1

    base.Template._render = timed_render
    credentials = spec["credentials"]
    stock_people = [c for c in credentials if c["tenant_id"] == credentials[0]["tenant_id"]]

    def environ(path: str, auth: str, credential: dict) -> dict:
        path, _, query = path.replace("{draft}", str(credential["draft_id"])).partition("?")
        headers = {}
        if auth == "session":
            headers["HTTP_COOKIE"] = f"{spec['session_cookie_name']}={credential['session_key']}"
        elif auth == "key":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {credential['api_key']}"
        return {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": True, "wsgi.run_once": False, **headers,
        }  # fmt: skip

    def one(path: str, auth: str, credential: dict) -> dict:
        spent.clear()
        status = []
        started = time.perf_counter()
        body = b"".join(app(environ(path, auth, credential), lambda s, h, e=None: status.append(s)))
        took = time.perf_counter() - started
        if not status[0].startswith("200"):
            raise SystemExit(f"{path} as {auth}: {status[0]} {body[:200]!r}")
        return {
            "ms": took * 1000,
            **{k: v * 1000 for k, v in spent.items() if k != "count"},
            "q": spent["count"],
        }

    # Every connection the handler opens (the pool's included) reports its queries.
    from django.db.backends.base.base import BaseDatabaseWrapper

    wrapper_init = BaseDatabaseWrapper.__init__

    def init(self, *args, **kwargs):
        wrapper_init(self, *args, **kwargs)
        self.execute_wrappers.append(timed_query)

    BaseDatabaseWrapper.__init__ = init
    for existing in connections.all():
        existing.execute_wrappers.append(timed_query)

    print(f"\nOne request in-process, production settings, {spec['requests']} requests per URL (ms):\n")
    print(f"{'URL':58} {'median':>7} {'fastest':>7} {'queries':>12} {'templates':>9} {'rest':>6}")
    mixed_total = mixed_weight = 0.0
    for path, auth, weight in spec["urls"]:
        people = stock_people if path.startswith(tuple(spec["stock_prefixes"])) else credentials
        for n in range(10):
            one(path, auth, people[n % len(people)])
        runs = sorted(
            (one(path, auth, people[n % len(people)]) for n in range(spec["requests"])), key=lambda r: r["ms"]
        )
        median = runs[len(runs) // 2]
        queries, templates = median.get("queries", 0.0), median.get("templates", 0.0)
        rest = median["ms"] - queries - templates
        print(
            f"{path[:58]:58} {median['ms']:7.2f} {runs[0]['ms']:7.2f} {queries:6.2f} ({median['q']:2d} q) "
            f"{templates:9.2f} {rest:6.2f}",
            flush=True,
        )
        if weight:
            mixed_total += weight * statistics.median(r["ms"] for r in runs)
            mixed_weight += weight
    if mixed_weight:
        print(
            f"\nThe mixed scenario's requests, weighted as it asks for them: {mixed_total / mixed_weight:.2f} ms"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        measure(sys.argv[1])
    else:
        harness()
