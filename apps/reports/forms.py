"""The Returns page's form: which GSTR-1 file, for which period."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms

from apps.gst.periods import ReturnPeriod
from apps.reports.returns import (
    GSTR1_FORMATS,
    furnished_months_of,
    gstr1_formats_offered,
    is_quarterly,
    recent_periods,
)

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


class Gstr1ExportForm(forms.Form):
    period = forms.ChoiceField(label="Tax period")
    format = forms.ChoiceField(label="File", widget=forms.RadioSelect)
    furnished_first = forms.BooleanField(
        label="The quarter's first month went through IFF", required=False,
        help_text="Its B2B invoices and notes were furnished through the Invoice Furnishing Facility: they "
        "are left out of the quarter's GSTR-1.",
    )  # fmt: skip
    furnished_second = forms.BooleanField(label="The quarter's second month went through IFF", required=False)

    def __init__(self, *args, tenant: Tenant, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        periods = recent_periods(tenant=tenant, today=today)
        self.periods = {period.code: period for period in periods}
        self.quarterly = is_quarterly(tenant)
        self.fields["period"].choices = [(p.code, p.label) for p in periods]
        # The return most often filed next: the period that has just ended.
        self.fields["period"].initial = periods[1].code if len(periods) > 1 else periods[0].code
        self.fields["format"].choices = gstr1_formats_offered()
        self.fields["format"].initial = "json"
        if not self.quarterly:
            del self.fields["furnished_first"]
            del self.fields["furnished_second"]

    def request_values(self) -> dict[str, Any]:
        """What to ask `export_request` for: the kind, the period and the options."""
        data = self.cleaned_data
        period = self.periods[data["period"]]
        options = {}
        furnished = furnished_months_of(
            period, first=data.get("furnished_first", False), second=data.get("furnished_second", False)
        )
        if furnished:
            options["furnished_months"] = furnished
        return {"kind_code": GSTR1_FORMATS[data["format"]], "period": period, "options": options}


class ExportRequestForm(forms.Form):
    """Any export kind, from another page's button (a register's "Export CSV"): kind and period; the
    other fields sent become the kind's options, checked by the kind."""

    kind = forms.CharField(max_length=40)
    period = forms.CharField(max_length=12, help_text="2026-10, or 2026-27-Q3 for a quarter.")

    RESERVED = frozenset({"csrfmiddlewaretoken", "kind", "period", "next"})

    def clean_period(self) -> ReturnPeriod:
        try:
            return ReturnPeriod.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def options(self) -> dict[str, Any]:
        """The other fields: a field sent once is a value, one sent several times a list."""
        return {
            name: values if len(values) > 1 else values[0]
            for name, values in self.data.lists()
            if name not in self.RESERVED
        }
