"""Query-parameter filters that refuse values the database would choke on, with a 400 instead of a 500."""

from __future__ import annotations

from datetime import UTC, timedelta

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

# Real time zones lie within UTC-12:00..UTC+14:00; Python accepts up to ±23:59, PostgreSQL ±15:59.
_MAX_OFFSET = timedelta(hours=14)


class UtcIsoDateTimeField(forms.DateTimeField):
    def to_python(self, value):
        parsed = filters.IsoDateTimeFilter.field_class().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > _MAX_OFFSET:
            raise forms.ValidationError(
                "The time zone offset must be between -12:00 and +14:00.", code="offset"
            )
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("This date is out of range.", code="overflow") from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, turned into UTC here so the database never sees an odd offset."""

    field_class = UtcIsoDateTimeField


MAX_ID = 2**63 - 1  # PostgreSQL bigint; SQLite's INTEGER is the same size


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number that fits the database's bigint, so a huge one is a 400, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
