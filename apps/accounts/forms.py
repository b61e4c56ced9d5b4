from django import forms
from django.contrib.auth.forms import AuthenticationForm

from apps.gst.states import STATE_CHOICES
from apps.tenants.models import Tenant


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That e-mail address and password don't match an account. Passwords are case-sensitive.",
        "inactive": "This account has been switched off. Contact support.",
    }


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not only numbers, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
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
        help_text="15 characters, like 27AAPFU0939F1ZV. You can add it later.",
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords don't match.")
        return data


class InvitedSignupForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords don't match.")
        return data


class AccountForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
