"""A shop's customers: GST-registered businesses and walk-in buyers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TenantOwned
from apps.gst.states import STATE_CHOICES
from apps.gst.validators import gstin_validate

pan_validator = RegexValidator(
    r"^[A-Z]{5}[0-9]{4}[A-Z]$", message="A PAN is 5 letters, 4 digits and a letter, like ABCDE1234F."
)
phone_validator = RegexValidator(
    r"^\+?[0-9 -]{6,20}$", message="Enter a phone number of digits, spaces and dashes, like 98200 12345."
)


class Customer(TenantOwned):
    """Someone a shop sells to: GST-registered (a business with a GSTIN) or not (a walk-in buyer)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "GST-registered business"
        UNREGISTERED = "unregistered", "Unregistered (a person)"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.UNREGISTERED)
    name = models.CharField(max_length=120, help_text="The legal name for a business.")
    trade_name = models.CharField(max_length=120, blank=True)
    gstin = models.CharField("GSTIN", max_length=15, blank=True, validators=[gstin_validate])
    state_code = models.CharField("state", max_length=2, choices=STATE_CHOICES, blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    pincode = models.CharField(max_length=6, blank=True, validators=[RegexValidator(r"^[1-9][0-9]{5}$")])
    pan = models.CharField("PAN", max_length=10, blank=True, validators=[pan_validator])
    form_60_given = models.BooleanField(
        "Form 60 given", default=False, help_text="The buyer has no PAN and signed Form 60 (Rule 114B)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "gstin"], condition=~Q(gstin=""), name="customer_gstin_unique_per_tenant"
            ),
            models.CheckConstraint(
                condition=Q(kind="registered", gstin__gt="") | Q(kind="unregistered", gstin=""),
                name="customer_gstin_iff_registered",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="customer_tenant_name"),
            models.Index(fields=["tenant", "phone"], name="customer_tenant_phone"),
        ]

    def __str__(self) -> str:
        return self.trade_name or self.name
