"""What a register is asked for: a range of days and the register's own filters, read in one place.

The pages, the API and the CSV exports all read their query (or an export's options) through these
forms, so a date is parsed, defaulted and bounded the same way everywhere: `from` and `to` as
2026-10-31 (what a date box sends) or 31-10-2026 (how people here write it); neither given means the
current month; one given alone means the rest of its month; `from` after `to`, or a range longer than
MAX_DAYS, is refused with a sentence saying why.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from apps.gst.periods import DateRange
from apps.inventory.models import Metal
from apps.invoicing.models import Invoice, Payment

# A financial year in a leap year: the longest range a register is read or exported for.
MAX_DAYS = 366
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=DATE,
        error_messages={"invalid": "Enter a date as 2026-10-31 or 31-10-2026."},
    )


class RegisterFilterForm(forms.Form):
    """The range every register takes; each register's form adds its own filters.

    `from` is a Python keyword, so the two date fields are added by name rather than declared.
    """

    FILTERS: tuple[str, ...] = ()  # the register's own filters, passed on to its selector

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        dates = {"from": _date_field("From"), "to": _date_field("To")}
        self.fields = {**dates, **self.fields}

    def clean(self) -> dict:
        data = super().clean()
        if "from" in self.errors or "to" in self.errors:
            return data
        start, end = data.get("from"), data.get("to")
        if start is None and end is None:
            month = DateRange.month_of(timezone.localdate())
            start, end = month.start, month.end
        elif start is None:
            start = DateRange.month_of(end).start
        elif end is None:
            end = DateRange.month_of(start).end
        for name, day in (("from", start), ("to", end)):
            if not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, f"Choose a day between {FIRST_DAY:%d-%m-%Y} and {LAST_DAY:%d-%m-%Y}.")
        if self.errors:
            return data
        if start > end:
            self.add_error(
                "to", f"The range ends before it starts: choose a day on or after {start:%d-%m-%Y}."
            )
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error(
                "to",
                f"A register covers at most {MAX_DAYS} days (a financial year): this range has "
                f"{(end - start).days + 1}. Choose a shorter one.",
            )
        else:
            data["from"], data["to"] = start, end
        return data

    @property
    def dates(self) -> DateRange:
        """The range asked for; the current month when the form is unbound or invalid."""
        if self.is_bound and self.is_valid():
            return DateRange(self.cleaned_data["from"], self.cleaned_data["to"])
        return DateRange.month_of(timezone.localdate())

    def filters(self) -> dict:
        """The selector's keyword arguments: the range and the register's filters."""
        values = {"dates": self.dates}
        if self.is_bound and self.is_valid():
            values.update({name: self.cleaned_data[name] for name in self.FILTERS})
        return values

    def options(self) -> dict:
        """The cleaned query as an export's options (JSON): the range and the filters that are set."""
        dates = self.dates
        options = {"from": dates.start.isoformat(), "to": dates.end.isoformat()}
        if self.is_bound and self.is_valid():
            options.update(
                {name: self.cleaned_data[name] for name in self.FILTERS if self.cleaned_data[name]}
            )
        return options


def _search(placeholder: str) -> forms.CharField:
    return forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


BUYERS = [("registered", "Registered (B2B)"), ("unregistered", "Unregistered (B2C)")]
SECTIONS = [("b2b", "B2B (registered buyers)"), ("b2c", "B2C (unregistered buyers)")]
ADVANCE_RECEIVED = "advance_received"
PAYMENT_FILTER_MODES = [*Payment.Mode.choices, (ADVANCE_RECEIVED, "Advance received (receipt voucher)")]


class SalesRegisterForm(RegisterFilterForm):
    FILTERS = ("kind", "buyer", "status", "q")

    kind = forms.ChoiceField(
        label="Document", required=False, choices=[("", "All documents"), *Invoice.Kind.choices]
    )
    buyer = forms.ChoiceField(label="Buyer", required=False, choices=[("", "Any buyer"), *BUYERS])
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            (Invoice.Status.ISSUED, "Issued"),
            (Invoice.Status.CANCELLED, "Cancelled"),
        ],
    )
    q = _search("Number or buyer")


class HsnSummaryForm(RegisterFilterForm):
    FILTERS = ("section",)

    section = forms.ChoiceField(label="Buyers", required=False, choices=[("", "B2B and B2C"), *SECTIONS])


class PaymentsRegisterForm(RegisterFilterForm):
    FILTERS = ("mode",)

    mode = forms.ChoiceField(
        label="Mode", required=False, choices=[("", "Every mode"), *PAYMENT_FILTER_MODES]
    )


class OldGoldRegisterForm(RegisterFilterForm):
    FILTERS = ("q",)

    q = _search("Voucher number or customer")


class StockMovementForm(RegisterFilterForm):
    FILTERS = ("metal",)

    metal = forms.ChoiceField(label="Metal", required=False, choices=[("", "Every metal"), *Metal.choices])
