from decimal import Decimal

import pytest

from apps.gst.words import rupees_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Rupees Zero Only"),
        ("1", "Rupees One Only"),
        ("118", "Rupees One Hundred Eighteen Only"),  # an int is not read as paise
        ("99.99", "Rupees Ninety-Nine and Ninety-Nine Paise Only"),
        ("100000", "Rupees One Lakh Only"),
        (
            "1234567.50",
            "Rupees Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven and Fifty Paise Only",
        ),
        ("10000000", "Rupees One Crore Only"),
        ("0.05", "Rupees Zero and Five Paise Only"),
        ("12.99", "Rupees Twelve and Ninety-Nine Paise Only"),
        ("99999.50", "Rupees Ninety-Nine Thousand Nine Hundred Ninety-Nine and Fifty Paise Only"),
    ],
)
def test_amounts_are_written_in_lakhs_and_crores_never_in_euros(amount, words):
    assert rupees_in_words(Decimal(amount)) == words


def test_paise_beyond_two_places_are_rounded_first():
    assert rupees_in_words(Decimal("10.005")) == "Rupees Ten and One Paise Only"


@pytest.mark.parametrize("amount", ["-1", "10000000000"])
def test_amounts_out_of_range_are_refused(amount):
    with pytest.raises(ValueError, match="in words"):
        rupees_in_words(Decimal(amount))
