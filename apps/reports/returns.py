"""The GST returns a shop exports: the GSTR-1 files (`format` → export kind) and the periods offered."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from apps.gst.periods import FinancialYear, ReturnPeriod
from apps.reports.kinds import export_kind_get
from apps.tenants.models import ReturnFrequency

if TYPE_CHECKING:
    from apps.tenants.models import Tenant

# `format` of the page's form and of the API → the export kind that writes it.
GSTR1_FORMATS = {"json": "gstr1_json", "csv": "gstr1_csv", "gstr3b": "gstr3b"}
GSTR1_FORMAT_LABELS = {
    "json": "GSTR-1 JSON, to upload on the GST portal",
    "csv": "GSTR-1 sheets for the offline tool (a ZIP of CSV files)",
    "gstr3b": "GSTR-3B summary (CSV), to cross-check with your accountant",
}
GSTR1_KINDS = tuple(GSTR1_FORMATS.values())
RECENT_MONTHS = 12
RECENT_QUARTERS = 6


def gstr1_formats_offered() -> list[tuple[str, str]]:
    """The formats whose writer is installed, as (format, label)."""
    return [
        (name, GSTR1_FORMAT_LABELS[name]) for name, code in GSTR1_FORMATS.items() if export_kind_get(code)
    ]


def is_quarterly(tenant: Tenant) -> bool:
    return tenant.gstr1_frequency == ReturnFrequency.QUARTERLY


def period_of(day: date, *, quarterly: bool) -> ReturnPeriod:
    """The month of `day`, or its quarter of the financial year (April-June is Q1)."""
    if quarterly:
        return ReturnPeriod.quarter(FinancialYear.of(day).start_year, (day.month - 4) % 12 // 3 + 1)
    return ReturnPeriod.month(day.year, day.month)


def recent_periods(*, tenant: Tenant, today: date) -> list[ReturnPeriod]:
    """The periods the page offers, newest (the one running) first: months, or a QRMP filer's quarters."""
    quarterly = is_quarterly(tenant)
    periods, day = [], today
    for _ in range(RECENT_QUARTERS if quarterly else RECENT_MONTHS):
        period = period_of(day, quarterly=quarterly)
        periods.append(period)
        day = period.start - timedelta(days=1)
    return periods


def furnished_months_of(period: ReturnPeriod, *, first: bool, second: bool) -> list[str]:
    """A quarter's months whose B2B documents went through IFF, as the API names them (2026-10)."""
    if not period.is_quarter:
        return []
    months = period.month_starts[:2]
    return [f"{m.year}-{m.month:02d}" for m, ticked in zip(months, (first, second), strict=True) if ticked]
