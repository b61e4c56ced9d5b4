"""Financial years (1 April to 31 March) and how long a GST record must be kept.

CGST s.36: accounts are kept until 72 months after the due date of the annual return (GSTR-9, due
31 December after the year ends). FY 2025-26 → GSTR-9 due 31 Dec 2026 → kept until 31 Dec 2032.
Tijori never keeps a record less than 7 years from its date either, the floor the audit trail uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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


# GSTR-1 quarters of the financial year (QRMP): April-June is Q1.
QUARTER_FIRST_MONTHS = (4, 7, 10, 1)


@dataclass(frozen=True)
class ReturnPeriod:
    """The tax period of a return: one month, or a quarter of the financial year for quarterly filers."""

    start: date
    months: int  # 1 or 3

    @classmethod
    def month(cls, year: int, month: int) -> ReturnPeriod:
        return cls(date(year, month, 1), 1)

    @classmethod
    def quarter(cls, fy_start_year: int, number: int) -> ReturnPeriod:
        """Quarter 1-4 of FY `fy_start_year` (Q4 of 2025-26 is January to March 2026)."""
        if number not in (1, 2, 3, 4):
            raise ValueError("A quarter is 1, 2, 3 or 4.")
        first = QUARTER_FIRST_MONTHS[number - 1]
        return cls(date(fy_start_year + (1 if number == 4 else 0), first, 1), 3)

    @classmethod
    def parse(cls, text: str) -> ReturnPeriod:
        """MMYYYY (the portal's `fp`, a month), YYYY-MM, or YYYY-YY-Qn (a quarter: 2025-26-Q4)."""
        text = (text or "").strip().upper()
        try:
            if len(text) == 6 and text.isdigit():
                return cls.month(int(text[2:]), int(text[:2]))
            if len(text) == 7 and text[4] == "-":
                return cls.month(int(text[:4]), int(text[5:]))
            if len(text) == 10 and text[7:9] == "-Q":
                fy = int(text[:4])
                if text[5:7] != f"{(fy + 1) % 100:02d}":
                    raise ValueError
                return cls.quarter(fy, int(text[9]))
        except ValueError:
            pass
        raise ValueError(
            f"{text or 'An empty period'} is not a tax period: write a month as 102026 or 2026-10, "
            "a quarter as 2026-27-Q3."
        )

    @property
    def end(self) -> date:
        year, month = self.start.year, self.start.month + self.months
        if month > 12:
            year, month = year + 1, month - 12
        return date(year, month, 1) - timedelta(days=1)

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def last_month_start(self) -> date:
        """The first day of the period's last month: GSTR-1 `fp` of a quarter names that month."""
        month = self.start.month + self.months - 1
        year = self.start.year + (1 if month > 12 else 0)
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def fp(self) -> str:
        """The portal's `fp`: MMYYYY of the month, or of a quarter's last month."""
        last = self.last_month_start
        return f"{last.month:02d}{last.year}"

    @property
    def month_starts(self) -> list[date]:
        out, day = [], self.start
        for _ in range(self.months):
            out.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return out

    @property
    def code(self) -> str:
        """How URLs and the API name it: 2026-10, or 2026-27-Q3."""
        if self.is_quarter:
            fy = FinancialYear.of(self.start)
            return f"{fy.label}-Q{QUARTER_FIRST_MONTHS.index(self.start.month) + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        """October 2026, or Q3 2026-27 (October-December 2026)."""
        if self.is_quarter:
            return f"{self.code[-2:]} {FinancialYear.of(self.start).label} ({self.start:%B}-{self.end:%B %Y})"
        return f"{self.start:%B %Y}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class DateRange:
    """The days a register covers, both included (dates in IST, as documents are dated)."""

    start: date
    end: date

    @classmethod
    def month_of(cls, day: date) -> DateRange:
        period = ReturnPeriod.month(day.year, day.month)
        return cls(period.start, period.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def period(self) -> ReturnPeriod:
        """The tax period an export of this range is filed under: the month or quarter it is exactly,
        else the month it starts in (the range itself travels in the export's options)."""
        month = ReturnPeriod.month(self.start.year, self.start.month)
        if month.end == self.end:
            return month
        if self.start.month in (1, 4, 7, 10):
            quarter = ReturnPeriod(self.start, 3)
            if quarter.end == self.end:
                return quarter
        return month

    @property
    def label(self) -> str:
        """October 2026 for a whole month, else 5 Oct 2026 to 4 Nov 2026."""
        if self == DateRange.month_of(self.start):
            return f"{self.start:%B %Y}"
        return f"{self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y}"

    def as_query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}
