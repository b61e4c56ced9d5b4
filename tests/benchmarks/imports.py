"""A 10,000-row stock CSV checked and imported on the bench database: times, queries, peak memory.

`make bench` runs it as a step of tests/benchmarks/run.py, on the database that run.py has just
seeded. Alone, `python -m tests.benchmarks.imports` drops and recreates the bench database itself
(the same BENCH_DATABASE_URL and BENCH_REDIS_URL as run.py), migrates it and measures.

The shop already holds BENCH_IMPORT_EXISTING articles (imported first, through the same services),
so SKUs and HUIDs are compared with real stock. The measured file has BENCH_IMPORT_ROWS rows, two of
them wrong (an article marked sold, which an import can't do, and a 5-character HUID), and is
imported with good_rows_only, as a shop would after reading the check's errors. Then the shop's own
export of BENCH_IMPORT_ROWS articles comes back with every tenth making charge raised: one row in ten
updates its article, the others are unchanged.

Each step is timed without tracemalloc (which slows Python down several times), then repeated in a
second shop of the same size under tracemalloc for the peak of Python memory. Peak RSS is the
process's high-water mark, reset before each timed step where Linux allows it (/proc/self/clear_refs).
Figures, not pass/fail thresholds.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = (
        os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/tijori_bench"
    )
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/2"
    import django

    django.setup()

import csv
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.accounts.models import User
from apps.inventory.models import StockImport, StockItem
from apps.inventory.services import (
    CSV_COLUMNS,
    stock_export_rows,
    stock_import_check,
    stock_import_run,
)
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


ROWS = _int("BENCH_IMPORT_ROWS", 10_000)
EXISTING = _int("BENCH_IMPORT_EXISTING", 5_000)
PURITIES = ["22K916", "22K916", "18K750", "24K999", "Silver 925", "Silver 999", "Platinum 950"]
CATEGORIES = ["Ring", "Chain", "Necklace", "Bangle", "Earring", "Pendant", "Other"]


def stock_csv(*, rows: int, prefix: str, bad: bool) -> bytes:
    """`rows` articles as a shop's spreadsheet has them; with `bad`, rows 2 and 3 are wrong."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for i in range(rows):
        purity = PURITIES[i % len(PURITIES)]
        gold = purity[0].isdigit()
        hallmarked = gold and i % 3 != 0
        sku = f"{prefix}-{i:06d}" if i % 20 else ""  # one in twenty left for Tijori to number
        huid = f"{prefix[0]}{i:05X}"[-6:].rjust(6, "0") if hallmarked else ""
        status = "Sold" if bad and i == 0 else "In stock"  # articles are sold with an invoice
        if bad and i == 1:
            huid = "AB12C"
        writer.writerow(
            [
                sku, f"{CATEGORIES[i % len(CATEGORIES)]} {i}", CATEGORIES[i % len(CATEGORIES)], purity,
                f"{2 + i % 40}.{i % 997:03d}", "0.150" if i % 5 == 0 else "", "Per gram", "450.00",
                "1200.00" if i % 5 == 0 else "", "", huid, "Hallmarked" if hallmarked else "Pending", "",
                "yes" if hallmarked else "no", status,
            ]
        )  # fmt: skip
    return buffer.getvalue().encode()


def _owner(email: str) -> User:
    user = User(email=email, full_name="Import Bench")
    user.set_unusable_password()
    user.save()
    return user


def _shop(label: str) -> tuple[Tenant, User]:
    """A shop holding EXISTING articles, put there by an import (through the services)."""
    owner = _owner(f"owner@{label}.imports.bench.tijori.in")
    tenant = tenant_create(owner=owner, kind=Tenant.Kind.SHOP, name=f"Import bench {label}", state_code="27")
    if EXISTING:
        data = stock_csv(rows=EXISTING, prefix="E", bad=False)
        checked = stock_import_check(tenant=tenant, actor=owner, upload=SimpleUploadedFile("old.csv", data))
        stock_import_run(tenant=tenant, actor=owner, stock_import=checked)
    return tenant, owner


class _Queries:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def _rss_mb() -> dict[str, float]:
    """Current and peak resident memory of this process, in MB (Linux)."""
    status = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return {"rss_mb": status.get("VmRSS"), "peak_rss_mb": status.get("VmHWM")}


