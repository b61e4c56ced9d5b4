from datetime import date

import pytest

from apps.gst.periods import FinancialYear, retain_until


@pytest.mark.parametrize(
    ("day", "label", "short"),
    [(date(2025, 4, 1), "2025-26", "25-26"), (date(2026, 3, 31), "2025-26", "25-26"),
     (date(2099, 12, 1), "2099-00", "99-00")],
)  # fmt: skip
def test_the_financial_year_runs_from_april_to_march(day, label, short):
    fy = FinancialYear.of(day)
    assert (fy.label, fy.short) == (label, short)
    assert fy.start <= day <= fy.end


@pytest.mark.parametrize(
    ("day", "kept_until"),
    [
        (date(2025, 4, 1), date(2032, 12, 31)),  # FY 2025-26: GSTR-9 due 31 Dec 2026, + 72 months
        (date(2026, 3, 31), date(2033, 3, 31)),  # the 7-year floor is later for the year's last day
        (date(2024, 6, 15), date(2031, 12, 31)),
    ],
)
def test_a_record_is_kept_72_months_after_its_annual_return_and_never_less_than_7_years(day, kept_until):
    assert retain_until(day) == kept_until


def test_a_record_of_29_february_keeps_a_real_date():
    assert retain_until(date(2028, 2, 29)) == date(2035, 2, 28)


def test_a_financial_year_is_the_first_of_april_to_the_thirty_first_of_march():
    fy = FinancialYear(2025)
    assert (fy.start, fy.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert FinancialYear.of(date(2025, 3, 31)) == FinancialYear(2024)
    assert str(fy) == "2025-26"


def test_financial_years_are_values_that_can_key_a_table():
    totals = {FinancialYear(2025): 1}
    assert totals[FinancialYear.of(date(2026, 1, 15))] == 1
