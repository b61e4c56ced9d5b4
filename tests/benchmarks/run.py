"""`make bench`: gunicorn under production settings, loaded by locust, on a seeded PostgreSQL database.

Steps: drop and recreate the bench database, migrate, seed shops (members, audit trails, an API key
each, logged-in sessions); count the SQL queries of one request per URL in-process (Django test
client, same database); collect static files and start gunicorn on 127.0.0.1 with
docker/gunicorn.conf.py; then, one locust process per scenario, measure each URL alone at
saturation and finally a mix of pages and API calls by hundreds of people with think time.

Prints requests/s, p50/p95/p99, errors, queries per request and throughput relative to
/api/health/live (same server, same run), and the times, queries and peak memory of a 10,000-row
stock CSV import (tests/benchmarks/imports.py, run before the server starts) and of /admin/stats/ over
thousands of shops' AMC billing (tests/benchmarks/billing_stats.py), and of the stock list, the
invoice list and the new-sale scan in one shop of 1,000 to 100,000 articles and invoices
(tests/benchmarks/lists.py); writes every figure to var/bench/<time>.json.
Figures, not pass/fail thresholds: the load generator, gunicorn, PostgreSQL and Redis share the
machine's CPUs, so absolute numbers only compare with runs on the same machine.

Database roles, as in production (`manage.py db_roles` made them): the superuser postgres drops and
recreates the bench database owned by the owner role, `migrate` runs as the owner (installing the
row-level-security policies), and the harness and gunicorn connect as the app role, under RLS; seeding
writes every tenant's rows inside `rls_bypass()`. BENCH_DB_ROLES=0: the old way, everything as
BENCH_DATABASE_URL's superuser, which bypasses RLS.

Settings, from the environment:
  BENCH_DATABASE_URL   postgres://tijori_app@127.0.0.1:5432/tijori_bench (dropped and recreated!);
                       with BENCH_DB_ROLES=0, postgres://postgres@127.0.0.1:5432/tijori_bench
  BENCH_DATABASE_OWNER_URL  the same URL as tijori_owner; ignored with BENCH_DB_ROLES=0
  BENCH_DB_ROLES       1         0: connect as one superuser, no owner/app roles, RLS bypassed
  BENCH_REDIS_URL      redis://127.0.0.1:6379/2
  BENCH_SHOPS          300       shops seeded
  BENCH_SECONDS        20        measured seconds per single-URL scenario
  BENCH_USERS          32        concurrent locust users in those (no think time)
  BENCH_SPAWN          8         users added per second in those, before the window opens
  BENCH_MIXED_USERS    500       people in the mixed scenario (1-3 s think time)
  BENCH_MIXED_SPAWN    50        people added per second before the mixed window opens
  BENCH_MIXED_SECONDS  60        measured seconds of the mixed scenario
  GUNICORN_WORKERS     1 per CPU; GUNICORN_THREADS 4 (as docker/gunicorn.conf.py)
  BENCH_GUNICORN_ARGS  ""        extra gunicorn options over the config file, e.g. "--max-requests 0"
  BENCH_STOCK_SHOPS    2         shops given a large stock (the first ones seeded)
  BENCH_SALES_PER_SHOP 20        invoices issued in each shop (and one open sale per person)
  BENCH_STOCK_ITEMS    10000     articles in each of them, for the stock list page and API
  BENCH_STACKS         20        stacks provisioned at once (moto server, BENCH_PROVISION_WORKERS=2 workers)
  BENCH_EXPIRED        1000      expired projects the expiry sweep goes through
  BENCH_IMPORT_ROWS    10000     rows of the stock CSV imported
  BENCH_IMPORT_EXISTING 5000     articles the importing shop already holds
  BENCH_INVOICES       2000      drafts issued by BENCH_ISSUERS (32) issuers at once (tests/benchmarks/invoicing.py)
  BENCH_GSTR1_SIZES    10000,50000,100000  documents in one shop's month, GSTR-1 JSON written at each (gstr1.py)
  BENCH_STATS_SHOPS    5000      shops given three years of AMC billing, /admin/stats/ timed (billing_stats.py)
  BENCH_LIST_SIZES     1000,10000,100000  articles and invoices of one shop, its lists timed at each (lists.py)
  BENCH_DASHBOARD_ITEMS 10000    articles of the shop whose dashboard is timed cold and cached (dashboard.py)
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


def _as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.netloc.rpartition('@')[2]}"))


DB_ROLES = os.environ.get("BENCH_DB_ROLES", "1") != "0"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or (
    f"postgres://{'tijori_app' if DB_ROLES else 'postgres'}@127.0.0.1:5432/tijori_bench"
)
DATABASE_OWNER_URL = (
    (os.environ.get("BENCH_DATABASE_OWNER_URL") or _as_user(DATABASE_URL, "tijori_owner")) if DB_ROLES else ""
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/2"
SHOPS = _int("BENCH_SHOPS", 300)
SECONDS = _int("BENCH_SECONDS", 20)
USERS = _int("BENCH_USERS", 32)
MIXED_USERS = _int("BENCH_MIXED_USERS", 500)
MIXED_SPAWN = _int("BENCH_MIXED_SPAWN", 50)
# Users of a single-URL scenario join a few a second, so that each connects while the workers are busy
# and the less busy one accepts it: all at once, one worker could accept every keep-alive connection and
# the scenario would measure one core (the report prints each worker's share).
SINGLE_SPAWN = _int("BENCH_SPAWN", 8)
MIXED_SECONDS = _int("BENCH_MIXED_SECONDS", 60)
STOCK_SHOPS = _int("BENCH_STOCK_SHOPS", 2)
SALES_PER_SHOP = _int("BENCH_SALES_PER_SHOP", 20)
STOCK_ITEMS = _int("BENCH_STOCK_ITEMS", 10000)
CPUS = os.cpu_count() or 1
WORKERS = _int("GUNICORN_WORKERS", CPUS)
THREADS = _int("GUNICORN_THREADS", 4)
GUNICORN_ARGS = shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", ""))
# Raised far above any rate reached here: a 429 would measure the throttle, not the application.
THROTTLE = "10000000/min"
# The deployment target the mixed scenario is read against.
TARGET_API_P95_MS = 200
TARGET_PEOPLE = "300-500"

SINGLE = [
    ("/api/health/live", "none"),
    ("/api/health", "none"),
    ("/", "session"),
    ("/api/v1/me", "key"),
    ("/api/v1/audit-events?page_size=50", "key"),
    # A shop with 10,000 articles: a page of 50 with a filter, the page and the API.
    ("/stock/?hallmark_status=hallmarked&page=3", "session"),
    ("/stock/?q=BN-01&ordering=-net_weight", "session"),
    ("/api/v1/stock-items?hallmark_status=hallmarked&page=3&page_size=50", "key"),
    # The counter: a sale being rung up ({draft}: each person's own open draft) and the day's bills.
    ("/sales/{draft}/", "session"),
    ("/sales/", "session"),
    ("/api/v1/invoices?page_size=50", "key"),
]
# The figures these scenarios had at 8d0d39b on an idle 2-core machine (the performance issue's table:
# req/s, ratio to /api/health/live in the same run, p95 ms) and the ratio each is to reach.
BASELINE = {
    "/": (59.8, 0.042, 1000, 0.15),
    "/api/v1/me": (232.9, 0.163, 440, 0.40),
    "/api/v1/audit-events?page_size=50": (112.2, 0.078, 810, 0.25),
    "/stock/?hallmark_status=hallmarked&page=3": (31.5, 0.022, 2700, 0.10),
    "/stock/?q=BN-01&ordering=-net_weight": (22.3, 0.016, 1800, 0.10),
    "/api/v1/stock-items?hallmark_status=hallmarked&page=3&page_size=50": (63.4, 0.044, 1000, 0.25),
}
BASELINE_LIVE = 1430  # req/s of /api/health/live in that run
# Paths only the shops with a large stock are sent to.
STOCK_PREFIXES = ("/stock/", "/api/v1/stock-items")
# Half pages, half API calls; the dashboard is what people open most.
MIX = [
    ("/", "session", 3),
    ("/settings/team/", "session", 1),
    ("/settings/audit/", "session", 1),
    ("/api/v1/me", "key", 2),
    ("/api/v1/audit-events?page_size=50", "key", 2),
    ("/api/v1/members", "key", 1),
    ("/sales/{draft}/", "session", 2),
    ("/sales/", "session", 1),
    ("/api/v1/invoices?page_size=50", "key", 1),
]

# The harness process itself: test settings (cheap hasher, no manifest storage) on the bench
# database, with Redis as the cache so the query counts match production's (a database cache
# would add queries of its own). The secret key is shared with gunicorn: sessions are signed
# with it and their auth hash is derived from it.
SECRET_KEY = secrets.token_urlsafe(50)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DATABASE_OWNER_URL"] = DATABASE_OWNER_URL  # "" (no owner alias) with BENCH_DB_ROLES=0
os.environ["REDIS_URL"] = REDIS_URL
os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from apps.core.rls import rls_bypass  # noqa: E402
from apps.tenants.models import Tenant  # noqa: E402
from tests.benchmarks import billing_stats, dashboard, gstr1, imports, invoicing, lists, provisioning  # noqa: E402
from tests.benchmarks import seed as seeding  # noqa: E402


def server_environment(var_dir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": DATABASE_URL,
        "DATABASE_OWNER_URL": DATABASE_OWNER_URL,  # also names the app and platform roles to the settings
        "REDIS_URL": REDIS_URL,
        "TIJORI_VAR_DIR": str(var_dir),
        "API_THROTTLE_TENANT": THROTTLE,
        "API_THROTTLE_ANON": THROTTLE,
        "API_THROTTLE_EXPENSIVE": THROTTLE,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "PYTHONUNBUFFERED": "1",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10) -> int:
    """Status of one GET, redirects not followed (a redirect to the login page is not a page)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def auth_headers(auth: str, credential: seeding.Credential) -> dict[str, str]:
    if auth == "session":
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={credential.session_key}"}
    if auth == "key":
        return {"Authorization": f"Bearer {credential.api_key}"}
    return {}


