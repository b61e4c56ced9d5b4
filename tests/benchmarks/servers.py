"""`make bench-servers`: the same load against gunicorn in several shapes (workers x threads), to choose one.

Seeds a bench database as `make bench` does (shops, people, sessions, API keys, sales, the stock of
BENCH_STOCK_SHOPS shops), then for each shape in BENCH_SERVER_SHAPES starts gunicorn with
docker/gunicorn.conf.py under production settings, measures `/api/health/live`, `/api/v1/me`, the
dashboard and a page of the stock API (the request that waits longest on PostgreSQL) alone
(BENCH_USERS users, no think time, BENCH_SERVER_SECONDS each) and the mixed scenario of `make bench`
(BENCH_MIXED_USERS people with 1-3 s think time), and stops it. Printed per shape: each URL's req/s and p95, the mix's req/s, p50, p95 and
errors, the CPU split between gunicorn, locust and the rest, and the memory of gunicorn's processes
(resident and proportional: shared pages from the preloaded master counted once across processes).

Settings as for tests/benchmarks/run.py (BENCH_DATABASE_URL, BENCH_SHOPS, BENCH_USERS, BENCH_MIXED_*),
and:
  BENCH_SERVER_SHAPES   "2x4,2x8,4x4,3x8,6x2"  gunicorn workers x threads, measured in this order
  BENCH_SERVER_SECONDS  10      measured seconds of each single-URL scenario
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import psutil

from tests.benchmarks import run  # sets up Django on the bench database, as `make bench` does
from tests.benchmarks.run import (
    MIX,
    MIXED_SPAWN,
    MIXED_USERS,
    SHOPS,
    SINGLE_SPAWN,
    USERS,
    Server,
    auth_headers,
    count_queries,
    fmt,
    get,
    path_for,
    run_load,
    seeding,
)

SHAPES = [
    tuple(int(n) for n in shape.split("x"))
    for shape in os.environ.get("BENCH_SERVER_SHAPES", "2x4,2x8,4x4,3x8,6x2").split(",")
]
SECONDS = run._int("BENCH_SERVER_SECONDS", 10)
MIXED_SECONDS = run.MIXED_SECONDS
STOCK_API = "/api/v1/stock-items?hallmark_status=hallmarked&page=3&page_size=50"
SINGLE = [("/api/health/live", "none"), ("/api/v1/me", "key"), ("/", "session"), (STOCK_API, "key")]


def _memory(master_pid: int) -> tuple[float, float]:
    """MB resident (each process's own count, summed) and proportional (shared pages split)."""
    rss = pss = 0
    try:
        processes = [psutil.Process(master_pid), *psutil.Process(master_pid).children(recursive=True)]
    except psutil.Error:
        return 0.0, 0.0
    for process in processes:
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return round(rss / 2**20, 1), round(pss / 2**20, 1)


def _shape(workers: int, threads: int, credentials, stock_credentials, work_dir: Path) -> dict:
    server = Server(work_dir)
    server.env.update({"GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": str(threads)})
    server.start()
    base = {
        "host": f"http://127.0.0.1:{server.port}",
        "port": server.port,
        "server_pid": server.process.pid,
        "session_cookie_name": run.settings.SESSION_COOKIE_NAME,
    }
    row: dict = {"workers": workers, "threads": threads, "single": {}}
    try:
        for path, auth in SINGLE:
            people = stock_credentials if path == STOCK_API else credentials
            status = get(server.port, path_for(path, people[0]), auth_headers(auth, people[0]))
            if status != 200:
                row["single"][path] = {"failed": f"answers {status} before the run"}
                continue
            spec = {
                **base, "kind": "single", "path": path, "auth": auth, "users": USERS, "spawn_rate": SINGLE_SPAWN,
                "seconds": SECONDS, "credentials": [asdict(c) for c in people[:USERS]],
            }  # fmt: skip
            row["single"][path] = run_load(spec, work_dir, f"{workers}x{threads}-{len(row['single'])}")
        mix = [{"path": p, "auth": a, "weight": w} for p, a, w in MIX]
        spec = {
            **base, "kind": "mixed", "mix": mix, "users": MIXED_USERS, "spawn_rate": MIXED_SPAWN,
            "seconds": MIXED_SECONDS, "credentials": [asdict(c) for c in credentials[:MIXED_USERS]],
        }  # fmt: skip
        row["mixed"] = run_load(spec, work_dir, f"{workers}x{threads}-mixed")
        row["memory_rss_mb"], row["memory_pss_mb"] = _memory(server.process.pid)
    finally:
        server.stop()
        row["server_log"] = server.log_summary()
    return row


def main() -> None:
    started = time.monotonic()
    owner = run.settings.DATABASES["owner"]["USER"] if run.DATABASE_OWNER_URL else None
    seeding.database_recreate(run.DATABASE_URL, owner=owner)
    seeding.database_migrate()
    seeded = seeding.seed(shops=SHOPS, people=max(MIXED_USERS, USERS))
    seeding.seed_sales(credentials=seeded.credentials, invoices_per_shop=run.SALES_PER_SHOP)
    stock_tenants = [c.tenant_id for c in seeded.credentials[: min(run.STOCK_SHOPS, SHOPS)]]
    seeding.seed_stock(
        tenants=list(run.Tenant.objects.filter(pk__in=stock_tenants)), items_per_shop=run.STOCK_ITEMS
    )
    stock_credentials = [c for c in seeded.credentials if c.tenant_id in stock_tenants]
    schema_connection = run.connections["owner" if run.DATABASE_OWNER_URL else "default"]
    with schema_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    schema_connection.close()
    run.setup_test_environment()
    for path, auth, _weight in MIX:  # every URL of the mix answers before anything is measured
        answer = count_queries(path, auth, seeded.credentials[0])
        if answer.get("status") != 200:
            raise SystemExit(f"{path} answers {answer} before the run")
    run.connection.close()
    print(
        f"seeded {seeded.shops} shops and {len(seeded.credentials)} people in {time.monotonic() - started:.0f} s"
    )

    work_dir = Path(tempfile.mkdtemp(prefix="tijori-bench-servers-"))
    rows = []
    try:
        Server(work_dir).collectstatic()
        for workers, threads in SHAPES:
            print(f"  gunicorn {workers} workers x {threads} threads…", flush=True)
            rows.append(_shape(workers, threads, seeded.credentials, stock_credentials, work_dir))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print_figures(rows)
    print(f"\n({time.monotonic() - started:.0f} s in all)")


def print_figures(rows: list[dict]) -> None:
    print(
        f"\ngunicorn shapes (gthread, docker/gunicorn.conf.py, production settings) on {run.CPUS} CPUs shared "
        f"with PostgreSQL, Redis and locust.\nAlone: {USERS} users, no think time, {SECONDS} s each. Mixed: "
        f"{MIXED_USERS} people, 1-3 s think time (they ask up to ~{MIXED_USERS / 2:.0f} req/s), {MIXED_SECONDS} s."
    )
    header = (
        f"{'shape':<7}{'live':>8}{'me':>8}{'/':>7}{'stock':>7}{'me p95':>8}{'/ p95':>7}{'mixed':>8}{'p50':>7}{'p95':>7}"
        f"{'errors':>7}{'cpu% srv/load/other':>21}{'RSS MB':>8}{'PSS MB':>8}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for row in rows:
        single, mixed = row["single"], row.get("mixed", {})

        rate = {path: fmt(single.get(path, {}).get("req_per_s"), 0, 1) for path, _auth in SINGLE}
        p95 = {path: fmt(single.get(path, {}).get("p95_ms"), 0) for path, _auth in SINGLE}

        cpu = (
            f"{mixed['server_cpu_percent']:.0f}/{mixed['client_cpu_percent']:.0f}/{mixed['other_cpu_percent']:.0f}"
            if "server_cpu_percent" in mixed
            else mixed.get("failed", "-")[:20]
        )
        print(
            f"{row['workers']}x{row['threads']:<5}{rate['/api/health/live']:>8}{rate['/api/v1/me']:>8}{rate['/']:>7}"
            f"{rate[STOCK_API]:>7}"
            f"{p95['/api/v1/me']:>8}{p95['/']:>7}{fmt(mixed.get('req_per_s'), 8, 1)}{fmt(mixed.get('p50_ms'), 7)}"
            f"{fmt(mixed.get('p95_ms'), 7)}{fmt(mixed.get('errors'), 7)}{cpu:>21}"
            f"{fmt(row.get('memory_rss_mb'), 8)}{fmt(row.get('memory_pss_mb'), 8)}"
        )
    print(
        "live, me, /, stock: req/s of /api/health/live, /api/v1/me (API key), the dashboard and the stock API\n"
        "(page 3 of 50, filtered, 10,000 articles) alone; p95 in ms.\n"
        "mixed: req/s answered, p50 and p95 ms of every request of the mix; cpu% of the mixed window, 100 = one core."
    )


if __name__ == "__main__":
    main()
