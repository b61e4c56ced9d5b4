from django import forms
from django.conf import settings

from apps.provisioning.models import Tier


class ProjectForm(forms.Form):
    name = forms.CharField(label="Project name", max_length=60)
    region = forms.ChoiceField(label="AWS region")
    tier = forms.ChoiceField(
        label="Usage tier",
        choices=Tier.choices,
        widget=forms.RadioSelect,
        initial=Tier.SMALL,
        help_text="Each tier caps concurrency, requests and throughput, so the estimate is the most it can cost.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r, r) for r in settings.AWS_ALLOWED_REGIONS]
        self.fields["region"].initial = settings.AWS_ALLOWED_REGIONS[0]


class DeployForm(forms.Form):
    source = forms.ChoiceField(
        label="What to deploy",
        choices=[("starter", "The starter app"), ("bundle", "My bundle (.zip)")],
        widget=forms.RadioSelect,
        initial="starter",
    )
    bundle = forms.FileField(
        label="Bundle",
        required=False,
        help_text="A .zip with backend/app.py (the Lambda handler) and frontend/index.html; up to 20 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("source") == "bundle" and not data.get("bundle"):
            self.add_error("bundle", "Choose the .zip file to deploy.")
        return data


class ExtendForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label="Extend by", coerce=int, choices=[(30, "30 minutes"), (60, "1 hour"), (120, "2 hours")]
    )


class AwsAccountForm(forms.Form):
    role_arn = forms.CharField(
        label="Role ARN",
        max_length=200,
        help_text="From the role's page in the IAM console, e.g. arn:aws:iam::123456789012:role/TijoriAccess.",
        widget=forms.TextInput(attrs={"placeholder": "arn:aws:iam::123456789012:role/TijoriAccess",
                                      "autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
