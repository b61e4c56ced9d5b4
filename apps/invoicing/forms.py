"""Forms of the sales and customer pages. They collect input; the services check the rules."""

from __future__ import annotations

from django import forms

from apps.core.api.filters import MAX_ID
from apps.core.forms import DecimalText
from apps.core.money import GRAM, RUPEE, inr
from apps.gst.irp import CANCEL_REASONS
from apps.gst.periods import ReturnPeriod
from apps.gst.states import STATE_CHOICES
from apps.invoicing.models import Customer, Invoice, MoneyMode, ReceiptVoucher
from apps.invoicing.selectors import PAYMENT_STATUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decimal(label: str, *, required: bool = True, help_text: str = "", places=RUPEE) -> DecimalText:
    """Amounts and weights as people type them ("₹5,512.50", "1,00,000"); the services check the rules."""
    return DecimalText(label=label, required=required, help_text=help_text, places=places)


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

    gross_weight = _decimal("Gross (g)", places=GRAM)
    stone_weight = _decimal("Stones (g)", places=GRAM)
    making_charge_rate = _decimal("Making")
    stone_value = _decimal("Stone value (₹)")
    hallmarking_charge = _decimal("Hallmarking (₹)")


class BuyerForm(forms.Form):
    """A draft's buyer, picked from the search (empty for a walk-in), or its place of supply: a form sends
    either or both, and what it leaves out stays as it is."""

    customer = forms.IntegerField(
        label="Customer", required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    place_of_supply = forms.ChoiceField(
        label="Place of supply", choices=STATE_CHOICES, required=False,
        help_text="Where the goods are delivered: the shop's state for a counter sale.",
    )  # fmt: skip

    def changes(self) -> dict:
        """What the form sent: the customer (an id; None for a walk-in) and the place of supply."""
        found = {}
        if "customer" in self.data:
            found["customer"] = self.cleaned_data["customer"]
        if self.cleaned_data["place_of_supply"]:
            found["place_of_supply"] = self.cleaned_data["place_of_supply"]
        return found


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a customer", required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, phone or GSTIN", "autocomplete": "off",
                                      "enterkeyhint": "search"}),
    )  # fmt: skip


class PaymentForm(forms.Form):
    mode = forms.ChoiceField(label="Mode", choices=MoneyMode.choices)  # old gold, advances: their own forms
    amount = _decimal("Amount (₹)")
    reference = forms.CharField(
        label="Reference", required=False, max_length=60, help_text="UPI or bank reference."
    )


class OldGoldForm(forms.Form):
    description = forms.CharField(label="What it is", max_length=200, required=False, initial="Old gold")
    gross_weight = _decimal("Gross (g)", places=GRAM)
    deduction_weight = _decimal(
        "Deduction (g)", required=False, help_text="Stones, dust, solder.", places=GRAM
    )
    purity_percent = _decimal("Tested purity (%)", help_text="91.60 for 22K.")
    rate_per_gram = _decimal("Rate of fine gold (₹/g)")


class AdvanceForm(forms.Form):
    """An advance before the sale, on a receipt voucher: money only (old gold is bought on its own voucher)."""

    mode = forms.ChoiceField(label="Received by", choices=MoneyMode.choices)
    amount = _decimal("Amount (₹)")
    description = forms.CharField(
        label="For", max_length=200, help_text="What it is an advance for, e.g. a bridal set to order."
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=60,
        help_text="UPI or bank reference, last digits of a card.",
    )


class AdvanceAdjustForm(forms.Form):
    """One of the buyer's advances with money left, set against this invoice."""

    receipt_voucher = forms.TypedChoiceField(label="Advance", coerce=int)
    amount = _decimal(
        "Amount (₹)",
        required=False,
        help_text="Leave empty to adjust as much as is due and left on the advance.",
    )

    def __init__(self, *args, vouchers: list[ReceiptVoucher], **kwargs):
        # Its boxes share the sale page with the payment form's: their own ids keep each label on its box.
        kwargs.setdefault("auto_id", "id_advance_%s")
        super().__init__(*args, **kwargs)
        self.fields["receipt_voucher"].choices = [
            (str(v.pk), f"{v.number} · {inr(v.left)} left") for v in vouchers
        ]


class EmailForm(forms.Form):
    to = forms.EmailField(label="E-mail the bill to")


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why", max_length=200)


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(label="Buyer", choices=Customer.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="Name", max_length=120, help_text="The legal name for a business.")
    trade_name = forms.CharField(label="Trade name", max_length=120, required=False)
    gstin = forms.CharField(
        label="GSTIN", max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )  # fmt: skip
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
        label="PAN", max_length=10, required=False, help_text="Needed for a purchase over ₹2 lakh.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )  # fmt: skip
    form_60_given = forms.BooleanField(label="No PAN: Form 60 given", required=False)

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


class CounterCustomerForm(CustomerForm):
    """A new buyer at the counter: what the bill needs; the rest can wait for the customer's page."""

    trade_name = None
    email = None
    pincode = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = "The new customer is"  # the panel it sits in is already "Buyer"


class NoteStartForm(forms.Form):
    """Why a credit or debit note is issued against the invoice on the page (CGST s.34)."""

    reason = forms.ChoiceField(label="Why")

    def __init__(self, *args, kind: str, reasons, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.fields["reason"].label = f"Why a {Invoice.Kind(kind).label.lower()}"
        self.fields["reason"].choices = [(r.value, r.label) for r in reasons]


class NoteLineForm(forms.Form):
    """A line of the invoice picked on a draft note: its article returned, or an amount on it."""

    original_line = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    amount = _decimal("Amount before GST (₹)", required=False)


class EInvoicePeriodForm(forms.Form):
    """The month whose documents the e-Invoices page lists (this month by default)."""

    period = forms.CharField(
        label="Month", max_length=10, required=False, widget=forms.DateInput(attrs={"type": "month"})
    )

    def clean_period(self) -> ReturnPeriod | None:
        text = self.cleaned_data["period"]
        if not text:
            return None
        try:
            period = ReturnPeriod.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if period.is_quarter:
            raise forms.ValidationError("Choose a month, like 2026-10.")
        return period

    def chosen(self, today) -> ReturnPeriod:
        chosen = self.cleaned_data.get("period") if self.is_bound and self.is_valid() else None
        return chosen or ReturnPeriod.month(today.year, today.month)


EINVOICE_ANSWERS_MAX_BYTES = 5 * 1024 * 1024


class EInvoiceImportForm(forms.Form):
    """The answer file the IRP gives back for a bulk upload (or for one document), as JSON."""

    answers = forms.FileField(
        label="The IRP's answer file",
        help_text="The JSON the e-invoice portal gives for the documents it registered: each with its IRN, "
        "acknowledgement and signed QR code. Up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_answers(self):
        upload = self.cleaned_data["answers"]
        if upload.size > EINVOICE_ANSWERS_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: import the IRP's answers in parts.")
        return upload


class EInvoiceCancelForm(forms.Form):
    """Why an IRN is cancelled (the IRP's reason codes) and a remark for the record."""

    prefix = "irn"  # the page also carries the invoice's own cancel form, with its own `reason`
    reason = forms.ChoiceField(
        label="Why", choices=[(code, label) for code, (_, label) in CANCEL_REASONS.items()]
    )
    remark = forms.CharField(label="Remark", max_length=100, required=False)
