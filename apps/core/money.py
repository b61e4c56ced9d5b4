"""Amounts and weights: how many places each keeps, the one rounding mode, and how they are written.

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


def indian_grouping(whole: str) -> str:
    """12345678 → 1,23,45,678: the last three digits, then groups of two (lakh, crore)."""
    if len(whole) <= 3:
        return whole
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


def inr(value, places: int = 2) -> str:
    """An amount as Indian shops write it, ₹12,34,567.50 (pages, messages, audit summaries); "" for None."""
    if value is None or value == "":
        return ""
    try:
        amount = round_to(value, Decimal(1).scaleb(-int(places)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    return f"{sign}₹{indian_grouping(whole)}" + (f".{fraction}" if fraction else "")


def grams_text(value) -> str:
    """Grams with 3 decimal places and grouped thousands: 1,234.500 g; "" for None."""
    if value is None or value == "":
        return ""
    try:
        amount = grams(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    return f"{'-' if amount < 0 else ''}{indian_grouping(whole)}.{fraction} g"