def _step(fn, *, traced: bool) -> tuple[object, dict]:
    queries = _Queries()
    reset = _rss_reset()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(queries):
        result = fn()
    seconds = time.perf_counter() - started
    figures = {"seconds": round(seconds, 3), "queries": queries.count}
    if traced:
        figures["peak_python_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
        tracemalloc.stop()
    else:
        figures.update(_rss_mb(), rss_peak_reset=reset)
    return result, figures


def _import(tenant: Tenant, owner: User, data: bytes, *, traced: bool) -> dict:
    upload = SimpleUploadedFile("stock.csv", data, "text/csv")
    checked, check = _step(
        lambda: stock_import_check(tenant=tenant, actor=owner, upload=upload), traced=traced
    )
    done, run = _step(
        lambda: stock_import_run(tenant=tenant, actor=owner, stock_import=checked, good_rows_only=True),
        traced=traced,
    )
    rows = {
        "rows_total": done.rows_total,
        "rows_good": done.rows_good,
        "rows_imported": done.rows_imported,
        "rows_new": done.rows_new,
        "rows_changed": done.rows_changed,
        "rows_unchanged": done.rows_unchanged,
        "errors": done.error_count,
    }
    return {"check": check, "run": run, "result": rows}


def edited_export(tenant: Tenant) -> bytes:
    """The shop's export of its first ROWS articles, with every tenth making charge raised by 50 rupees."""
    articles = StockItem.objects.for_tenant(tenant).order_by("id")[:ROWS]
    rows = list(csv.reader(io.StringIO("".join(stock_export_rows(articles)))))
    column = rows[0].index("making_charge_value")
    for row in rows[1::10]:
        row[column] = f"{Decimal(row[column]) + 50:.2f}"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _export(tenant: Tenant, *, traced: bool) -> dict:
    def write() -> int:
        size = 0
        for line in stock_export_rows(StockItem.objects.for_tenant(tenant).order_by("id")):
            size += len(line)
        return size

    size, figures = _step(write, traced=traced)
    return {**figures, "bytes": size}


def measure() -> dict:
    """Import a ROWS-row file into a shop with EXISTING articles; time it, then trace its memory."""
    data = stock_csv(rows=ROWS, prefix="N", bad=True)
    timed_shop, timed_owner = _shop("timed")
    traced_shop, traced_owner = _shop("traced")
    timed = _import(timed_shop, timed_owner, data, traced=False)
    traced = _import(traced_shop, traced_owner, data, traced=True)
    back_timed = _import(timed_shop, timed_owner, edited_export(timed_shop), traced=False)
    back_traced = _import(traced_shop, traced_owner, edited_export(traced_shop), traced=True)
    export_timed = _export(timed_shop, traced=False)
    export_traced = _export(timed_shop, traced=True)
    for stock_import in StockImport.objects.filter(tenant__in=[timed_shop, traced_shop]):
        stock_import.file.storage.delete(stock_import.file.name)
    return {
        "rows": ROWS,
        "existing": EXISTING,
        "file_bytes": len(data),
        "result": timed["result"],
        "check": {**timed["check"], "peak_python_mb": traced["check"]["peak_python_mb"]},
        "run": {**timed["run"], "peak_python_mb": traced["run"]["peak_python_mb"]},
        "reimport": {
            "result": back_timed["result"],
            "check": {**back_timed["check"], "peak_python_mb": back_traced["check"]["peak_python_mb"]},
            "run": {**back_timed["run"], "peak_python_mb": back_traced["run"]["peak_python_mb"]},
        },
        "export": {
            **export_timed,
            "articles": StockItem.objects.for_tenant(timed_shop).count(),
            "peak_python_mb": export_traced["peak_python_mb"],
        },
    }


def print_figures(figures: dict) -> None:
    result = figures["result"]
    print(
        f"\nStock import: a {figures['rows']:,}-row CSV ({figures['file_bytes'] / 1024 / 1024:.1f} MB) into a "
        f"shop holding {figures['existing']:,} articles; {result['rows_imported']:,} of "
        f"{result['rows_total']:,} rows imported ({result['rows_total'] - result['rows_good']} rows with errors "
        "left out)."
    )
    header = f"  {'step':<34}{'seconds':>9}{'queries':>9}{'peak Python MB':>16}{'peak RSS MB':>13}"
    print(header + "\n  " + "-" * (len(header) - 2))
    back = figures.get("reimport")
    steps = [
        ("stock_import_check", figures["check"]),
        ("stock_import_run (good rows only)", figures["run"]),
        (f"stock_export_rows ({figures['export']['articles']:,} articles)", figures["export"]),
    ]
    if back:
        updates = back["result"]["rows_changed"]
        steps += [
            (f"export back: check ({updates:,} updates)", back["check"]),
            (f"export back: run ({back['result']['rows_unchanged']:,} unchanged)", back["run"]),
        ]
    for name, step in steps:
        peak_rss = step.get("peak_rss_mb")
        print(
            f"  {name:<34}{step['seconds']:>9.2f}{step['queries']:>9}{step['peak_python_mb']:>16.1f}"
            f"{(f'{peak_rss:,.0f}' if peak_rss is not None else '-'):>13}"
        )
    total = figures["check"]["seconds"] + figures["run"]["seconds"]
    print(
        f"  check + run: {total:.2f} s, {figures['rows'] / total:,.0f} rows/s. Peak RSS is the whole process "
        "(Django included),\n  reset before each step"
        + ("" if figures["check"].get("rss_peak_reset") else " (not possible here: peak since start)")
        + "; peak Python memory is tracemalloc's, in a second run of the same step."
    )


def main() -> None:
    from tests.benchmarks import seed as seeding

    db = seeding.database_recreate(os.environ["DATABASE_URL"])
    print(
        f"bench database {db['NAME']} recreated on {db.get('HOST')}:{db.get('PORT')}; migrating…", flush=True
    )
    seeding.database_migrate()
    print(f"seeding two shops with {EXISTING:,} articles each and timing the import…", flush=True)
    print_figures(measure())


if __name__ == "__main__":
    main()
