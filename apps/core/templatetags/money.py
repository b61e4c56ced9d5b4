"""Rupees and grams as Indian shops write them: ₹12,34,567.50 and 12.345 g."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from apps.core import money

register = template.Library()


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


@register.filter
def inr(value, places: int = 2) -> str:
    """Format an amount in rupees with the Indian digit grouping; empty for None."""
    if value is None or value == "":
        return ""
    try:
        amount = money.round_to(value, Decimal(1).scaleb(-int(places)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    return f"{sign}₹{indian_grouping(whole)}" + (f".{fraction}" if fraction else "")


@register.filter
def grams(value) -> str:
    """Grams with 3 decimal places and grouped thousands: 1,234.500 g."""
    if value is None or value == "":
        return ""
    try:
        amount = money.grams(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    return f"{'-' if amount < 0 else ''}{indian_grouping(whole)}.{fraction} g"
