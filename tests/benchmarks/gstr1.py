"""GSTR-1 figures: the time and peak memory of writing a month's GSTR-1 JSON for 10,000 to 100,000 documents.

One shop gets issued documents for October 2026 in bulk (bulk_create, as a bench seed may: the rows are
what issue leaves, numbered in one series, their tax settled per line): 40% B2B invoices to 200
registered buyers, 10% B2C-large invoices across states, 48% walk-in sales in the shop's state, 2%
credit notes to registered buyers; each with a jewellery line (3%, weighed) and every other one a
repair (SAC 9987, 18%). After each step of BENCH_GSTR1_SIZES (10000,50000,100000 documents in all) the
export kind `gstr1_json` runs as a worker runs it, for the shop (row-level security on): the checks of
what to fix, the source's chunked reads and the streamed, schema-checked JSON, into a file (after an
ANALYZE of the tables, as autovacuum would run after such a load). Printed:
seconds, documents per second, queries, the file's size, and the peak of Python's own allocations
(tracemalloc, a second run: it slows the code it watches) against the file's size. Memory should stay
flat as the period grows; the time grows with it.

On a migrated PostgreSQL database (DATABASE_URL and REDIS_URL), without the web load test:
    python manage.py shell -c "from tests.benchmarks import gstr1 as b; b.print_figures(b.measure())"
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from apps.core.money import rupees
from apps.core.rls import rls_bypass, tenant_scope
from apps.gst.periods import FinancialYear, ReturnPeriod, retain_until
from apps.gst.tax import document_totals, line_tax
from apps.invoicing.models import Customer, DocumentSeries, Invoice, InvoiceLine
from apps.reports.kinds import ExportContext, export_kind_get

SIZES = tuple(int(size) for size in os.environ.get("BENCH_GSTR1_SIZES", "10000,50000,100000").split(","))
PERIOD = ReturnPeriod.month(2026, 10)
BUYERS = 200
BATCH = 5000
JEWELLERY, REPAIR = ("7113", Decimal("3"), "Gold jewellery"), ("9987", Decimal("18"), "Repair")


def _shop():
    from apps.accounts.models import User
    from apps.tenants.services import tenant_create
    from tests.tenants.factories import gstin_for, gstin_verified

    stamp = time.strftime("%H%M%S")
    owner = User.objects.create_user(
        f"bench-gstr1-{stamp}-{os.getpid()}@example.in", "bench-pass-2026", full_name="Bench Owner"
    )
    shop = tenant_create(owner=owner, kind="shop", name=f"Bench Returns {stamp}", state_code="27",
                         gstin=gstin_for("27", pan=f"AABCB{int(stamp) % 10000:04d}C"), address="1 Bench Road, Mumbai")  # fmt: skip
    return gstin_verified(shop)


def _buyers(shop) -> list[Customer]:
    from tests.tenants.factories import gstin_for

    return Customer.objects.bulk_create(
        [Customer(tenant=shop, kind="registered", name=f"Bench Buyer {n}", state_code="27" if n % 4 else "29",
                  gstin=gstin_for("27" if n % 4 else "29", pan=f"AACCB{n + 1:04d}D"), address="2 Bench Lane")
         for n in range(BUYERS)]
    )  # fmt: skip


def _lines(n: int, inter_state: bool, scale: Decimal):
    specs = [(JEWELLERY, rupees(Decimal("48000") * scale + n % 997), Decimal("7.350"))]
    if n % 2:
        specs.append((REPAIR, Decimal("450.00"), None))
    return [
        (code, rate, description, grams, line_tax(taxable=taxable, rate=rate, inter_state=inter_state))
        for (code, rate, description), taxable, grams in specs
    ]


def _seed(shop, series: DocumentSeries, buyers: list[Customer], start: int, count: int) -> None:
    """Documents `start`..`start + count - 1` of the shop's October, in batches."""
    fy = FinancialYear(2026)
    for first in range(start, start + count, BATCH):
        invoices, lines, issued = [], [], []
        for n in range(first, min(start + count, first + BATCH)):
            day = PERIOD.start + timedelta(days=n % 31)
            kind, buyer, pos, scale = "invoice", None, "27", Decimal("1")
            share = n % 50
            if share < 20:  # B2B
                buyer = buyers[n % BUYERS]
                pos = buyer.state_code
            elif share < 25:  # B2C large, across states
                pos, scale = "29", Decimal("3")
            elif share == 49:  # a credit note to a registered buyer
                kind, buyer = "credit_note", buyers[n % BUYERS]
                pos = buyer.state_code
            priced = _lines(n, pos != "27", scale)
            totals = document_totals([tax for *_, tax in priced])
            invoices.append(Invoice(  # a draft first: an issued document takes no new lines
                tenant=shop, doc_type=kind, series=series, series_code=series.code, customer=buyer, place_of_supply=pos,
                seller_name=shop.name, seller_gstin=shop.gstin, seller_state_code="27", seller_address=shop.address,
                buyer_name=buyer.name if buyer else "", buyer_gstin=buyer.gstin if buyer else "",
                buyer_state_code=buyer.state_code if buyer else "27", taxable_value=totals.taxable, cgst=totals.cgst,
                sgst=totals.sgst, igst=totals.igst, round_off=totals.round_off, grand_total=totals.grand_total,
                note_reason="price_reduction" if kind == "credit_note" else "",
            ))  # fmt: skip
            lines.append(priced)
            issued.append((f"INV/{fy.short}/{n + 1:06d}", day))
        sales = [invoice for invoice in invoices if invoice.doc_type == "invoice"]
        Invoice.objects.bulk_create(sales, batch_size=1000)
        notes = [invoice for invoice in invoices if invoice.doc_type != "invoice"]
        for note in notes:  # each corrects an invoice of its batch
            note.original_id = sales[0].pk
        Invoice.objects.bulk_create(notes, batch_size=1000)
        InvoiceLine.objects.bulk_create(
            [InvoiceLine(tenant=shop, invoice=invoice, position=position, kind="free", description=description,
                         hsn_code=code, gst_rate=rate, net_weight=grams, amount=tax.taxable, taxable_value=tax.taxable,
                         cgst=tax.cgst, sgst=tax.sgst, igst=tax.igst)
             for invoice, priced in zip(invoices, lines, strict=True)
             for position, (code, rate, description, grams, tax) in enumerate(priced, 1)],
            batch_size=2000,
        )  # fmt: skip
        for invoice, (number, day) in zip(invoices, issued, strict=True):  # then issued, as issue leaves it
            invoice.status, invoice.number, invoice.issued_on, invoice.retain_until = (
                "issued",
                number,
                day,
                retain_until(day),
            )
        Invoice.objects.bulk_update(
            invoices, ["status", "number", "issued_on", "retain_until"], batch_size=1000
        )


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum gathers after a bulk load (as the owner, when there is one:
    ANALYZE skips the tables the app role does not own)."""
    schema_connection = connections["owner" if "owner" in settings.DATABASES else "default"]
    with schema_connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice, invoicing_invoiceline, invoicing_receiptvoucher")
    schema_connection.close()


class _Progress:
    calls = 0

    def __call__(self, done: int, total: int | None) -> None:
        self.calls += 1


def _write(shop) -> tuple[float, int, int, int]:
    """One run of the export kind, as the worker runs it: seconds, queries, bytes, documents."""
    kind = export_kind_get("gstr1_json")
    with tempfile.TemporaryFile() as out, tenant_scope(shop.pk), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = kind.write(
            ExportContext(tenant=shop, period=PERIOD, options={}, out=out, progress=_Progress())
        )
        seconds = time.perf_counter() - started
        return seconds, len(queries), out.tell(), result.document_count


def _peak(shop) -> int:
    kind = export_kind_get("gstr1_json")
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as out, tenant_scope(shop.pk):
            kind.write(ExportContext(tenant=shop, period=PERIOD, options={}, out=out, progress=_Progress()))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(sizes: tuple[int, ...] = SIZES) -> dict:
    with rls_bypass():
        shop = _shop()
        buyers = _buyers(shop)
        series = DocumentSeries.objects.create(
            tenant=shop, doc_type="invoice", gstin=shop.gstin, fy_start_year=2026, code="INV",
            number_format="{CODE}/{FY}/{NNNNNN}", next_number=max(sizes) + 1,
        )  # fmt: skip
    rows, seeded = [], 0
    for size in sorted(sizes):
        started = time.perf_counter()
        with rls_bypass():
            _seed(shop, series, buyers, seeded, size - seeded)
        seed_seconds = time.perf_counter() - started
        seeded = size
        _analyze()
        _write(shop)  # warm: validators compiled, modules imported, the planner's first plans
        seconds, queries, size_bytes, documents = _write(shop)
        rows.append({
            "documents": documents, "seed_seconds": round(seed_seconds, 1), "seconds": round(seconds, 2),
            "per_second": round(documents / seconds) if seconds else None, "queries": queries,
            "file_mb": round(size_bytes / 1e6, 1), "peak_mb": round(_peak(shop) / 1e6, 2),
        })  # fmt: skip
    return {"period": PERIOD.code, "rows": rows}


def print_figures(figures: dict) -> None:
    print(
        f"\nGSTR-1 JSON of one shop's month ({figures['period']}), written as the worker writes it (checks, "
        "chunked reads, streamed and schema-checked):"
    )
    header = f"  {'documents':>10}{'seconds':>9}{'docs/s':>9}{'queries':>9}{'file MB':>9}{'peak MB':>9}"
    print(header + "\n  " + "-" * (len(header) - 2))
    for row in figures["rows"]:
        print(
            f"  {row['documents']:>10,}{row['seconds']:>9.2f}{row['per_second']:>9,}{row['queries']:>9}"
            f"{row['file_mb']:>9.1f}{row['peak_mb']:>9.2f}"
        )
    print("  peak MB: the most Python held at once while writing (tracemalloc), file MB: what it wrote.")