class Server:
    """gunicorn with the production settings and config file, stopped by its own pid."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.port = free_port()
        self.env = server_environment(var_dir, self.port)
        self.log_path = var_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def collectstatic(self) -> None:
        # Pages need the manifest of CompressedManifestStaticFilesStorage, as in the Docker image.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
            timeout=300,
        )

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi", "--config", "docker/gunicorn.conf.py", *GUNICORN_ARGS],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches the harness only, which stops it
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if get(self.port, "/api/health/live", timeout=2) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer /api/health/live within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish what they are doing
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            # The session started with it is gunicorn's own: its group id is the master's pid.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_summary(self) -> dict:
        """Errors the server logged (Django's JSON lines, gunicorn's own) and workers it booted."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        errors = [
            line
            for line in text.splitlines()
            if '"level": "ERROR"' in line or "[ERROR]" in line or "[CRITICAL]" in line or "Traceback" in line
        ]
        return {
            "error_lines": len(errors),
            "error_samples": [line[:300] for line in errors[:3]],
            "workers_booted": len(re.findall(r"Booting worker with pid", text)),
        }


def path_for(path: str, credential: seeding.Credential | dict) -> str:
    """The path as one person asks for it: {draft} is the sale they are ringing up."""
    draft = credential["draft_id"] if isinstance(credential, dict) else credential.draft_id
    return path.replace("{draft}", str(draft))


