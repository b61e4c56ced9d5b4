"""What every register returns, and the sums they are made of."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.money import GRAM, RUPEE

RUPEES = DecimalField(max_digits=16, decimal_places=2)
GRAMS = DecimalField(max_digits=14, decimal_places=3)
ZERO = Decimal("0.00")
NO_GRAMS = Decimal("0.000")


@dataclass
class Register:
    """A register's rows (a queryset to page through or stream, or a short list) and its totals."""

    rows: QuerySet | list
    totals: dict[str, Any]


def rupees_sum(expression, **kwargs) -> Coalesce:
    """The sum of stored rupee amounts, in SQL; zero when there is nothing to sum."""
    return Coalesce(Sum(expression, **kwargs), Value(ZERO), output_field=RUPEES)


def grams_sum(expression, **kwargs) -> Coalesce:
    """The sum of stored weights, in SQL; zero when there is nothing to sum."""
    return Coalesce(Sum(expression, **kwargs), Value(NO_GRAMS), output_field=GRAMS)


def settled(values: dict[str, Any], grams: tuple[str, ...] = ()) -> dict[str, Any]:
    """Sums as the stored amounts they add up: rupees to the paisa, the names in `grams` to the
    milligram. PostgreSQL's numeric sums are exact already; SQLite sums in floating point and hands
    back its 15 significant digits (10.5340000000000), which this writes as the 10.534 it is."""
    out = dict(values)
    for name, value in values.items():
        if isinstance(value, Decimal):
            out[name] = value.quantize(GRAM if name in grams else RUPEE)
    return out
