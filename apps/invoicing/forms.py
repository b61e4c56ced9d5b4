"""Forms of the sales and customer pages. They collect input; the services check the rules."""

from __future__ import annotations

from django import forms

from apps.gst.states import STATE_CHOICES
from apps.invoicing.models import Customer, Invoice, Payment
from apps.invoicing.selectors import PAYMENT_STATUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def _decimal(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    """Numbers are read by the services (Indian grouping, places, clear messages), not by the form."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs=DECIMAL),
    )


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number or buyer"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Invoice.Status.choices]
    )
    paid = forms.ChoiceField(
        label="Payment", required=False, choices=[("", "Any"), *PAYMENT_STATUSES.items()]
    )
    issued_from = forms.DateField(label="Issued from", required=False, widget=DATE)
    issued_to = forms.DateField(label="to", required=False, widget=DATE)

    def search_filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"], "status": data["status"], "paid": data["paid"],
            "issued_from": data["issued_from"], "issued_to": data["issued_to"],
        }  # fmt: skip


class ScanForm(forms.Form):
    code = forms.CharField(
        label="HUID or SKU", max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "placeholder": "Scan or type",
                                      "autocapitalize": "characters"}),
    )  # fmt: skip


class FreeLineForm(forms.Form):
    description = forms.CharField(label="Description", max_length=200)
    hsn_code = forms.CharField(
        label="HSN or SAC", max_length=8, help_text="9987 for repairs, 7113 for jewellery."
    )
    amount = _decimal("Amount (₹)")
    gst_rate = _decimal("GST rate (%)", required=False, help_text="Leave empty for the rate on record.")


class LineForm(forms.Form):
    """A draft article line: what the salesperson weighs and agrees with the buyer."""

    gross_weight = _decimal("Gross (g)")
    stone_weight = _decimal("Stones (g)")
    making_charge_rate = _decimal("Making")
    stone_value = _decimal("Stone value (₹)")
    hallmarking_charge = _decimal("Hallmarking (₹)")


class BuyerForm(forms.Form):
    customer = forms.TypedChoiceField(label="Customer", required=False, coerce=int, empty_value=None)
    place_of_supply = forms.ChoiceField(
        label="Place of supply", choices=STATE_CHOICES,
        help_text="Where the goods are delivered: the shop's state for a counter sale.",
    )  # fmt: skip

    def __init__(self, *args, customers: list[Customer], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", "Walk-in buyer (no name)")] + [
            (str(c.pk), f"{c} · {c.phone}" if c.phone else str(c)) for c in customers
        ]


class PaymentForm(forms.Form):
    mode = forms.ChoiceField(
        label="Mode", choices=[c for c in Payment.Mode.choices if c[0] != Payment.Mode.OLD_GOLD]
    )
    amount = _decimal("Amount (₹)")
    reference = forms.CharField(
        label="Reference", required=False, max_length=60, help_text="UPI or bank reference."
    )


class OldGoldForm(forms.Form):
    description = forms.CharField(label="What it is", max_length=200, required=False, initial="Old gold")
    gross_weight = _decimal("Gross (g)")
    deduction_weight = _decimal("Deduction (g)", required=False, help_text="Stones, dust, solder.")
    purity_percent = _decimal("Tested purity (%)", help_text="91.60 for 22K.")
    rate_per_gram = _decimal("Rate of fine gold (₹/g)")


class EmailForm(forms.Form):
    to = forms.EmailField(label="E-mail the bill to")


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why", max_length=200)


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(label="Buyer", choices=Customer.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="Name", max_length=120, help_text="The legal name for a business.")
    trade_name = forms.CharField(label="Trade name", max_length=120, required=False)
    gstin = forms.CharField(label="GSTIN", max_length=20, required=False)
    state_code = forms.ChoiceField(label="State", choices=[("", "—"), *STATE_CHOICES], required=False)
    phone = forms.CharField(
        label="Phone", max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label="E-mail", required=False)
    address = forms.CharField(
        label="Address", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pincode = forms.CharField(
        label="PIN code", max_length=6, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    pan = forms.CharField(
        label="PAN", max_length=10, required=False, help_text="Needed for a purchase over ₹2 lakh."
    )
    form_60_given = forms.BooleanField(label="No PAN: Form 60 given", required=False)

    def service_values(self) -> dict:
        return dict(self.cleaned_data)
