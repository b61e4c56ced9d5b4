from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import (
    GRAM,
    RUPEE,
    decimal_from_text,
    grams,
    indian_grouping,
    inr,
    parse_decimal,
    rupees,
    usd,
)


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
    [
        ("12g", "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("1e5", "as a number"),
        ("1" + "0" * 40, "far too large"),
    ],
)
def test_unreadable_numbers_leave_a_message_under_their_field(typed, message):
    errors = {}
    assert parse_decimal(typed, GRAM, "weight", "weight in grams", errors) is None
    assert message in errors["weight"][0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5,512", "5512"),
        ("₹5,512", "5512"),
        ("5,512.50", "5512.50"),
        ("1,00,000", "100000"),  # a lakh, grouped the Indian way
        ("100,000", "100000"),  # and the international way
        ("12,34,56,789.5", "123456789.5"),
        ("1,234,567", "1234567"),
        ("5512", "5512"),
        (" ₹ 6,612.50 ", "6612.50"),
        ("Rs. 6,612", "6612"),
        (".5", "0.5"),
        ("-1,250", "-1250"),
    ],
)
def test_amounts_are_read_with_indian_or_international_grouping(typed, expected):
    assert decimal_from_text(typed) == Decimal(expected)


@pytest.mark.parametrize(
    "typed",
    [
        "5,51,2",
        "1.2.3",
        "abc",
        "12g",
        "1e5",
        "",
        "₹",
        "-",
        "--5",
        "1,000,00",
        "12,345,67",
        "0,500",
        "5 512",
        "१२",
    ],
)
def test_slips_in_grouping_and_words_are_refused(typed):
    with pytest.raises(ValueError):
        decimal_from_text(typed)


@pytest.mark.parametrize(("places", "example"), [(RUPEE, "like 5,512.50"), (GRAM, "like 12.345")])
def test_the_message_shows_an_example_in_the_fields_own_unit(places, example):
    errors = {}
    parse_decimal("₹5,51,2", places, "amount", "amount", errors)
    assert example in errors["amount"][0]


@given(st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2))
def test_every_amount_written_the_indian_way_reads_back_as_itself(amount):
    assert decimal_from_text(inr(amount)) == amount
    whole, _, fraction = f"{amount:f}".partition(".")
    international = f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    assert decimal_from_text(international) == amount
    assert decimal_from_text(indian_grouping(whole)) == int(whole)
