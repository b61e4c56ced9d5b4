from django import forms

from apps.gst.states import STATE_CHOICES
from apps.gst.validators import GSTIN_EXAMPLE
from apps.inventory.forms import certificate_file_field
from apps.tenants.models import ReturnFrequency, Role, Tenant


def _roles_up_to(role: str) -> list[tuple[str, str]]:
    return [(value, label) for value, label in reversed(Role.choices) if Role.rank(value) <= Role.rank(role)]


class WorkspaceForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is it for?",
        choices=Tenant.Kind.choices,
        widget=forms.RadioSelect,
        initial=Tenant.Kind.SHOP,
    )
    name = forms.CharField(label="Name", max_length=120)
    state_code = forms.ChoiceField(
        label="State", choices=[("", "Choose the shop's state"), *STATE_CHOICES], required=False
    )
    gstin = forms.CharField(label="GSTIN (optional)", max_length=20, required=False)


class TenantProfileForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    state_code = forms.ChoiceField(label="State", choices=[("", "Not set"), *STATE_CHOICES], required=False)
    gstin = forms.CharField(
        label="GSTIN",
        max_length=20,
        required=False,
        help_text=f"15 characters, like {GSTIN_EXAMPLE}; its first two digits must match the state. "
        "Changing a verified GSTIN withdraws its verification.",
    )
    address = forms.CharField(label="Address", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG or WebP, up to 2 MB. Shown on invoices and in the header.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)


class StockSettingsForm(forms.Form):
    """A shop's stock settings; the service checks the values and words the errors."""

    sku_prefix = forms.CharField(
        label="SKU prefix",
        max_length=40,
        required=False,
        help_text="Letters, digits and - / . _ before the number, like LJ-. Leave blank for numbers alone.",
    )
    sku_next_number = forms.IntegerField(
        label="Next number", help_text="The number the next article added without a SKU gets."
    )
    sku_digits = forms.IntegerField(
        label="Digits", help_text="The number is padded with zeros to this many digits: 4 gives 0001."
    )
    small_turnover_exempt = forms.BooleanField(
        label="The shop's annual turnover is up to ₹40 lakh",
        required=False,
        help_text="BIS exempts such shops from mandatory hallmarking: no article then needs a HUID to be sold.",
    )

    @staticmethod
    def initial_for(tenant: Tenant) -> dict:
        return {name: getattr(tenant, name) for name in StockSettingsForm.base_fields}


class GstSettingsForm(forms.Form):
    """How the shop files GSTR-1 and from when it e-invoices; the service checks and words the errors."""

    gstr1_frequency = forms.ChoiceField(
        label="GSTR-1 filed", choices=ReturnFrequency.choices, widget=forms.RadioSelect,
        help_text="Quarterly for shops in the QRMP scheme (turnover up to ₹5 crore), which may furnish B2B "
        "invoices monthly through the IFF.",
    )  # fmt: skip
    einvoice_from = forms.DateField(
        label="e-Invoicing from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Once the shop's aggregate turnover passed ₹5 crore in any year since 2017-18, its B2B invoices "
        "and notes are registered on the IRP. Leave empty if it does not e-invoice.",
    )
    turnover_ten_crore = forms.BooleanField(
        label="Aggregate turnover of ₹10 crore or more",
        required=False,
        help_text="The IRP then takes a document only within 30 days of its date.",
    )

    @staticmethod
    def initial_for(tenant: Tenant) -> dict:
        return {name: getattr(tenant, name) for name in GstSettingsForm.base_fields}


class GstinCertificateForm(forms.Form):
    certificate = certificate_file_field(
        "GST registration certificate",
        "Form GST REG-06 as downloaded from the GST portal, or a clear photo of it: PDF, PNG or JPEG, up to 5 MB.",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _roles_up_to(actor_role)
        self.fields["role"].initial = Role.STAFF


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=80, help_text="What will use it, e.g. “Tally sync” or “Website”."
    )
    role = forms.ChoiceField(label="Role", help_text="The key can do what a member with this role can.")
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a key that works until revoked.",
    )

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _roles_up_to(actor_role)
        self.fields["role"].initial = Role.STAFF
