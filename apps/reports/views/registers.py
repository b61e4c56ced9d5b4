"""The register pages: an index of the five, and each register for a range of days with its filters."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from apps.core.pages import PAGE_SIZE, querystring_without
from apps.gst.periods import FinancialYear
from apps.reports.registers import REGISTERS, DateRange, RegisterKind, payment_row
from apps.reports.registers.payments import MODE_LABELS
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view


def _quick_ranges(register: RegisterKind) -> list[tuple[str, str]]:
    """Ranges a shop asks for most, as links: this month, last month, this financial year so far."""
    today = timezone.localdate()
    this_month = DateRange.month_of(today)
    last_month = DateRange.month_of(this_month.start - timedelta(days=1))
    year = DateRange(FinancialYear.of(today).start, today)
    base = reverse(register.url_name)
    return [
        (label, f"{base}?{urlencode(dates.as_query())}")
        for label, dates in (
            ("This month", this_month),
            ("Last month", last_month),
            ("This financial year", year),
        )
    ]


def _hsn_context(*, form, rows: list[dict], totals: dict) -> dict:
    """The HSN rows as GSTR-1 splits them, each section with its subtotal."""
    sections = [
        (label, [row for row in rows if row["section_code"] == code], totals[code])
        for code, label in (("b2b", "B2B: registered buyers"), ("b2c", "B2C: unregistered buyers"))
    ]
    return {"sections": sections}


def _payments_context(*, form, rows: list[dict], totals: dict) -> dict:
    mode = form.cleaned_data.get("mode", "") if form.is_bound else ""
    return {"mode": mode, "mode_label": MODE_LABELS.get(mode, "")}


STOCK_PHASES = [("opening", "Opening"), ("added", "Added"), ("sold", "Sold"), ("returned", "Returned"),
                ("closing", "Closing")]  # fmt: skip


def _stock_cells(row: dict) -> list[dict]:
    return [
        {
            "label": label,
            "count": row[f"{code}_count"],
            "net": row[f"{code}_net"],
            "gross": row[f"{code}_gross"],
        }
        for code, label in STOCK_PHASES
    ]


def _stock_context(*, form, rows: list[dict], totals: dict) -> dict:
    """Each purity and each metal's total as cells, phase by phase; "in hand now" when the range reaches today."""
    return {
        "phases": STOCK_PHASES,
        "rows": [{**row, "cells": _stock_cells(row)} for row in rows],
        "metal_totals": [{**m, "cells": _stock_cells(m)} for m in totals["metals"]],
        "show_now": bool(rows) and "in_hand_now_count" in rows[0],
    }


EXTRA_CONTEXT = {"hsn": _hsn_context, "payments": _payments_context, "stock": _stock_context}


@require_GET
@tenant_view(rights.REGISTERS_READ)
def register_index_view(request):
    return render(request, "reports/registers/index.html", {"registers": REGISTERS.values()})


@require_GET
@tenant_view(rights.REGISTERS_READ)
def register_view(request, code: str):
    """One register for `?from=&to=` (the current month without them) and its filters; an htmx request
    gets the part below the form. A range the form refuses answers 422 with what to change."""
    register = REGISTERS[code]
    month = DateRange.month_of(timezone.localdate())
    form = register.form(request.GET or None, initial={"from": month.start, "to": month.end})
    valid = form.is_valid() if form.is_bound else True
    dates = form.dates
    if form.is_bound and valid:  # the boxes show the range read, a default included
        form.data = form.data.copy()
        for name, value in dates.as_query().items():
            form.data[name] = value
    result = register.selector(tenant=request.tenant, **form.filters()) if valid else None
    page = rows = None
    count = 0
    if result is not None:
        if register.paginated:
            page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
            rows = list(page.object_list)
            count = page.paginator.count
            if register.code == "payments":
                rows = [payment_row(row) for row in rows]
        else:
            rows = result.rows
            count = len(rows)
    # "Export CSV" starts an export through the Returns page's machinery: for those who may export.
    can_export = request.membership.has_role(rights.RETURNS_EXPORT.role)
    context = {
        "register": register,
        "registers": REGISTERS.values(),
        "form": form,
        "dates": dates,
        "valid": valid,
        "totals": result.totals if result else None,
        "rows": rows,
        "count": count,
        "page": page,
        "querystring_dates": urlencode(dates.as_query()),
        "querystring": querystring_without(request),
        "filtered": bool(request.GET.dict().keys() - {"page", "from", "to"}),
        "quick_ranges": _quick_ranges(register),
        "export_url": reverse("reports:export_request") if can_export else None,
        "export_fields": [(name, value) for name, value in form.options().items()] if valid else [],
        "export_period": dates.period.code,
    }
    if result is not None:
        context.update(
            EXTRA_CONTEXT.get(register.code, lambda **kw: {})(form=form, rows=rows, totals=result.totals)
        )
    template = "reports/registers/partials/_body.html" if request.htmx else "reports/registers/register.html"
    return render(request, template, context, status=200 if valid else 422)
