"""Reading exports, always for one tenant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.gst.periods import ReturnPeriod
from apps.invoicing.models import Invoice
from apps.reports.models import Export

if TYPE_CHECKING:
    from apps.tenants.models import Tenant

PROBLEMS_SHOWN = 50  # on the page; the API gives them all


def export_list(
    *, tenant: Tenant, kinds: Iterable[str] | None = None, period: ReturnPeriod | None = None
) -> QuerySet[Export]:
    """The tenant's exports, newest first, with who asked for each; of some kinds, or one period, if given."""
    qs = Export.objects.for_tenant(tenant).select_related("requested_by")
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if period is not None:
        qs = qs.filter(period_start=period.start, period_end=period.end)
    return qs


def export_get(*, tenant: Tenant, export_id: int) -> Export:
    return get_object_or_404(export_list(tenant=tenant), pk=export_id)


def problem_number(problem: str) -> str:
    """The document number a refusal's problem starts with ("LJ/26-27/0007: line 2 has no HSN code"), or ""."""
    head, colon, _ = problem.partition(": ")
    return head if colon and 0 < len(head) <= 16 and " " not in head else ""


def problem_documents(*, tenant: Tenant, exports: Iterable[Export]) -> dict[str, int]:
    """The ids of the tenant's documents that the refused exports' problems name, by number (one query)."""
    numbers = {
        problem_number(problem)
        for export in exports
        if export.status == Export.Status.REFUSED
        for problem in export.problems[:PROBLEMS_SHOWN]
    } - {""}
    if not numbers:
        return {}
    found = Invoice.objects.for_tenant(tenant).filter(number__in=numbers).values_list("number", "pk")
    return dict(found)
