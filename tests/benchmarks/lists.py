"""Lists at any shop size: the stock list, the invoice list and the new-sale scan with 1,000 to 100,000 rows.

One shop is grown in steps (BENCH_LIST_SIZES, 1000,10000,100000 by default): at each step it holds that
many articles and that many invoices and notes. The articles are inserted in bulk with the values the
services would set (as seed.seed_stock does: net weight, HSN, hallmark status matching the HUID, today's
rates); the documents are a month's issued invoices and credit notes as gstr1.py seeds them, half of the
invoices paid in cash. After each step a VACUUM ANALYZE (as autovacuum would run after such a load), then each
page is asked for in-process through Django's test client as the shop's owner (a session) or its API key,
under row-level security: once to warm up, then REPEATS times. Printed per page and size: the median
milliseconds of the whole request, the milliseconds its SQL took, and its queries. Flat cost means the
milliseconds hardly move from 1,000 to 100,000 rows.

The pages: the stock list filtered (page 3), searched by a word of the name and sorted heaviest first,
the stock API filtered (page 3 of 50), the day's sales list and the invoice API, a register, and the
new-sale scan (a POST adding an article by SKU or HUID to an open sale, then the sale's page).

On a migrated PostgreSQL database (DATABASE_URL and REDIS_URL), without the web load test:
    python manage.py shell -c "from tests.benchmarks import lists as b; b.print_figures(b.measure())"
"""

from __future__ import annotations

import os
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.rls import rls_bypass
from apps.gst.periods import retain_until
from apps.inventory.models import MetalRate, Purity, StockItem
from apps.invoicing.models import DocumentSeries, Invoice, Payment
from apps.tenants.access.session import SESSION_KEY
from apps.tenants.models import Membership, Role
from tests.benchmarks import gstr1
from tests.benchmarks.seed import STOCK_RATES as RATES
from tests.benchmarks.seed import stock_item_random

SIZES = tuple(int(size) for size in os.environ.get("BENCH_LIST_SIZES", "1000,10000,100000").split(","))
REPEATS = 5
BATCH = 5000
# (label, method, path, who): {draft} is an open sale of the shop; "session" is the owner's browser.
PAGES = [
    ("stock page, filtered, page 3", "/stock/?hallmark_status=hallmarked&page=3", "session"),
    ("stock page, name search, heaviest first", "/stock/?q=jhumka&ordering=-net_weight", "session"),
    ("stock page, SKU search, heaviest first", "/stock/?q=BN-01&ordering=-net_weight", "session"),
    ("stock API, filtered, page 3 of 50", "/api/v1/stock-items?hallmark_status=hallmarked&page=3&page_size=50",
     "key"),
    ("sales list", "/sales/", "session"),
    ("sales list, unpaid", "/sales/?paid=unpaid", "session"),
    ("invoice API, page 3 of 50", "/api/v1/invoices?page=3&page_size=50", "key"),
    ("sales register, the month", "/reports/registers/sales/?from=2026-10-01&to=2026-10-31",
     "session"),
    ("new sale: scan an article (htmx)", "scan", "session"),
]  # fmt: skip


class _Shop:
    """The measured shop, its owner's browser and API key, and what it holds so far."""

    def __init__(self) -> None:
        from apps.tenants.services import api_key_create

        self.tenant = gstr1._shop()
        membership = Membership.objects.select_related("user").get(tenant=self.tenant, role=Role.OWNER)
        self.owner = membership.user
        _key, secret = api_key_create(
            tenant=self.tenant, actor=self.owner, actor_membership=membership, name="bench", role=Role.ADMIN
        )
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        self.browser = Client(HTTP_HOST="localhost")
        self.browser.force_login(self.owner, backend="django.contrib.auth.backends.ModelBackend")
        session = self.browser.session
        session[SESSION_KEY] = self.tenant.pk
        session.save()
        self.buyers = gstr1._buyers(self.tenant)
        self.series = DocumentSeries.objects.create(
            tenant=self.tenant, doc_type="invoice", gstin=self.tenant.gstin, fy_start_year=2026, code="INV",
            number_format="{CODE}/{FY}/{NNNNNN}", next_number=max(SIZES) + 1,
        )  # fmt: skip
        purities = {(p.metal, p.fineness): p for p in Purity.objects.all()}
        self.purities = {key: purities[key] for key in RATES}
        today = timezone.localdate()
        MetalRate.objects.bulk_create(
            MetalRate(tenant=self.tenant, purity=self.purities[key], rate_per_gram=Decimal(rate), effective_on=today)
            for key, rate in RATES.items()
        )  # fmt: skip
        self.items = 0
        self.documents = 0
        self.for_sale: list[str] = []  # codes (SKU or HUID) of articles that can be sold
        self.rng = random.Random(16)
        self.huids: set[str] = set()


