"""The e-invoice bulk file: a period's B2B invoices and notes that are ready for the IRP, as the
portal's bulk upload takes them (a JSON list of INV-01 documents, at most 1 MB a file).

The same rows and payloads as the e-Invoices page and its direct download
(`apps.invoicing.services.einvoice_bulk_texts`): documents that already have an IRN, or that the IRP
would refuse, are left out, and counted. A period whose ready documents pass 1 MB is split; option
`part` (1 by default) says which file to write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.gst.einvoice import BULK_FILE_MAX_BYTES, bulk_parts
from apps.gst.periods import ReturnPeriod
from apps.invoicing import einvoice_selectors, services
from apps.reports.kinds import ExportContext, ExportKind, ExportRefused, ExportResult, export_kind_register
from apps.tenants.models import Tenant

PARTS_MAX = 999


def einvoice_options_clean(tenant: Tenant, period: ReturnPeriod, options: dict[str, Any]) -> dict[str, Any]:
    part = options.get("part", 1)
    if isinstance(part, bool) or not isinstance(part, int) or not 1 <= part <= PARTS_MAX:
        raise ValidationError(
            {"part": [f"The part is a whole number from 1 to {PARTS_MAX}: 1 for the first file."]}
        )
    return {"part": part} if part != 1 else {}


def einvoice_json_export(ctx: ExportContext) -> ExportResult:
    rows = einvoice_selectors.einvoice_rows(tenant=ctx.tenant, period=ctx.period, today=timezone.localdate())
    _numbers, texts = services.einvoice_bulk_texts(rows)
    blocked = [row for row in rows if row.problems]
    if not texts:
        problems = [f"{row.record.number}: {problem}" for row in blocked for problem in row.problems]
        raise ExportRefused(
            problems or [f"No B2B invoice or note of {ctx.period.label} is waiting for an IRN."]
        )
    parts = bulk_parts(texts)
    part = ctx.options.get("part", 1)
    if part > len(parts):
        raise ExportRefused(
            [f"The ready documents of {ctx.period.label} make {len(parts)} file(s) of at most "
             f"{BULK_FILE_MAX_BYTES // 1_000_000} MB: ask for part 1 to {len(parts)}."]
        )  # fmt: skip
    chosen = parts[part - 1]
    ctx.out.write(b"[")
    for done, i in enumerate(chosen, start=1):
        if done > 1:
            ctx.out.write(b",")
        ctx.out.write(texts[i])
        ctx.progress(done, len(chosen))
    ctx.out.write(b"]")
    return ExportResult(
        document_count=len(chosen),
        counts={
            "ready": len(texts),
            "registered": sum(1 for row in rows if row.einvoice is not None),
            "to_fix": len(blocked),
            "parts": len(parts),
        },
    )


EINVOICE_JSON = export_kind_register(
    ExportKind(
        code="einvoice_json", label="e-Invoices for the IRP's bulk upload (JSON)", extension="json",
        content_type="application/json", write=einvoice_json_export, options_clean=einvoice_options_clean,
    )
)  # fmt: skip
