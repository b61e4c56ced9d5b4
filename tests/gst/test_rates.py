from datetime import date
from decimal import Decimal

import pytest

from apps.gst.models import GstRate
from apps.gst.selectors import gst_rate_value

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "rate"),
    [("7113", "3"), ("711319", "3"), ("7108", "3"), ("7102", "0.25"), ("998892", "5"), ("998713", "18")],
)
def test_the_longest_seeded_code_gives_the_rate(code, rate):
    assert gst_rate_value(code=code, on=date(2026, 11, 30)) == Decimal(rate)


def test_a_code_without_a_rate_has_none():
    assert gst_rate_value(code="8471", on=date(2026, 11, 30)) is None


def test_a_new_rate_applies_from_its_day_and_earlier_days_keep_the_old_one():
    GstRate.objects.create(
        code="9987", rate=Decimal("12"), effective_from=date(2027, 1, 1), description="Cut"
    )
    assert gst_rate_value(code="998713", on=date(2026, 12, 31)) == Decimal("18")
    assert gst_rate_value(code="998713", on=date(2027, 1, 1)) == Decimal("12")


def test_a_longer_code_wins_over_a_newer_shorter_one():
    GstRate.objects.create(
        code="71", rate=Decimal("5"), effective_from=date(2026, 1, 1), description="All of 71"
    )
    assert gst_rate_value(code="711319", on=date(2026, 11, 30)) == Decimal("3")
    assert gst_rate_value(code="7199", on=date(2026, 11, 30)) == Decimal("5")
