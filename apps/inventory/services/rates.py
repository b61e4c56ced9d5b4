"""Daily metal rates: one per purity per day, kept as history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.figures import tenant_figures_changed
from apps.core.money import RUPEE, inr, parse_decimal
from apps.core.validators import date_check
from apps.inventory.models import MetalRate, Purity
from apps.tenants.rights import RATES_SET, right_require

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


@transaction.atomic
def metal_rate_set(
    *,
    tenant: Tenant,
    actor: User | None,
    purity: Purity,
    rate_per_gram: Decimal | str,
    effective_on: date | None = None,
) -> tuple[MetalRate, bool]:
    """Record (or correct) the rate of one purity for a day, today in India by default.

    Returns the day's rate and whether it is new (False when an existing rate was corrected), known
    under the row lock, so callers need not ask beforehand. The shop's prices: owners and admins only.
    """
    right_require(tenant=tenant, actor=actor, right=RATES_SET)
    return _metal_rate_record(
        tenant=tenant, actor=actor, purity=purity, rate_per_gram=rate_per_gram, effective_on=effective_on
    )


def _metal_rate_record(
    *,
    tenant: Tenant,
    actor: User | None,
    purity: Purity,
    rate_per_gram: Decimal | str,
    effective_on: date | None,
) -> tuple[MetalRate, bool]:
    errors: dict[str, list[str]] = {}
    rate = parse_decimal(rate_per_gram, RUPEE, "rate_per_gram", "rate per gram in rupees", errors)
    if rate is not None and rate <= 0:
        errors["rate_per_gram"] = ["The rate must be more than zero."]
    effective_on = effective_on or timezone.localdate()
    if effective_on > timezone.localdate():
        errors["effective_on"] = ["A rate can't be recorded for a future day."]
    date_check(effective_on, field="effective_on", label="rate's day", errors=errors)
    if errors:
        raise ValidationError(errors)
    existing = (
        MetalRate.objects.for_tenant(tenant)
        .select_for_update()
        .filter(purity=purity, effective_on=effective_on)
        .first()
    )
    old = existing.rate_per_gram if existing else None
    rate_row = existing or MetalRate(tenant=tenant, purity=purity, effective_on=effective_on)
    rate_row.rate_per_gram = rate
    rate_row.recorded_by = actor
    rate_row.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            rate_row.save()
    except IntegrityError:  # the same purity and day recorded at the same moment by someone else
        raise ValidationError(
            {"rate_per_gram": ["This rate was just recorded by someone else; look at it and try again."]}
        ) from None
    tenant_figures_changed(tenant_id=tenant.pk)  # the valuation and the today's-rate reminder
    change = f"corrected from {inr(old)} to" if old is not None else "set to"
    audit_record(
        tenant=tenant, actor=actor, action="rate.set", target=rate_row,
        summary=f"{purity.label} rate for {effective_on:%d %b %Y} {change} {inr(rate)}/g",
    )  # fmt: skip
    return rate_row, existing is None


@transaction.atomic
def metal_rates_set(
    *,
    tenant: Tenant,
    actor: User | None,
    rates: dict[Purity, Decimal | str],
    effective_on: date | None = None,
) -> list[MetalRate]:
    """Record several purities' rates for one day together: all of them, or none if any is wrong.

    Errors are keyed `rate_<purity id>` (and `effective_on`), so a form can show each beside its box.
    """
    right_require(tenant=tenant, actor=actor, right=RATES_SET)
    if not rates:
        raise ValidationError("Enter at least one rate.")
    saved, errors = [], {}
    for purity, value in rates.items():
        try:
            with transaction.atomic():
                rate, _created = _metal_rate_record(
                    tenant=tenant, actor=actor, purity=purity, rate_per_gram=value, effective_on=effective_on
                )
                saved.append(rate)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                key = f"rate_{purity.pk}" if field == "rate_per_gram" else field
                errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    return saved
