"""Forms of the super admin's AMC pages: plans, and the actions on one contract (each with a reason)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from apps.billing import services
from apps.billing.models import BillingPayment, Contract, Plan
from apps.billing.services.contracts import EXTEND_DAYS_MAX
from apps.core.forms import DecimalText, form_add_service_error

PLAN_FIELDS = (
    "code", "name", "for_kind", "yearly_price", "trial_days", "grace_days", "includes", "is_default", "is_active",
)  # fmt: skip


class PlanAdminForm(forms.ModelForm):
    """Checked by `plan_validate`, as `plan_save` checks it: the default can only move to another plan."""

    class Meta:
        model = Plan
        fields = PLAN_FIELDS

    def _get_validation_exclusions(self):
        # The one-default rule is the service's: making this plan the default takes it from the other.
        return {*super()._get_validation_exclusions(), "is_default"}

    def clean(self):
        data = super().clean()
        try:
            services.plan_validate(
                plan=self.instance if self.instance.pk else None,
                for_kind=data.get("for_kind") or "",
                yearly_price=data.get("yearly_price"),
                trial_days=data.get("trial_days"),
                is_default=bool(data.get("is_default")),
                is_active=bool(data.get("is_active")),
            )
        except ValidationError as exc:
            form_add_service_error(self, exc)
        return data


def _reason() -> forms.CharField:
    return forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Kept in the AMC's history, which the shop's owners and admins read, and in the audit trail.",
    )


class ContractExtendForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=EXTEND_DAYS_MAX,
        help_text="Added to the current period (a trial stays a trial).",
    )
    reason = _reason()


class ContractCompForm(forms.Form):
    until = forms.DateField(
        label="Complimentary until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last free day. It follows on from the current period (from today once expired).",
    )
    reason = _reason()


class ContractSuspendForm(forms.Form):
    reason = _reason()


class ContractResumeForm(forms.Form):
    reason = _reason()


class ContractPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(), help_text="Its price applies from the next renewal."
    )
    reason = _reason()

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(
            for_kind=contract.tenant.kind, is_active=True
        ).exclude(pk=contract.plan_id)


class ContractRenewForm(forms.Form):
    """A year paid outside the online checkout (bank transfer, cheque, UPI), recorded by a super admin:
    `billing_payment_record` renews the AMC and issues Tijori's invoice for it."""

    method = forms.ChoiceField(
        label="Paid by",
        choices=[(m.value, m.label) for m in (BillingPayment.Method.BANK, BillingPayment.Method.UPI)],
        initial=BillingPayment.Method.BANK,
        widget=forms.RadioSelect,
    )
    paid_on = forms.DateField(label="Paid on", widget=forms.DateInput(attrs={"type": "date"}))
    amount = DecimalText(
        label="Amount received (₹)",
        help_text="The amount due: a year at the plan's price plus GST (Tijori's invoice says the same).",
    )
    reference = forms.CharField(
        max_length=100, help_text="How it was paid: a bank transfer's UTR, a cheque number, a UPI reference."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Why it was paid outside the online checkout; kept in the audit trail.",
    )


CONTRACT_FORMS: dict[str, type[forms.Form]] = {
    "renew": ContractRenewForm,
    "extend": ContractExtendForm,
    "comp": ContractCompForm,
    "plan": ContractPlanForm,
    "suspend": ContractSuspendForm,
    "resume": ContractResumeForm,
}


class PlatformCreditNoteForm(forms.Form):
    """A refund or a void of one of Tijori's invoices: a credit note reversing it, with the reason."""

    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Printed on the credit note, which the shop downloads from its Billing page, and kept in the "
        "audit trail.",
    )
