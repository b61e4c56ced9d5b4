"""What the export tests share: issued invoices of this month, export kinds installed for one test, and
requests for exports (the storage fixtures are in conftest.py)."""

from __future__ import annotations

import hashlib

from apps.gst.periods import ReturnPeriod
from apps.invoicing import services as invoicing
from apps.reports import kinds as export_kinds
from apps.reports import services
from apps.reports.kinds import ExportKind
from apps.reports.models import Export


def this_month() -> ReturnPeriod:
    from django.utils import timezone

    today = timezone.localdate()
    return ReturnPeriod.month(today.year, today.month)


def kind_installed(monkeypatch, kind: ExportKind) -> ExportKind:
    """An export kind offered for one test only (under a code the real writers may also register)."""
    monkeypatch.setitem(export_kinds._KINDS, kind.code, kind)
    return kind


def issued_invoices(tenant, actor, count: int, amount: str = "100") -> list:
    """`count` issued bills of a repair (SAC 9987) each, today."""
    invoices = []
    for _ in range(count):
        draft = invoicing.invoice_draft_create(tenant=tenant, actor=actor)
        invoicing.invoice_line_add_free(
            tenant=tenant, actor=actor, invoice=draft, description="Repair", hsn_code="9987", amount=amount
        )
        invoices.append(invoicing.invoice_issue(tenant=tenant, actor=actor, invoice=draft))
    return invoices


def ask(tenant, actor, kind: str, *, period: ReturnPeriod | None = None, **options) -> Export:
    """Ask for an export; its build is queued when the caller's transaction commits."""
    return services.export_request(
        tenant=tenant, actor=actor, kind_code=kind, period=period or this_month(), options=options
    )


def request_now(
    tenant, actor, kind: str, *, capture, period: ReturnPeriod | None = None, **options
) -> Export:
    """Ask for an export and let its transaction commit, which queues (here: runs) the build."""
    with capture(execute=True):
        export = ask(tenant, actor, kind, period=period, **options)
    export.refresh_from_db()
    return export


def stored_bytes(export: Export) -> bytes:
    with export.file.storage.open(export.file.name, "rb") as handle:
        return handle.read()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
