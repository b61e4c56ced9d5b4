"""Export kinds of the tests: small writers that exercise the machinery without the GSTR-1 writer.

Imported by the tests, and by a worker process started by a test (CELERY_IMPORTS=tests.reports.kinds).
"""

from __future__ import annotations

import csv
import io
import time
import zipfile

from django.core.exceptions import ValidationError

from apps.invoicing.models import Invoice
from apps.reports.kinds import ExportContext, ExportKind, ExportRefused, ExportResult, export_kind_register


def _invoices(context: ExportContext):
    return (
        Invoice.objects.for_tenant(context.tenant)
        .filter(
            status=Invoice.Status.ISSUED,
            issued_on__gte=context.period.start,
            issued_on__lte=context.period.end,
        )
        .order_by("issued_on", "number")
    )


def invoices_write(context: ExportContext) -> ExportResult:
    """One CSV line per issued invoice of the period: number, date, total; progress per invoice."""
    invoices = _invoices(context)
    total = invoices.count()
    text = io.TextIOWrapper(context.out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(["number", "date", "total"])
    done = 0
    for invoice in invoices.iterator(chunk_size=500):
        writer.writerow([invoice.number, invoice.issued_on.isoformat(), str(invoice.grand_total)])
        done += 1
        context.progress(done, total)
    text.flush()
    text.detach()  # the machinery owns the stream
    return ExportResult(document_count=done, counts={"invoices": done})


def zip_write(context: ExportContext) -> ExportResult:
    """The period's invoices as a ZIP of one CSV, written the way the offline-tool sheets are."""
    invoices = list(_invoices(context).values_list("number", flat=True))
    with zipfile.ZipFile(context.out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("invoices.csv", "w") as member:
            member.write(b"number\n")
            for number in invoices:
                member.write(f"{number}\n".encode())
        with archive.open("readme.txt", "w") as member:
            member.write(b"test export\n")
    return ExportResult(document_count=len(invoices))


def _slow_options(tenant, period, options: dict) -> dict:
    try:
        documents = int(options.get("documents", 10))
        delay = float(options.get("delay", 0))
    except (TypeError, ValueError):
        raise ValidationError({"documents": ["A whole number of documents."]}) from None
    if not 0 < documents <= 100_000:
        raise ValidationError({"documents": ["Between 1 and 100,000 documents."]})
    return {"documents": documents, "delay": delay}


def slow_write(context: ExportContext) -> ExportResult:
    """`documents` lines, `delay` seconds apart, each reported: a long build to watch from outside."""
    documents, delay = context.options.get("documents", 10), context.options.get("delay", 0)
    for number in range(1, documents + 1):
        context.out.write(f"document {number}\n".encode())
        context.progress(number, documents)
        if delay:
            time.sleep(delay)
    return ExportResult(document_count=documents)


def refuse_write(context: ExportContext) -> ExportResult:
    context.out.write(b"half a file")
    raise ExportRefused(
        [
            "INV/26-27/0001: line 1 has no HSN code",
            "The shop has no GSTIN: add it in Settings first",
        ]
    )


def broken_write(context: ExportContext) -> ExportResult:
    context.out.write(b"half a file")
    raise RuntimeError("a bug in the writer")


class WorkerKilled(BaseException):
    """What the build sees when its worker process dies: nothing below it runs (not even `except Exception`)."""


CRASHES = {"left": 0}


def crashing_write(context: ExportContext) -> ExportResult:
    """Writes 10 documents; while CRASHES["left"] > 0 the build dies after the fifth."""
    for number in range(1, 11):
        context.out.write(f"document {number}\n".encode())
        context.progress(number, 10)
        if number == 5 and CRASHES["left"] > 0:
            CRASHES["left"] -= 1
            raise WorkerKilled
    return ExportResult(document_count=10)


INVOICES = export_kind_register(
    ExportKind("test_invoices", "Test list of invoices", "csv", "text/csv", invoices_write)
)
ZIPPED = export_kind_register(
    ExportKind("test_zip", "Test ZIP of invoices", "zip", "application/zip", zip_write)
)
SLOW = export_kind_register(
    ExportKind("test_slow", "Test slow export", "csv", "text/csv", slow_write, options_clean=_slow_options)
)
REFUSING = export_kind_register(
    ExportKind("test_refuse", "Test refusal", "json", "application/json", refuse_write)
)
BROKEN = export_kind_register(
    ExportKind("test_broken", "Test broken writer", "csv", "text/csv", broken_write)
)
CRASHING = export_kind_register(
    ExportKind("test_crash", "Test crashing worker", "csv", "text/csv", crashing_write)
)
