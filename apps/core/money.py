"""Amounts and weights: how many places each keeps, and the one rounding mode.

Every figure Tijori stores or shows is rounded here, half away from zero (₹0.005 → ₹0.01), the way
Indian invoices and the GST portal round line amounts. Rupees and US dollars keep 2 places, grams 3
(BIS hallmarking and the weighing scales of a shop read to the milligram). Tax math (GST on a line,
CGST/SGST splits, the round-off line) lives in `apps.gst` and rounds through these functions too.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

RUPEE = Decimal("0.01")  # paise
CENT = Decimal("0.01")
GRAM = Decimal("0.001")  # milligrams
ROUNDING = ROUND_HALF_UP


def round_to(value: Decimal | int | str, places: Decimal) -> Decimal:
    return Decimal(value).quantize(places, rounding=ROUNDING)


def rupees(value: Decimal | int | str) -> Decimal:
    """To the paisa."""
    return round_to(value, RUPEE)


def usd(value: Decimal | int | str) -> Decimal:
    """To the cent."""
    return round_to(value, CENT)


def grams(value: Decimal | int | str) -> Decimal:
    """To the milligram."""
    return round_to(value, GRAM)


def parse_decimal(value: Any, places: Decimal, field: str, label: str, errors: dict) -> Decimal | None:
    """A number typed by a person ("1,23,456.5") at `places`, or None with a message under `field`."""
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            errors[field] = [f"Enter the {label} as a number, like 12.345."]
            return None
    if not number.is_finite():
        errors[field] = [f"Enter the {label} as a number, like 12.345."]
        return None
    try:
        return round_to(number, places)
    except InvalidOperation:  # too many digits to hold at this precision
        errors[field] = [f"The {label} is far too large."]
        return None
