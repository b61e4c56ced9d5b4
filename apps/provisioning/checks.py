"""System checks (`manage.py check`, run at every start): settings provisioning can't work with."""

from django.conf import settings
from django.core.checks import Error, register

from apps.provisioning import aws, pricing


@register("provisioning")
def provisioning_settings_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    regions = list(settings.AWS_ALLOWED_REGIONS)
    if not regions:
        errors.append(Error("AWS_ALLOWED_REGIONS is empty.", hint="List at least one region, e.g. ap-south-1.",
                            id="provisioning.E001"))  # fmt: skip
    unpriced = [region for region in regions if region not in pricing.PRICES]
    if unpriced:
        errors.append(Error(
            f"AWS_ALLOWED_REGIONS lists regions without prices: {', '.join(unpriced)}.",
            hint=f"Add them to PRICES in apps/provisioning/pricing.py, or allow only {', '.join(pricing.PRICES)}.",
            id="provisioning.E002",
        ))  # fmt: skip
    if aws.ROLE_ARN.fullmatch(str(settings.AWS_ROLE_ARN)) is None:
        errors.append(Error(
            f"AWS_ROLE_ARN is not an IAM role ARN: {settings.AWS_ROLE_ARN!r}.",
            hint="Set it to the platform role, e.g. arn:aws:iam::123456789012:role/TijoriProvisioner.",
            id="provisioning.E003",
        ))  # fmt: skip
    return errors
