import pytest
from django.core.exceptions import ValidationError

from apps.gst.validators import gstin_validate
from tests.tenants.factories import gstin_for


@pytest.mark.parametrize(
    "value, expected",
    [
        ("27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
        (" 27aapfu0939f1zv ", "27AAPFU0939F1ZV"),
        ("27-AAPFU0939F-1ZV", "27AAPFU0939F1ZV"),
    ],
)
def test_valid_gstin_is_normalised(value, expected):
    assert gstin_validate(value) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        ("27AAPFU0939F1ZX", "gstin_checksum"),
        ("27AAPFU0939F1Z", "gstin_length"),
        ("40AAPFU0939F1ZV", "gstin_state"),
        ("00AAPFU0939F1ZV", "gstin_state"),
        ("27AAPF00939F1ZV", "gstin_format"),
        ("27AAPFU0939F0ZV", "gstin_format"),
        ("", "gstin_length"),
    ],
)
def test_invalid_gstin_is_refused_with_its_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        gstin_validate(value)
    assert exc.value.code == code
    assert exc.value.messages[0]  # a sentence, not a code


@pytest.mark.parametrize("state", ["38", "97", "99", "01", "37"])
def test_state_codes_from_our_table_are_accepted(state):
    """stdnum's own table stops at 37; Ladakh (38), 97 and 99 are valid state codes."""
    number = gstin_for(state)
    assert gstin_validate(number) == number


def test_gstin_must_belong_to_the_chosen_state():
    with pytest.raises(ValidationError) as exc:
        gstin_validate("27AAPFU0939F1ZV", state_code="29")
    assert exc.value.code == "gstin_state_mismatch"
    assert "Maharashtra" in exc.value.messages[0] and "Karnataka" in exc.value.messages[0]
