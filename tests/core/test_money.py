from decimal import Decimal

import pytest

from apps.core.money import GRAM, RUPEE, grams, parse_decimal, rupees, usd


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (rupees, "0.005", "0.01"),  # half a paisa goes up
        (rupees, "-0.005", "-0.01"),  # and away from zero below it
        (rupees, "0.0049", "0.00"),
        (usd, "17.565", "17.57"),
        (grams, "10.0005", "10.001"),
        (grams, "10.0004", "10.000"),
    ],
)
def test_every_amount_rounds_half_away_from_zero_at_its_own_places(function, value, expected):
    assert function(Decimal(value)) == Decimal(expected)
    assert str(function(Decimal(value))) == expected


@pytest.mark.parametrize(
    ("typed", "places", "expected"),
    [
        ("1,23,456.5", RUPEE, Decimal("123456.50")),
        (" 12.3456 ", GRAM, Decimal("12.346")),
        (7, GRAM, Decimal("7.000")),
    ],
)
def test_typed_numbers_are_read_with_indian_grouping_and_rounded(typed, places, expected):
    errors = {}
    assert parse_decimal(typed, places, "weight", "weight in grams", errors) == expected
    assert errors == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [("12g", "as a number"), ("NaN", "as a number"), ("Infinity", "as a number"), ("1e40", "far too large")],
)
def test_unreadable_numbers_leave_a_message_under_their_field(typed, message):
    errors = {}
    assert parse_decimal(typed, GRAM, "weight", "weight in grams", errors) is None
    assert message in errors["weight"][0]