def _stock(shop: _Shop, count: int) -> None:
    """`count` more articles, in batches."""
    rng = shop.rng
    for first in range(shop.items, shop.items + count, BATCH):
        items = []
        for n in range(first, min(shop.items + count, first + BATCH)):
            item = stock_item_random(
                rng=rng, n=n, tenant=shop.tenant, purities=shop.purities, huids=shop.huids
            )
            if item.huid and item.stock_status == "in_stock" and len(shop.for_sale) < 2000 and n % 7 == 0:
                shop.for_sale.append(item.huid if n % 2 else item.sku.lower())
            items.append(item)
        StockItem.objects.bulk_create(items, batch_size=2000)
    shop.items += count


def _documents(shop: _Shop, count: int) -> None:
    """`count` more issued documents (gstr1.py's month), and cash paying every other new invoice."""
    before = (
        Invoice.objects.filter(tenant=shop.tenant).order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    gstr1._seed(shop.tenant, shop.series, shop.buyers, shop.documents, count)
    shop.documents += count
    unpaid = Invoice.objects.filter(tenant=shop.tenant, pk__gt=before, doc_type="invoice").order_by("pk")
    payments = [
        Payment(tenant=shop.tenant, invoice_id=pk, mode="cash", amount=total, received_on=day,
                retain_until=retain_until(day))
        for n, (pk, total, day) in enumerate(unpaid.values_list("pk", "grand_total", "issued_on").iterator())
        if n % 2 == 0
    ]  # fmt: skip
    Payment.objects.bulk_create(payments, batch_size=5000)


def _vacuum() -> None:
    """What autovacuum does after a bulk load (as the owner, when there is one: the app role owns no
    table): fresh planner statistics, and the visibility map that lets a count read an index alone."""
    schema_connection = connections["owner" if "owner" in settings.DATABASES else "default"]
    with schema_connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE inventory_stockitem, invoicing_invoice, invoicing_invoiceline, invoicing_payment, "
            "invoicing_customer"
        )
    schema_connection.close()


def _request(shop: _Shop, path: str, who: str, draft: int) -> int:
    if path == "scan":
        code = shop.for_sale.pop(shop.rng.randrange(len(shop.for_sale)))
        response = shop.browser.post(f"/sales/{draft}/scan/", {"code": code}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (code, response.content.decode()[:2000])
    elif who == "key":
        response = shop.browser.get(path, **shop.headers)
    else:
        response = shop.browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.status_code


def _time(shop: _Shop, path: str, who: str, draft: int) -> dict:
    _request(shop, path, who, draft)  # warm: templates loaded, the planner's first plans
    seconds, sql_ms, counts = [], [], []
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            _request(shop, path, who, draft)
            seconds.append(time.perf_counter() - started)
        sql_ms.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        counts.append(len(queries))
    return {"ms": round(statistics.median(seconds) * 1000, 1), "sql_ms": round(statistics.median(sql_ms), 1),
            "queries": max(counts)}  # fmt: skip


def measure(sizes: tuple[int, ...] = SIZES) -> dict:
    with rls_bypass():
        shop = _Shop()
    rows = []
    for size in sorted(sizes):
        started = time.perf_counter()
        with rls_bypass():
            _stock(shop, size - shop.items)
            _documents(shop, size - shop.documents)
        seed_seconds = time.perf_counter() - started
        _vacuum()
        opened = shop.browser.post("/sales/new/")
        draft = int(opened["Location"].rstrip("/").rsplit("/", 1)[1])
        pages = {label: _time(shop, path, who, draft) for label, path, who in PAGES}
        rows.append({"size": size, "seed_seconds": round(seed_seconds, 1), "pages": pages})
    return {"rows": rows, "repeats": REPEATS}


def print_figures(figures: dict) -> None:
    rows = figures["rows"]
    print(
        f"\nLists at any shop size: one shop with N articles and N invoices and notes; each page in-process "
        f"(test client, row-level security on), median of {figures['repeats']} after a warm-up, "
        "ms of the request / ms of its SQL / queries:"
    )
    header = f"  {'page':<42}" + "".join(f"{row['size']:>22,}" for row in rows)
    print(header + "\n  " + "-" * (len(header) - 2))
    for label, *_ in PAGES:
        figures_of = (row["pages"][label] for row in rows)
        cells = "".join(f"{'{ms:.0f} / {sql_ms:.0f} / {queries}'.format(**p):>22}" for p in figures_of)
        print(f"  {label:<42}{cells}")
    print("  seeding: " + ", ".join(f"{row['size']:,} in {row['seed_seconds']} s" for row in rows))
