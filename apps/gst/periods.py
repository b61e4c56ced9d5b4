"""Financial years (1 April to 31 March) and how long a GST record must be kept.

CGST s.36: accounts are kept until 72 months after the due date of the annual return (GSTR-9, due
31 December after the year ends). FY 2025-26 → GSTR-9 due 31 Dec 2026 → kept until 31 Dec 2032.
Tijori never keeps a record less than 7 years from its date either, the floor the audit trail uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ANNUAL_RETURN_MONTH_DAY = (12, 31)
RETENTION_YEARS_AFTER_ANNUAL_RETURN = 6  # 72 months
RETENTION_FLOOR_YEARS = 7
# CGST s.34(2) as amended by the Finance Act 2022: a credit note is declared by 30 November after
# the end of the financial year of the supply (30 September before).
CREDIT_NOTE_MONTH_DAY = (11, 30)


@dataclass(frozen=True)
class FinancialYear:
    start_year: int  # FY 2025-26 starts in 2025

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        """2025-26, as returns and people write it."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def short(self) -> str:
        """25-26, for document numbers that must fit in 16 characters."""
        return f"{self.start_year % 100:02d}-{(self.start_year + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.label


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def retain_until(day: date) -> date:
    """The last day a record dated `day` must be kept."""
    fy = FinancialYear.of(day)
    month, dom = ANNUAL_RETURN_MONTH_DAY
    after_annual_return = date(fy.end.year + RETENTION_YEARS_AFTER_ANNUAL_RETURN, month, dom)
    return max(after_annual_return, _add_years(day, RETENTION_FLOOR_YEARS))


def credit_note_last_day(supply_day: date) -> date:
    """The last day a credit note may be issued against a supply invoiced on `supply_day`."""
    month, dom = CREDIT_NOTE_MONTH_DAY
    return date(FinancialYear.of(supply_day).end.year, month, dom)
