"""`make bench`: page and endpoint timings in-process, on a throwaway database seeded with shops.

Prints, per scenario: requests/s, p50/p95/p99 latency, SQL queries per request, and peak memory of
the run; writes the same figures as JSON under var/bench/. Figures, not pass/fail thresholds.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SHOPS = int(os.environ.get("BENCH_SHOPS", 300))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 300))


def seed() -> tuple:
    from apps.audit.services import audit_record
    from apps.tenants.models import Membership, Role, Tenant
    from apps.tenants.services import tenant_create
    from tests.factories import UserFactory

    first = None
    for i in range(SHOPS):
        owner = UserFactory(email=f"owner{i}@bench.in")
        tenant = tenant_create(owner=owner, kind=Tenant.Kind.SHOP, name=f"Bench Shop {i}", state_code="27")
        for j in range(4):
            Membership.objects.create(
                tenant=tenant, user=UserFactory(email=f"s{i}-{j}@bench.in"), role=Role.STAFF
            )
        for k in range(30):
            audit_record(
                tenant=tenant, actor=owner, action="tenant.update", summary=f"Change {k}", target=tenant
            )
        first = first or (owner, tenant)
    return first


def measure(client: Client, path: str) -> dict:
    client.get(path)  # warm up
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        status = client.get(path).status_code
    timings = []
    start = time.perf_counter()
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(timings, n=100)
    return {
        "path": path,
        "status": status,
        "requests": REQUESTS,
        "req_per_s": round(REQUESTS / elapsed, 1),
        "p50_ms": round(q[49], 2),
        "p95_ms": round(q[94], 2),
        "p99_ms": round(q[98], 2),
        "queries": count[0],
    }


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        owner, _tenant = seed()
        print(
            f"seeded {SHOPS} shops (5 members, 31 audit events each) in {time.perf_counter() - t0:.1f}s "
            f"on {connection.vendor}"
        )
        client = Client()
        client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
        tracemalloc.start()
        results = [measure(Client(), "/api/health/live"), measure(Client(), "/api/health")]
        results += [measure(client, p) for p in ["/", "/settings/team/", "/settings/audit/"]]
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        base = results[0]["req_per_s"]
        print(
            f"\n{'scenario':<22}{'status':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'queries':>9}{'vs live':>9}"
        )
        for r in results:
            r["ratio_to_live"] = round(r["req_per_s"] / base, 3)
            print(
                f"{r['path']:<22}{r['status']:>7}{r['req_per_s']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}"
                f"{r['p99_ms']:>9}{r['queries']:>9}{r['ratio_to_live']:>9}"
            )
        print(f"\npeak Python memory while measuring: {peak / 1e6:.1f} MB (in-process test client, 1 thread)")
        out = Path(settings.VAR_DIR) / "bench"
        out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        report = {
            "at": stamp,
            "database": connection.vendor,
            "shops": SHOPS,
            "results": results,
            "peak_memory_bytes": peak,
        }
        (out / f"pages-{stamp}.json").write_text(json.dumps(report, indent=2))
        print(f"written to {out / f'pages-{stamp}.json'}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
