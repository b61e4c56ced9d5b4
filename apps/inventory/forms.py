"""Forms of the stock pages. They collect input; the services check the rules and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from apps.core.money import inr
from apps.inventory.models import Metal, Purity, StockItem
from apps.inventory.selectors import STOCK_ORDERINGS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GRAMS = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
RUPEES = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def purity_choices(purities: list[Purity], blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(p.pk), p.label) for p in purities]


class StockFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "SKU, HUID or name"}),
    )
    stock_status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *StockItem.StockStatus.choices]
    )
    metal = forms.ChoiceField(label="Metal", required=False, choices=[("", "Any metal"), *Metal.choices])
    purity = forms.TypedChoiceField(label="Purity", required=False, coerce=int, empty_value=None)
    hallmark_status = forms.ChoiceField(
        label="Hallmark", required=False, choices=[("", "Any"), *StockItem.HallmarkStatus.choices]
    )
    missing_huid = forms.BooleanField(label="Needs a HUID", required=False)
    ordering = forms.ChoiceField(label="Sort", required=False, choices=list(STOCK_ORDERINGS.items()))

    def __init__(self, *args, purities: list[Purity], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purity"].choices = purity_choices(purities, "Any purity")

    def search_filters(self) -> dict:
        """The cleaned filters as `selectors.stock_item_search` takes them (empty when invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "stock_status": data["stock_status"],
            "metal": data["metal"],
            "purity_id": data["purity"],
            "hallmark_status": data["hallmark_status"],
            "missing_huid": True if data["missing_huid"] else None,
            "ordering": data["ordering"],
        }


class StockItemForm(forms.Form):
    """Weights and money are text: the service reads "1,250.5" and says clearly what it can't read."""

    name = forms.CharField(label="Name", max_length=120)
    sku = forms.CharField(
        label="SKU", max_length=40, required=False, help_text="Leave blank to get one made for you."
    )
    category = forms.ChoiceField(label="Category", choices=StockItem.Category.choices)
    purity = forms.ChoiceField(label="Purity")
    gross_weight = forms.CharField(label="Gross weight (g)", max_length=20, widget=GRAMS)
    stone_weight = forms.CharField(
        label="Stone weight (g)", max_length=20, required=False, widget=GRAMS, initial="0.000"
    )
    making_charge_type = forms.ChoiceField(label="Making charge", choices=StockItem.MakingChargeType.choices)
    making_charge_value = forms.CharField(
        label="Making charge amount",
        max_length=20,
        required=False,
        widget=RUPEES,
        initial="0.00",
        help_text="Rupees per gram, rupees flat, or a percentage of the metal value.",
    )
    stone_value = forms.CharField(
        label="Stone value (₹)", max_length=20, required=False, widget=RUPEES, initial="0.00"
    )
    hsn_code = forms.CharField(
        label="HSN",
        max_length=12,  # "7113 19 10": the service keeps the digits
        required=False,
        help_text="Blank: 7113 for jewellery, 7108 for gold bars and coins, 7106 for silver.",
    )
    huid = forms.CharField(
        label="HUID",
        max_length=12,
        required=False,
        help_text="The 6 letters and digits laser-marked on the piece.",
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "class": "upper"}
        ),
    )
    hallmark_status = forms.ChoiceField(label="Hallmark status", choices=StockItem.HallmarkStatus.choices)
    exemption = forms.ChoiceField(
        label="Exempt because",
        required=False,
        choices=[("", "Not exempt"), *StockItem.Exemption.choices],
    )
    stock_status = forms.ChoiceField(label="Stock status", choices=StockItem.StockStatus.choices)
    ready_for_sale = forms.BooleanField(label="Ready for sale", required=False)

    def __init__(self, *args, purities: list[Purity], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purity"].choices = purity_choices(purities, "Choose the purity")

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        for field in ("stone_weight", "making_charge_value", "stone_value"):
            data[field] = data[field] or "0"
        return data

    @staticmethod
    def initial_for(item: StockItem) -> dict:
        initial = {name: getattr(item, name) for name in StockItemForm.base_fields if name != "purity"}
        initial["purity"] = str(item.purity_id)
        return initial


def certificate_file_field(label: str, help_text: str = "PDF, PNG or JPEG, up to 5 MB.", **kwargs):
    return forms.FileField(
        label=label,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        **kwargs,
    )


class CertificateForm(forms.Form):
    file = certificate_file_field("Certificate file")


class BatchSendForm(forms.Form):
    centre_name = forms.CharField(label="Hallmarking centre", max_length=120)
    request_number = forms.CharField(label="Request number", max_length=60)
    sent_on = forms.DateField(label="Date sent", widget=DATE)
    item_ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, pending: list[StockItem], **kwargs):
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["item_ids"].choices = [(item.pk, item.sku) for item in pending]


class BatchReceiveForm(forms.Form):
    """The return of a batch: one HUID box per article, and the centre's report."""

    received_on = forms.DateField(label="Date received", widget=DATE)
    report = certificate_file_field(
        "AHC report", "The centre's report for this batch: PDF, PNG or JPEG, up to 5 MB.", required=False
    )

    def __init__(self, *args, items: list[StockItem], **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"huid_{item.pk}"] = forms.CharField(
                label=f"HUID of {item.sku}",
                max_length=12,
                required=False,
                widget=forms.TextInput(
                    attrs={"autocapitalize": "characters", "autocomplete": "off", "class": "upper huid-input"}
                ),
            )

    def rows(self):
        """Each article with its HUID box, for the table on the receive screen."""
        return [(item, self[f"huid_{item.pk}"]) for item in self.items]

    def huids(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"huid_{item.pk}", "") for item in self.items}


class RatesForm(forms.Form):
    """Today's rate per gram for each purity; blank purities are left as they were."""

    effective_on = forms.DateField(label="Rates for", widget=DATE)

    def __init__(self, *args, purities: list[Purity], current: dict, **kwargs):
        kwargs.setdefault("initial", {"effective_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.purities = purities
        for purity in purities:
            rate = current.get(purity.pk)
            self.fields[f"rate_{purity.pk}"] = forms.CharField(
                label=f"{purity.label} (₹ per gram)",
                max_length=20,
                required=False,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "Not traded"}
                ),
                help_text=f"Latest: {inr(rate.rate_per_gram)} on {rate.effective_on:%d %b}" if rate else "",
            )

    def rows(self):
        return [(purity, self[f"rate_{purity.pk}"]) for purity in self.purities]

    def rates(self) -> dict[Purity, str]:
        return {
            purity: self.cleaned_data[f"rate_{purity.pk}"].strip()
            for purity in self.purities
            if self.cleaned_data.get(f"rate_{purity.pk}", "").strip()
        }


class BisRegistrationForm(forms.Form):
    number = forms.CharField(label="BIS registration number", max_length=60)
    valid_until = forms.DateField(label="Valid until", widget=DATE)
    certificate = certificate_file_field("Registration certificate", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Up to 10,000 rows, in the columns of the template.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