def count_queries(path: str, auth: str, credential: seeding.Credential) -> dict:
    """Status and SQL queries of one request, after a warm-up request has filled the caches.

    Not counted: the `SELECT 1` that CONN_HEALTH_CHECKS sends on a reused connection before each
    request's first query under gunicorn (the test client skips the request_started handler).
    """
    client = Client()
    if auth == "session":
        client.cookies[settings.SESSION_COOKIE_NAME] = credential.session_key
    headers = auth_headers(auth, credential) if auth == "key" else {}
    queries: list[str] = []

    def counter(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    path = path_for(path, credential)
    try:
        client.get(path, headers=headers)
        with connection.execute_wrapper(counter):
            status = client.get(path, headers=headers).status_code
    except Exception as exc:  # a view that raises is a finding to print, not a reason to stop
        return {"status": None, "queries": None, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": status, "queries": len(queries)}


def run_load(spec: dict, work_dir: Path, name: str) -> dict:
    spec_path, out_path, log_path = (work_dir / f"{name}.{ext}" for ext in ("spec.json", "out.json", "log"))
    spec_path.write_text(json.dumps(spec))
    limit = spec["users"] / spec["spawn_rate"] + spec["seconds"] + 120
    with log_path.open("wb") as log:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.load", str(spec_path), str(out_path)],
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=limit,  # on expiry, run() kills the locust process it started
            )
        except subprocess.TimeoutExpired:
            return {"failed": f"locust did not finish within {limit:.0f} s"}
    if done.returncode != 0 or not out_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
        return {"failed": f"locust exited with {done.returncode}: {tail}"}
    return json.loads(out_path.read_text())


def fmt(value, width: int, digits: int = 0) -> str:
    if value is None:
        return f"{'-':>{width}}"
    if isinstance(value, float):
        return f"{value:>{width},.{digits}f}"
    return f"{value:>{width},}"


def main() -> None:
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    owner = settings.DATABASES["owner"]["USER"] if DATABASE_OWNER_URL else None
    db = seeding.database_recreate(DATABASE_URL, owner=owner)
    print(
        f"bench database {db['NAME']} recreated on {db.get('HOST')}:{db.get('PORT')}; migrating…", flush=True
    )
    seeding.database_migrate()
    seeded = seeding.seed(shops=SHOPS, people=max(MIXED_USERS, USERS))
    print(
        f"seeded {seeded.shops} shops, {seeded.users:,} users, {seeded.memberships:,} memberships, "
        f"{seeded.audit_events:,} audit events, {len(seeded.credentials)} sessions and "
        f"{seeded.shops} API keys in {seeded.seconds} s",
        flush=True,
    )
    credentials = seeded.credentials
    stock_tenants = [c.tenant_id for c in credentials[: min(STOCK_SHOPS, SHOPS)]]
    started = time.perf_counter()
    stocked = seeding.seed_stock(
        tenants=list(Tenant.objects.filter(pk__in=stock_tenants)), items_per_shop=STOCK_ITEMS
    )
    print(
        f"seeded {stocked:,} articles in {len(stock_tenants)} shops in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    stock_credentials = [c for c in credentials if c.tenant_id in stock_tenants]
    started = time.perf_counter()
    issued, drafts = seeding.seed_sales(credentials=credentials, invoices_per_shop=SALES_PER_SHOP)
    print(
        f"issued {issued:,} invoices and opened {drafts} sales in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    pg_version = connection.pg_version
    with connection.cursor() as cursor:  # the role gunicorn connects as too (same DATABASE_URL)
        cursor.execute("SELECT rolname, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user")
        db_role, rls_bypassed = cursor.fetchone()
    # Before gunicorn starts, so that nothing else competes for the CPUs while it is timed.
    print(f"timing a {imports.ROWS:,}-row stock import…", flush=True)
    # Bypassed: these steps make their own shops and stock outside any tenant's scope (under the app
    # role, RLS would refuse those rows); the provisioning workers still act for each stack's tenant.
    with rls_bypass():
        import_figures = imports.measure()
        print(f"provisioning {provisioning.STACKS} stacks with {provisioning.WORKERS} workers…", flush=True)
        provisioning_figures = provisioning.measure()
        print(f"issuing {invoicing.INVOICES} invoices with {invoicing.ISSUERS} issuers at once…", flush=True)
        invoicing_figures = invoicing.measure()
    sizes = ", ".join(f"{size:,}" for size in gstr1.SIZES)
    print(f"writing GSTR-1 for one shop's month of {sizes} documents…", flush=True)
    gstr1_figures = gstr1.measure()
    print(
        f"seeding {billing_stats.SHOPS:,} shops with {billing_stats.YEARS} years of AMC billing, timing /admin/stats/…",
        flush=True,
    )
    stats_figures = billing_stats.measure()
    sizes = ", ".join(f"{size:,}" for size in lists.SIZES)
    print(f"timing the stock list, the invoice list and the new-sale scan at {sizes} articles…", flush=True)
    lists_figures = lists.measure()
    print(
        f"timing the dashboard of a shop with {dashboard.ITEMS:,} articles, figures cold and cached…",
        flush=True,
    )
    dashboard_figures = dashboard.measure()
    # Fresh planner statistics, as autovacuum would have gathered on a database that has lived a while.
    # As the owner when there is one: ANALYZE skips the tables the app role does not own.
    schema_connection = connections["owner" if DATABASE_OWNER_URL else "default"]
    with schema_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    schema_connection.close()

    setup_test_environment()
    paths = {(p, a) for p, a in SINGLE} | {(p, a) for p, a, _w in MIX}
    queries = {p: count_queries(p, a, credentials[0]) for p, a in sorted(paths)}
    connection.close()  # the harness holds no connection while the server is measured

    work_dir = Path(tempfile.mkdtemp(prefix="tijori-bench-"))
    server = Server(work_dir)
    report: dict = {
        "at": stamp,
        "machine": {"cpus": CPUS, "python": platform.python_version(), "postgresql": pg_version},
        "database": {"role": db_role, "rls_bypassed": rls_bypassed},
        "config": {
            "gunicorn_workers": WORKERS,
            "gunicorn_threads": THREADS,
            "gunicorn_args": GUNICORN_ARGS,
            "users": USERS,
            "seconds": SECONDS,
            "mixed_users": MIXED_USERS,
            "mixed_spawn_rate": MIXED_SPAWN,
            "mixed_seconds": MIXED_SECONDS,
            "throttle_rates": THROTTLE,
        },
        "seed": {
            **{k: v for k, v in asdict(seeded).items() if k != "credentials"},
            "stock_shops": len(stock_tenants),
            "stock_items": stocked,
        },
        "queries": queries,
        "imports": import_figures,
        "provisioning": provisioning_figures,
        "invoicing": invoicing_figures,
        "gstr1": gstr1_figures,
        "billing_stats": stats_figures,
        "lists": lists_figures,
        "dashboard": dashboard_figures,
        "scenarios": [],
    }
    try:
        print("collecting static files and starting gunicorn…", flush=True)
        server.collectstatic()
        server.start()
        base = {
            "host": f"http://127.0.0.1:{server.port}",
            "port": server.port,
            "server_pid": server.process.pid,
            "session_cookie_name": settings.SESSION_COOKIE_NAME,
        }
        preflight = {
            (p, a): get(server.port, path_for(p, credentials[0]), auth_headers(a, credentials[0]))
            for p, a in sorted(paths)
        }
        for path, auth in SINGLE:
            row = {"path": path, "auth": auth, "users": USERS, **queries[path]}
            if preflight[(path, auth)] != 200:
                row["skipped"] = f"answers {preflight[(path, auth)]} before the run"
            else:
                print(f"  GET {path}: {USERS} users for {SECONDS} s…", flush=True)
                spec = {
                    **base,
                    "kind": "single",
                    "path": path,
                    "auth": auth,
                    "users": USERS,
                    "spawn_rate": SINGLE_SPAWN,
                    "seconds": SECONDS,
                    "credentials": [
                        asdict(c)
                        for c in (stock_credentials if path.startswith(STOCK_PREFIXES) else credentials)[
                            :USERS
                        ]
                    ],
                }
                row.update(run_load(spec, work_dir, f"single-{len(report['scenarios'])}"))
            report["scenarios"].append(row)

        mix = [
            {"path": p, "auth": a, "weight": w, **queries[p]} for p, a, w in MIX if preflight[(p, a)] == 200
        ]
        left_out = [f"{p} ({preflight[(p, a)]})" for p, a, _w in MIX if preflight[(p, a)] != 200]
        print(
            f"  mixed: {MIXED_USERS} people, {MIXED_SPAWN}/s ramp-up, {MIXED_SECONDS} s measured…", flush=True
        )
        spec = {
            **base,
            "kind": "mixed",
            "mix": mix,
            "users": MIXED_USERS,
            "spawn_rate": MIXED_SPAWN,
            "seconds": MIXED_SECONDS,
            "credentials": [asdict(c) for c in credentials[:MIXED_USERS]],
        }
        mixed = run_load(spec, work_dir, "mixed") if mix else {"failed": "no URL of the mix answered 200"}
        report["mixed"] = {
            "users": MIXED_USERS,
            "tenants": len({c.tenant_id for c in credentials[:MIXED_USERS]}),
            "think_time_s": [1, 3],
            "mix": mix,
            "left_out": left_out,
            **mixed,
        }
    finally:
        server.stop()
        report["server_log"] = server.log_summary()
        shutil.rmtree(work_dir, ignore_errors=True)

    # Throughput relative to the cheapest answer the same server gave in the same run.
    live = next(
        (s for s in report["scenarios"] if s["path"] == "/api/health/live" and s.get("req_per_s")), None
    )
    for s in report["scenarios"]:
        if live and s.get("req_per_s") is not None:
            s["ratio_to_live"] = round(s["req_per_s"] / live["req_per_s"], 3)
    report["seconds_total"] = round(time.monotonic() - started)
    print_report(report)
    out = Path(settings.VAR_DIR) / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {out / f'{stamp}.json'} ({report['seconds_total']} s in all)")


def _per_worker(s: dict) -> str:
    cpu = "/".join(str(c) for c in s.get("worker_cpu_percent", []))
    conns = "/".join(str(c) for c in s.get("worker_connections_mid_run", []))
    return f"{cpu or '-'} / {conns or '-'}"


def print_report(report: dict) -> None:
    config, machine = report["config"], report["machine"]
    scenarios = report["scenarios"]
    extra = f" {' '.join(config['gunicorn_args'])}" if config["gunicorn_args"] else ""
    print(
        f"\ngunicorn {config['gunicorn_workers']} workers x {config['gunicorn_threads']} threads (gthread, "
        f"docker/gunicorn.conf.py{extra}), production settings, on {machine['cpus']} CPUs shared with "
        f"PostgreSQL {machine['postgresql'] // 10000}, Redis and locust.\n"
        f"gunicorn connects as {report['database']['role']}: row-level security "
        f"{'bypassed (superuser or BYPASSRLS)' if report['database']['rls_bypassed'] else 'in force'}.\n"
        f"Each URL alone: {config['users']} locust users, no think time, {config['seconds']} s measured once "
        "every user has had a first answer; each user acts for a different shop (the /stock/ and\n"
        f"stock-items scenarios: the {report['seed']['stock_shops']} shops with "
        f"{STOCK_ITEMS:,} articles each)."
    )
    width = max([38, *(len(s["path"]) + 6 for s in scenarios)])
    header = (
        f"{'scenario':<{width}}{'req/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}{'queries':>8}"
        f"{'vs live':>8} {'cpu% srv/load/other':>20}{'conns':>7}{'restarts':>9}  {'per worker: cpu% / conns':<24}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for s in scenarios:
        name = f"GET {s['path']}"
        if "skipped" in s or "failed" in s:
            print(f"{name:<{width}}  {s.get('skipped') or s.get('failed')}")
            continue
        cpu = f"{s['server_cpu_percent']:.0f}/{s['client_cpu_percent']:.0f}/{s['other_cpu_percent']:.0f}"
        print(
            f"{name:<{width}}{fmt(s['req_per_s'], 9, 1)}{fmt(s['p50_ms'], 8)}{fmt(s['p95_ms'], 8)}"
            f"{fmt(s['p99_ms'], 8)}{fmt(s['errors'], 8)}{fmt(s['queries'], 8)}"
            f"{fmt(s.get('ratio_to_live'), 8, 3)} {cpu:>20}{fmt(s['connections_opened'], 7)}"
            f"{fmt(s['workers_started'], 9)}  {_per_worker(s)}"
        )
        for e in s.get("error_kinds", []):
            print(f"{'':<6}{e['count']:>7} x {e['error']}")
    print(f"\nAgainst 8d0d39b (same kind of machine, /api/health/live then {BASELINE_LIVE:,} req/s):")
    compare = f"{'scenario':<{width}}{'req/s then':>11}{'now':>9}{'ratio then':>11}{'now':>8}{'goal':>7}{'p95 then':>9}{'now':>8}"
    print(compare + "\n" + "-" * len(compare))
    for s in scenarios:
        if s["path"] not in BASELINE or "req_per_s" not in s:
            continue
        rps, ratio, p95, goal = BASELINE[s["path"]]
        reached = (
            "" if s.get("ratio_to_live") is None else (" met" if s["ratio_to_live"] >= goal else " short")
        )
        print(
            f"{'GET ' + s['path']:<{width}}{fmt(rps, 11, 1)}{fmt(s['req_per_s'], 9, 1)}{fmt(ratio, 11, 3)}"
            f"{fmt(s.get('ratio_to_live'), 8, 3)}{fmt(goal, 7, 2)}{fmt(p95, 9)}{fmt(s['p95_ms'], 8)}{reached}"
        )
    print(
        "queries: SQL statements of one request, counted in-process (production takes connections from a\n"
        "  pool, without a `SELECT 1` per request: apps/core/db/pool.py).\n"
        f"cpu%: gunicorn / locust / everything else (PostgreSQL, Redis, other programs); 100 = one core, "
        f"{100 * machine['cpus']} = the machine.\n"
        "conns: TCP connections opened in the window (keep-alive: ~0). restarts: workers started in the\n"
        "  window (gunicorn's max_requests recycles workers; see docker/gunicorn.conf.py).\n"
        "per worker: each gunicorn worker's cpu% in the window and the connections it held mid-run. A\n"
        "  keep-alive connection stays with the worker that accepted it: when one worker holds most of the\n"
        "  users' connections, one core answers them and the scenario measures that split, not the server."
    )
    print_mixed(report)
    imports.print_figures(report["imports"])
    provisioning.print_figures(report["provisioning"])
    invoicing.print_figures(report["invoicing"])
    gstr1.print_figures(report["gstr1"])
    billing_stats.print_figures(report["billing_stats"])
    lists.print_figures(report["lists"])
    dashboard.print_figures(report["dashboard"])
    log = report.get("server_log", {})
    print(
        f"\ngunicorn log: {log.get('error_lines', 0)} error lines; {log.get('workers_booted', 0)} workers "
        "booted over the whole run."
    )
    for line in log.get("error_samples", []):
        print(f"  {line}")


def print_mixed(report: dict) -> None:
    config, mixed = report["config"], report.get("mixed", {})
    print(
        f"\nMixed: {mixed.get('users')} logged-in people over {mixed.get('tenants')} shops, 1-3 s think "
        f"time, {config['mixed_spawn_rate']}/s ramp-up, {config['mixed_seconds']} s measured after it."
    )
    if "failed" in mixed:
        print(f"  {mixed['failed']}")
        return
    if mixed.get("left_out"):
        print(f"  left out of the mix (not 200 before the run): {', '.join(mixed['left_out'])}")
    sub = f"  {'requests':<36}{'req/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}{'queries':>8}"
    print(sub + "\n" + "-" * len(sub))
    by_name = {f"GET {m['path'].split('?')[0]}": m for m in mixed["mix"]}
    rows = [("all", mixed), *mixed["endpoints"].items()]
    if "api" in mixed:
        rows.insert(1, ("API (/api/v1/*) together", mixed["api"]))
    for name, r in rows:
        print(
            f"  {name:<36}{fmt(r['req_per_s'], 9, 1)}{fmt(r['p50_ms'], 8)}{fmt(r['p95_ms'], 8)}"
            f"{fmt(r['p99_ms'], 8)}{fmt(r['errors'], 8)}{fmt(by_name.get(name, {}).get('queries'), 8)}"
        )
    for e in mixed.get("error_kinds", []):
        print(f"      {e['count']:>7} x {e['request']}: {e['error']}")
    # With no wait at all, each person asks every 2 s on average: the most these people can ask for.
    asked = mixed["users"] / 2
    print(
        f"  these people ask for up to ~{asked:,.0f} requests/s; the server answered {mixed['req_per_s']:,.1f}/s"
        f"{' (saturated: the rest of the latency is queueing)' if mixed['req_per_s'] < 0.8 * asked else ''}"
    )
    print(
        f"  cpu%: gunicorn {mixed['server_cpu_percent']:.0f}, locust {mixed['client_cpu_percent']:.0f}, "
        f"everything else {mixed['other_cpu_percent']:.0f} (of {mixed['machine_cpu_capacity_percent']}); "
        f"workers restarted in the window: {mixed['workers_started']}; per worker: cpu% / conns "
        f"{_per_worker(mixed)}"
    )
    print(
        f"  keep-alive: {mixed['connections_opened']:,} connections opened in the window for "
        f"{mixed['requests']:,} requests; {mixed['connections_open_mid_run']} open mid-run "
        "(one per person when connections are reused)"
    )

    api = mixed.get("api")
    print(f"\nDeployment target: API p95 under {TARGET_API_P95_MS} ms for {TARGET_PEOPLE} concurrent people.")
    if api and api["p95_ms"] is not None:
        verdict = "meets" if api["p95_ms"] < TARGET_API_P95_MS else "misses"
        print(
            f"  This run: API p95 {api['p95_ms']:,.0f} ms with {mixed['users']} people, which {verdict} it. "
            f"Measured on {report['machine']['cpus']} CPUs that also run\n"
            "  PostgreSQL, Redis and locust; a production web task has its CPUs to itself and scales out\n"
            "  behind the load balancer, so compare runs with each other rather than this figure with the target."
        )
    else:
        print("  Not measured: no API endpoint answered in the mixed scenario.")


if __name__ == "__main__":
    main()
