"""Amounts and weights: how many places each keeps, the one rounding mode, and how they are written.

Every figure Tijori stores or shows is rounded here, half away from zero (₹0.005 → ₹0.01), the way
Indian invoices and the GST portal round line amounts. Rupees and US dollars keep 2 places, grams 3
(BIS hallmarking and the weighing scales of a shop read to the milligram). Tax math (GST on a line,
CGST/SGST splits, the round-off line) lives in `apps.gst` and rounds through these functions too.
"""

from __future__ import annotations

import re
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


# A number as people write it: plain digits, or grouped the Indian way (12,34,567) or the
# international way (1,234,567), with an optional ₹/Rs. in front and a fraction after a point.
_TYPED_NUMBER = re.compile(
    r"""
    (?P<sign>[-+]?)\s*(?:₹|rs\.?|inr)?\s*(?P<sign2>[-+]?)
    (?P<whole>
        [0-9]+                              # 5512
      | [1-9][0-9]{0,2}(?:,[0-9]{3})+       # 1,234,567
      | [1-9][0-9]?(?:,[0-9]{2})*,[0-9]{3}  # 12,34,567
    )?
    (?:\.(?P<fraction>[0-9]+))?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def number_example(places: Decimal) -> str:
    """What a message shows as an example: an amount in rupees, or a weight to the milligram."""
    return "12.345" if places == GRAM else "5,512.50"


def decimal_from_text(text: str) -> Decimal:
    """The number in "₹5,512.50", "1,00,000", "100,000" or "5512.5"; ValueError if it is not one.

    The one reader of typed numbers: form fields, the API's string inputs and the services go
    through it, so a figure accepted on one channel is accepted on all. Commas must group digits
    the Indian or the international way ("5,51,2" is refused: a slip, not a number).
    """
    match = _TYPED_NUMBER.fullmatch(text.strip().replace("\u00a0", " "))
    if match is None or not (match["whole"] or match["fraction"]) or (match["sign"] and match["sign2"]):
        raise ValueError(f"not a number: {text!r}")
    sign = match["sign"] or match["sign2"]
    whole = (match["whole"] or "0").replace(",", "")
    fraction = f".{match['fraction']}" if match["fraction"] else ""
    return Decimal(f"{sign}{whole}{fraction}")


def parse_decimal(
    value: Any, places: Decimal, field: str, label: str, errors: dict, *, example: str = ""
) -> Decimal | None:
    """A number typed by a person ("1,23,456.5") at `places`, or None with a message under `field`."""
    unreadable = f"Enter the {label} as a number, like {example or number_example(places)}."
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float) and not isinstance(value, bool):  # a JSON number
        number = Decimal(str(value))
    else:
        try:
            number = decimal_from_text(str(value))
        except ValueError:
            errors[field] = [unreadable]
            return None
    if not number.is_finite():
        errors[field] = [unreadable]
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


def inr(value, places: int = 2, *, symbol: bool = True) -> str:
    """An amount as Indian shops write it, ₹12,34,567.50 (pages, messages, audit summaries); "" for None.

    Without the symbol (12,34,567.50) for a box the amount is typed back into."""
    if value is None or value == "":
        return ""
    try:
        amount = round_to(value, Decimal(1).scaleb(-int(places)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    return f"{sign}{'₹' if symbol else ''}{indian_grouping(whole)}" + (f".{fraction}" if fraction else "")


def count_text(value) -> str:
    """A count grouped the Indian way: 1,23,456; "" for None."""
    if value is None or value == "":
        return ""
    number = int(value)
    return ("-" if number < 0 else "") + indian_grouping(str(abs(number)))


def usd_text(value) -> str:
    """US dollars (AWS prices) to the cent, grouped by thousands as AWS bills them: $1,234.50; "" for None."""
    if value is None or value == "":
        return ""
    try:
        amount = usd(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


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
