"""Serializer fields shared by every app's API."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from apps.core.money import decimal_from_text, number_example


class DecimalInput(serializers.DecimalField):
    """A decimal sent as a JSON number or as text people write ("5,512.50", "1,00,000", "₹100,000").

    Text goes through `core.money.decimal_from_text`, the reader of the pages' amount boxes, so an
    integration may send what a shop owner would type; places and limits stay DRF's.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip():
            try:
                data = str(decimal_from_text(data))
            except ValueError:
                example = number_example(Decimal(1).scaleb(-(self.decimal_places or 2)))
                raise serializers.ValidationError(
                    f"Enter it as a number, like {example}.", code="invalid"
                ) from None
        return super().to_internal_value(data)
