"""Which GST rate applies to a code on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apps.gst.models import GstRate


def gst_rate_for(*, code: str, on: date) -> GstRate | None:
    """The longest prefix of `code` with a rate started by `on`, its latest row; None if no row matches."""
    prefixes = [code[:n] for n in range(len(code), 1, -1)]
    rows = GstRate.objects.filter(code__in=prefixes, effective_from__lte=on).order_by("-effective_from")
    best: GstRate | None = None
    for row in rows:
        if best is None or len(row.code) > len(best.code):
            best = row
    return best


def gst_rate_value(*, code: str, on: date) -> Decimal | None:
    row = gst_rate_for(code=code, on=on)
    return row.rate if row else None
