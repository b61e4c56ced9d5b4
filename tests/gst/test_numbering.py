import pytest
from django.core.exceptions import ValidationError

from apps.gst.numbering import document_number_validate


@pytest.mark.parametrize("number", ["LJ/25-26/0001", "SJ/25-26/00001", "1", "A", "INV-2025-26-9999"])
def test_numbers_the_irp_accepts_pass(number):
    document_number_validate(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("SJ/2025-26/000001", "at most 16"),
        ("0001", "not starting with 0"),
        ("/A1", "not starting with 0"),
        ("-A1", "not starting with 0"),
        ("INV_1", "letters, digits"),
        ("éX1", "letters, digits"),
        ("", "letters, digits"),
    ],
)
def test_numbers_outside_rule_46_or_the_irp_pattern_are_refused(number, message):
    with pytest.raises(ValidationError, match=message):
        document_number_validate(number)
