"""Which GST rate applies to a code on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from apps.gst.models import GstRate


def gst_rates_for(*, codes: Iterable[str], on: date) -> dict[str, GstRate | None]:
    """For each code, the longest prefix with a rate started by `on`, its latest row (None if no row
    matches); one query for all of them."""
    codes = set(codes)
    prefixes = {code[:n] for code in codes for n in range(len(code), 1, -1)}
    if not prefixes:
        return dict.fromkeys(codes)
    rows = list(GstRate.objects.filter(code__in=prefixes, effective_from__lte=on).order_by("-effective_from"))
    found: dict[str, GstRate | None] = {}
    for code in codes:
        best: GstRate | None = None
        for row in rows:
            if code.startswith(row.code) and (best is None or len(row.code) > len(best.code)):
                best = row
        found[code] = best
    return found


def gst_rate_for(*, code: str, on: date) -> GstRate | None:
    return gst_rates_for(codes=[code], on=on)[code]


def gst_rate_value(*, code: str, on: date, buyer_registered: bool = True) -> Decimal | None:
    """The rate on record for a buyer with a GSTIN, or for one without (a concession's other rate)."""
    row = gst_rate_for(code=code, on=on)
    if row is None:
        return None
    if not buyer_registered and row.unregistered_rate is not None:
        return row.unregistered_rate
    return row.rate


def gst_rate_refusals(
    *, charges: Iterable[tuple[str, Decimal]], on: date, buyer_registered: bool
) -> dict[tuple[str, Decimal], str]:
    """Why each refused (code, rate) charge can't be made to this buyer; charges that may be are left out.

    A concession meant for GST-registered recipients (job work for a registered principal) can't go to
    a buyer without a GSTIN: a rate below the one such a buyer pays is refused.
    """
    charges = set(charges)
    if buyer_registered or not charges:
        return {}
    rows = gst_rates_for(codes={code for code, _ in charges}, on=on)
    refused = {}
    for code, rate in charges:
        row = rows[code]
        if row is None or row.unregistered_rate is None or rate >= row.unregistered_rate:
            continue
        other = f"{row.unregistered_rate.normalize():f}"
        refused[(code, rate)] = (
            f"{row.description} (HSN/SAC {code}): {rate.normalize():f}% is only for a GST-registered buyer. "
            f"For a buyer without a GSTIN it is billed as a service at {other}%: enter {other} as the GST "
            "rate, or choose the buyer's GST-registered customer first."
        )
    return refused
