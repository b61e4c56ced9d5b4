from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm

from apps.accounts.normalise import email_normalise
from apps.gst.states import STATE_CHOICES
from apps.gst.validators import GSTIN_EXAMPLE
from apps.tenants.models import Tenant


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That e-mail address and password don't match an account. Passwords are case-sensitive.",
        "inactive": "This account has been switched off. Contact support.",
    }


class PasswordResetForm(DjangoPasswordResetForm):
    def clean_email(self) -> str:
        return email_normalise(self.cleaned_data["email"])


class NewPasswordForm(forms.Form):
    """Name and a password typed twice; the service checks the password's strength."""

    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not only numbers, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords don't match.")
        return data


class SignupForm(NewPasswordForm):
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    tenant_kind = forms.ChoiceField(
        label="What is it for?",
        choices=Tenant.Kind.choices,
        initial=Tenant.Kind.SHOP,
        widget=forms.RadioSelect,
    )
    tenant_name = forms.CharField(label="Shop or workspace name", max_length=120)
    state_code = forms.ChoiceField(
        label="State",
        choices=[("", "Choose the shop's state"), *STATE_CHOICES],
        required=False,
        help_text="Needed for a shop: it decides whether GST is CGST+SGST or IGST.",
    )
    gstin = forms.CharField(
        label="GSTIN (optional)",
        max_length=20,
        required=False,
        help_text=f"15 characters, like {GSTIN_EXAMPLE}. You can add it later; issuing GST invoices "
        "needs it verified from your GST registration certificate.",
    )

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "tenant_kind",
        "tenant_name",
        "state_code",
        "gstin",
    ]


class InvitedSignupForm(NewPasswordForm):
    """The invitation fixes the e-mail address."""


class AccountForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
