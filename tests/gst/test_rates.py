from datetime import date
from decimal import Decimal

import pytest

from apps.gst.models import GstRate
from apps.gst.selectors import gst_rate_refusals, gst_rate_value, gst_rates_for

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


def test_job_work_is_five_percent_for_a_registered_principal_and_eighteen_for_anyone_else():
    on = date(2026, 11, 30)
    assert gst_rate_value(code="998892", on=on) == Decimal("5")
    assert gst_rate_value(code="998892", on=on, buyer_registered=False) == Decimal("18")
    assert gst_rate_value(code="998713", on=on, buyer_registered=False) == Decimal("18")
    assert gst_rate_value(code="7113", on=on, buyer_registered=False) == Decimal("3")


def test_the_registered_only_rate_is_refused_to_a_buyer_without_gstin_and_says_what_to_charge():
    on = date(2026, 11, 30)
    charges = [
        ("998892", Decimal("5")),
        ("998892", Decimal("18")),
        ("7113", Decimal("3")),
        ("998713", Decimal("5")),
    ]
    assert gst_rate_refusals(charges=charges, on=on, buyer_registered=True) == {}
    refused = gst_rate_refusals(charges=charges, on=on, buyer_registered=False)
    assert list(refused) == [("998892", Decimal("5"))]
    assert refused[("998892", Decimal("5"))] == (
        "Job work on jewellery for a GST-registered principal (HSN/SAC 998892): 5% is only for a GST-registered "
        "buyer. For a buyer without a GSTIN it is billed as a service at 18%: enter 18 as the GST rate, or choose "
        "the buyer's GST-registered customer first."
    )


def test_the_rates_of_many_codes_are_read_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = gst_rates_for(codes=["998892", "711319", "7102", "8471"], on=date(2026, 11, 30))
    assert {code: row and row.code for code, row in rows.items()} == {
        "998892": "9988", "711319": "7113", "7102": "7102", "8471": None,
    }  # fmt: skip
