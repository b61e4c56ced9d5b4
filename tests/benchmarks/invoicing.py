"""Invoicing figures: invoices issued per second by 32 issuers at once, with gapless numbers.

`make bench` runs `measure()` as a step of tests/benchmarks/run.py on the bench database. One shop
gets BENCH_INVOICES drafts (an article of its stock and a repair line each, as a counter sale has);
BENCH_ISSUERS processes, each with its own connection acting for the shop under row-level security,
issue them all as fast as they can. Every issue takes its number from the one locked counter of the
shop's series, so this measures how long that lock is held. The run checks the numbers came out
1..N with no gap and prints issues per second and the latency percentiles of one issue.

The PDF of each invoice is rendered by a worker after commit, as in production: the issuers only send
the task to the broker (the queue is emptied afterwards), whatever CELERY_TASK_ALWAYS_EAGER says.

Alone, on a migrated database (DATABASE_URL and REDIS_URL), without the web load test:
    python manage.py shell -c "from tests.benchmarks import invoicing as b; b.print_figures(b.measure())"
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections

from apps.core.rls import rls_bypass, tenant_scope
from apps.inventory.models import Purity
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.invoicing import services
from apps.invoicing.models import Invoice
from apps.tenants.services import tenant_create


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


INVOICES = _int("BENCH_INVOICES", 2000)
ISSUERS = _int("BENCH_ISSUERS", 32)


def _shop():
    from stdnum import luhn

    from apps.accounts.models import User
    from tests.tenants.factories import gstin_verified

    stamp = time.strftime("%H%M%S")
    owner = User.objects.create_user(
        f"bench-invoicing-{stamp}-{os.getpid()}@example.in", "bench-pass-2026", full_name="Bench Owner"
    )
    pan = f"AAACB{int(stamp) % 10000:04d}C"
    body = f"27{pan}1Z"
    gstin = body + luhn.calc_check_digit(body, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    shop = tenant_create(owner=owner, kind="shop", name=f"Bench Sales {stamp}", state_code="27", gstin=gstin,
                         address="1 Bench Road, Mumbai")  # fmt: skip
    return owner, gstin_verified(shop)  # issuing GST invoices needs a verified GSTIN


def _drafts(shop, owner) -> list[int]:
    purity = Purity.objects.get(metal="gold", fineness=916)
    metal_rate_set(tenant=shop, actor=owner, purity=purity, rate_per_gram="6500")
    customer = services.customer_create(tenant=shop, actor=owner, name="Bench Buyer", address="2 Bench Lane",
                                        state_code="27", pan="ABCPB1234K")  # fmt: skip
    ids = []
    for n in range(INVOICES):
        item = stock_item_create(tenant=shop, actor=owner, name=f"Bench ring {n}", purity=purity, gross_weight="5",
                                 huid=f"B{n:05d}", hallmark_status="hallmarked")  # fmt: skip
        invoice = services.invoice_draft_create(tenant=shop, actor=owner, customer=customer)
        services.invoice_line_add_article(tenant=shop, actor=owner, invoice=invoice, item=item)
        services.invoice_line_add_free(tenant=shop, actor=owner, invoice=invoice, description="Polish",
                                       hsn_code="9987", amount="100")  # fmt: skip
        ids.append(invoice.pk)
    return ids


def _issue_all(shop_id: int, owner_id: int, ids: list[int], start_at: float, out) -> None:
    """One issuing process (as one web worker would be): its own connection, acting for the shop."""
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

    latencies, errors = [], []
    with rls_bypass():
        shop, owner = Tenant.objects.get(pk=shop_id), User.objects.get(pk=owner_id)
    while time.time() < start_at:  # every process starts at once
        time.sleep(0.001)
    for pk in ids:
        one = time.monotonic()
        try:
            with tenant_scope(shop.pk):
                services.invoice_issue(tenant=shop, actor=owner, invoice=Invoice.objects.get(pk=pk))
        except Exception as exc:  # a figure of the run: counted and printed, never hidden
            errors.append(repr(exc))
            continue
        latencies.append(time.monotonic() - one)
    connection.close()
    out.put((latencies, errors, time.time()))


@contextmanager
def tasks_to_broker() -> Iterator[None]:
    """Tasks sent meanwhile go to the broker, as in production, and are dropped afterwards: the
    issuing is measured, not the PDF rendering a worker would do."""
    from config.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager
        app.control.purge()


def measure() -> dict:
    with tasks_to_broker():
        return _measure()


def _measure() -> dict:
    with rls_bypass():
        owner, shop = _shop()
        started = time.monotonic()
        ids = _drafts(shop, owner)
        prepared_s = time.monotonic() - started
    # Processes, not threads: Python's lock on the interpreter would serialise threads' own work and
    # hide what the database does. Each forks without the parent's connection and opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 2
    workers = [
        context.Process(target=_issue_all, args=(shop.pk, owner.pk, ids[i::ISSUERS], start_at, out))
        for i in range(ISSUERS)
    ]
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(done for _, _, done in results) - start_at
    latencies = sorted(value for lat, _, _ in results for value in lat)
    errors = [error for _, errs, _ in results for error in errs]
    with rls_bypass():
        numbers = sorted(
            int(n.rsplit("/", 1)[1])
            for n in Invoice.objects.filter(tenant=shop).exclude(number="").values_list("number", flat=True)
        )

    def pct(p: float) -> float:
        return (
            round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else 0.0
        )

    return {
        "invoices": INVOICES,
        "issuers": ISSUERS,
        "prepare_seconds": round(prepared_s, 1),
        "seconds": round(seconds, 2),
        "issued_per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else 0.0,
        "gapless": numbers == list(range(1, len(numbers) + 1)) and len(numbers) == len(latencies),
        "errors": errors[:5],
        "error_count": len(errors),
    }


def print_figures(figures: dict) -> None:
    print(
        f"\ninvoices issued by {figures['issuers']} issuers at once ({figures['invoices']} drafts of an article "
        f"and a repair line):\n"
        f"  {figures['issued_per_s']}/s over {figures['seconds']} s; one issue p50 {figures['p50_ms']} ms, "
        f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; numbers gapless: {figures['gapless']}; "
        f"errors: {figures['error_count']} {figures['errors']}"
    )
