"""Forms of the stock pages. They collect input; the services check the rules and say what is wrong."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from apps.core.forms import DecimalText
from apps.core.money import GRAM, inr
from apps.inventory.models import HallmarkBatch, Metal, Purity, StockItem
from apps.inventory.selectors import STOCK_ORDERINGS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
    """Weights and money are typed as people write them ("1,250.5", "₹12,500"); the service checks them."""

    name = forms.CharField(label="Name", max_length=120)
    sku = forms.CharField(label="SKU", max_length=40, required=False)
    category = forms.ChoiceField(label="Category", choices=StockItem.Category.choices)
    purity = forms.ChoiceField(label="Purity")
    gross_weight = DecimalText(label="Gross weight (g)", places=GRAM)
    stone_weight = DecimalText(label="Stone weight (g)", places=GRAM, required=False, initial="0.000")
    making_charge_type = forms.ChoiceField(label="Making charge", choices=StockItem.MakingChargeType.choices)
    making_charge_value = DecimalText(
        label="Making charge amount",
        required=False,
        initial="0.00",
        help_text="Rupees per gram, rupees flat, or a percentage of the metal value.",
    )
    stone_value = DecimalText(label="Stone value (₹)", required=False, initial="0.00")
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

    # What "Add and start another" keeps for the next article: a run of pieces shares these, never
    # the weights, HUID or SKU of the one just added.
    CARRIED = ("purity", "category", "making_charge_type")
    # Set only by receiving the batch while the article is at the hallmarking centre.
    FROM_BATCH = ("huid", "hallmark_status", "exemption")

    def __init__(
        self,
        *args,
        purities: list[Purity],
        carried: dict | None = None,
        next_sku: str = "",
        at_centre_with: HallmarkBatch | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["purity"].choices = purity_choices(purities, "Choose the purity")
        for name in self.CARRIED:
            value = (carried or {}).get(name, "")
            if value and self.fields[name].valid_value(value):
                self.initial[name] = value
        if next_sku:
            self.fields["sku"].help_text = f"Leave blank for the shop's next number, {next_sku}."
        if at_centre_with is not None:
            for name in self.FROM_BATCH:
                self.fields[name].disabled = True
            batch = at_centre_with.request_number
            self.fields["huid"].help_text = f"Entered when batch {batch} is received from the centre."

    def carried(self) -> dict:
        """The values the next article starts with, after "Add and start another"."""
        return {name: self.cleaned_data[name] for name in self.CARRIED}

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
    """The return of a batch: one HUID box per article still at the centre, and the centre's report.

    `items` are all the batch's articles, so the screen lists as many as the batch counts; one no
    longer at the centre is shown as it is, without a box.
    """

    received_on = forms.DateField(label="Date received", widget=DATE)
    report = certificate_file_field(
        "AHC report", "The centre's report for this batch: PDF, PNG or JPEG, up to 5 MB.", required=False
    )

    def __init__(self, *args, items: list[StockItem], **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            if item.hallmark_status != StockItem.HallmarkStatus.AT_CENTRE:
                continue
            self.fields[f"huid_{item.pk}"] = forms.CharField(
                label=f"HUID of {item.sku}",
                max_length=12,
                required=False,
                widget=forms.TextInput(
                    attrs={"autocapitalize": "characters", "autocomplete": "off", "class": "upper huid-input"}
                ),
            )

    def rows(self):
        """Each article with its HUID box (None when it is no longer at the centre), for the table."""
        return [
            (item, self[name] if (name := f"huid_{item.pk}") in self.fields else None) for item in self.items
        ]

    def huids(self) -> dict[int, str]:
        """The HUID typed for each article at the centre (blank: the centre did not mark it)."""
        return {
            item.pk: self.cleaned_data.get(name, "")
            for item in self.items
            if (name := f"huid_{item.pk}") in self.fields
        }


class RatesForm(forms.Form):
    """Today's rate per gram for each purity; blank purities are left as they were.

    `start_from` (purity id → rate) fills the boxes with an earlier day's rates, to be checked and saved.
    """

    effective_on = forms.DateField(label="Rates for", widget=DATE)

    def __init__(
        self, *args, purities: list[Purity], current: dict, start_from: dict | None = None, **kwargs
    ):
        initial = {"effective_on": timezone.localdate()}
        for purity_id, rate in (start_from or {}).items():
            initial[f"rate_{purity_id}"] = inr(rate.rate_per_gram, symbol=False)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.purities = purities
        for purity in purities:
            rate = current.get(purity.pk)
            self.fields[f"rate_{purity.pk}"] = DecimalText(
                label=f"{purity.label} (₹ per gram)",
                required=False,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "Not traded"}
                ),
                help_text=f"Latest: {inr(rate.rate_per_gram)} on {rate.effective_on:%d %b}" if rate else "",
            )

    def rows(self):
        return [(purity, self[f"rate_{purity.pk}"]) for purity in self.purities]

    def rates(self) -> dict[Purity, Decimal]:
        return {
            purity: self.cleaned_data[f"rate_{purity.pk}"]
            for purity in self.purities
            if self.cleaned_data.get(f"rate_{purity.pk}") not in (None, "")
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
