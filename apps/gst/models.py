"""GST rates by HSN/SAC code and date: data a super admin edits when the GST Council changes a rate."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from apps.core.models import TimeStampedModel


class GstRate(TimeStampedModel):
    """The rate for every HSN or SAC code starting with `code`, from `effective_from` on.

    The longest matching code wins (7113 over 71), and of its rows the latest that has started.
    A change of rate is a new row with its own start date, so invoices of earlier days keep theirs.
    A rate meant only for GST-registered recipients carries the rate everyone else pays.
    """

    code = models.CharField(
        "HSN/SAC prefix", max_length=8, validators=[RegexValidator(r"^[0-9]{2,8}$", "2 to 8 digits.")]
    )
    rate = models.DecimalField(
        "rate (%)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("28"))],
    )  # fmt: skip
    effective_from = models.DateField()
    description = models.CharField(max_length=200)
    unregistered_rate = models.DecimalField(
        "rate for a buyer without a GSTIN (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("28"))],
        help_text="Set when `rate` is a concession for GST-registered recipients only, as job work for a "
        "registered principal is (a buyer without a GSTIN is billed this rate instead); empty when every "
        "buyer pays the same rate.",
    )  # fmt: skip

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="gstrate_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.rate}% from {self.effective_from}"
