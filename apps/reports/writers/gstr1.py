"""GSTR-1 and GSTR-3B exports: the JSON for the GST portal, the offline tool's sheets, the 3B summary.

All three read the same source (apps.reports.sources) through the same builder (apps.gst.returns), so
they carry the same figures. Each first asks the books what must be fixed and refuses with that list
before writing a byte; the JSON is checked against its schema as it is written.

Option `furnished_months` (a quarterly filer's months whose B2B invoices and notes were already
furnished in the IFF, e.g. ["2026-10", "2026-11"]) leaves those documents out of b2b and cdnr.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from apps.gst.periods import ReturnPeriod
from apps.gst.returns.gstr1 import Gstr1Summary
from apps.gst.returns.gstr1_json import gstr1_json_write
from apps.gst.returns.gstr1_sheets import gstr1_sheets_write
from apps.gst.returns.gstr3b import gstr3b_write
from apps.reports import sources
from apps.reports.kinds import ExportContext, ExportKind, ExportRefused, ExportResult, export_kind_register
from apps.tenants.models import ReturnFrequency, Tenant


def gstr1_options_clean(tenant: Tenant, period: ReturnPeriod, options: dict[str, Any]) -> dict[str, Any]:
    """`furnished_months`: months of the quarter's first two whose B2B documents went through the IFF."""
    months = options.get("furnished_months") or []
    if not months:
        return {}
    allowed = [f"{day.year}-{day.month:02d}" for day in period.month_starts[:2]]
    if not isinstance(months, list) or not all(isinstance(month, str) for month in months):
        raise ValidationError(
            {"furnished_months": ['Give the furnished months as a list, like ["2026-10"].']}
        )
    if tenant.gstr1_frequency != ReturnFrequency.QUARTERLY or not period.is_quarter:
        raise ValidationError(
            {
                "furnished_months": [
                    "Only a quarterly filer (QRMP) furnishes invoices in the IFF, for the first two months of a "
                    "quarter: export the quarter, and set the shop to file GSTR-1 quarterly first."
                ]
            }
        )
    wrong = [month for month in months if month not in allowed]
    if wrong:
        raise ValidationError(
            {
                "furnished_months": [
                    f"{', '.join(wrong)}: the IFF covers only the first two months of the quarter "
                    f"({' and '.join(allowed)})."
                ]
            }
        )
    return {"furnished_months": sorted(set(months))}


def _refuse_or_source(ctx: ExportContext):
    problems = sources.gstr1_problems(tenant=ctx.tenant, period=ctx.period)
    if problems:
        raise ExportRefused(problems)
    return sources.gstr1_source(tenant=ctx.tenant, period=ctx.period, options=ctx.options)


def _result(summary: Gstr1Summary) -> ExportResult:
    return ExportResult(document_count=summary.document_count, counts=dict(summary.counts))


def gstr1_json_export(ctx: ExportContext) -> ExportResult:
    source = _refuse_or_source(ctx)
    return _result(
        gstr1_json_write(source, ctx.out, period=ctx.period, gstin=ctx.tenant.gstin, progress=ctx.progress)
    )


def gstr1_sheets_export(ctx: ExportContext) -> ExportResult:
    source = _refuse_or_source(ctx)
    return _result(
        gstr1_sheets_write(source, ctx.out, period=ctx.period, gstin=ctx.tenant.gstin, progress=ctx.progress)
    )


def gstr3b_export(ctx: ExportContext) -> ExportResult:
    source = _refuse_or_source(ctx)
    return _result(
        gstr3b_write(source, ctx.out, period=ctx.period, gstin=ctx.tenant.gstin, progress=ctx.progress)
    )


GSTR1_JSON = export_kind_register(
    ExportKind(
        code="gstr1_json", label="GSTR-1 (JSON for the GST portal)", extension="json",
        content_type="application/json", write=gstr1_json_export, options_clean=gstr1_options_clean,
    )
)  # fmt: skip
GSTR1_CSV = export_kind_register(
    ExportKind(
        code="gstr1_csv", label="GSTR-1 (offline tool sheets, CSV in a ZIP)", extension="zip",
        content_type="application/zip", write=gstr1_sheets_export, options_clean=gstr1_options_clean,
    )
)  # fmt: skip
GSTR3B = export_kind_register(
    ExportKind(
        code="gstr3b", label="GSTR-3B summary (CSV)", extension="csv", content_type="text/csv",
        write=gstr3b_export, options_clean=gstr1_options_clean,
    )
)  # fmt: skip
