"""Money and metal received: old gold bought on vouchers, advances on receipt vouchers, payments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TenantOwned
from apps.invoicing.models.customers import Customer
from apps.invoicing.models.documents import GRAMS, RUPEES, DocumentSeries, Invoice


class OldGoldVoucher(TenantOwned):
    """Old gold bought from a customer: a purchase voucher, applied as payment against a sale.

    An individual selling their own jewellery makes no taxable supply, so the voucher carries no GST,
    and the sale it pays for keeps its whole taxable value (GST is never charged on the net).
    """

    number = models.CharField(max_length=16)
    series = models.ForeignKey(DocumentSeries, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="old_gold_vouchers")
    received_on = models.DateField()
    description = models.CharField(max_length=200)
    gross_weight = models.DecimalField(**GRAMS, validators=[MinValueValidator(Decimal("0.001"))])
    deduction_weight = models.DecimalField(
        **GRAMS, default=Decimal("0.000"), validators=[MinValueValidator(0)],
        help_text="Stones, dust and solder taken off before testing.",
    )  # fmt: skip
    net_weight = models.DecimalField(**GRAMS)
    purity_percent = models.DecimalField(
        "tested purity (%)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("99.99"))],
        help_text="As the touch test or XRF reads it, e.g. 91.60 for 22K.",
    )  # fmt: skip
    fine_weight = models.DecimalField(**GRAMS)
    rate_per_gram = models.DecimalField(
        **RUPEES, validators=[MinValueValidator(Decimal("0.01"))], help_text="Per gram of fine (pure) gold."
    )
    value = models.DecimalField(**RUPEES)
    retain_until = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "series", "number"], name="oldgold_number_unique_per_series"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "customer", "-received_on"], name="oldgold_tenant_customer")
        ]

    def __str__(self) -> str:
        return self.number


class MoneyMode(models.TextChoices):
    CASH = "cash", "Cash"
    UPI = "upi", "UPI"
    CARD = "card", "Card"
    BANK = "bank", "Bank transfer"


class ReceiptVoucher(TenantOwned):
    """An advance received before the goods are supplied (an order, a booking): CGST Rule 50.

    Since Notification 66/2017-CT no GST is due on advances for goods, so the voucher carries none;
    the tax is charged on the invoice it is later adjusted against, as a payment by advance.
    """

    number = models.CharField(max_length=16)
    series = models.ForeignKey(DocumentSeries, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="receipt_vouchers")
    received_on = models.DateField()
    mode = models.CharField(max_length=12, choices=MoneyMode.choices)
    amount = models.DecimalField(**RUPEES, validators=[MinValueValidator(Decimal("0.01"))])
    reference = models.CharField(
        max_length=60, blank=True, help_text="UPI or bank reference, last digits of a card."
    )
    description = models.CharField(
        max_length=200, help_text="What the advance is for, e.g. a bridal set to order."
    )
    retain_until = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "series", "number"], name="receipt_number_unique_per_series"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "customer", "-received_on"], name="receipt_tenant_customer")
        ]

    def __str__(self) -> str:
        return self.number


class Payment(TenantOwned):
    """Money, old gold or an advance taken against an issued invoice; never edited once recorded."""

    class Mode(models.TextChoices):
        CASH = MoneyMode.CASH.value, MoneyMode.CASH.label
        UPI = MoneyMode.UPI.value, MoneyMode.UPI.label
        CARD = MoneyMode.CARD.value, MoneyMode.CARD.label
        BANK = MoneyMode.BANK.value, MoneyMode.BANK.label
        OLD_GOLD = "old_gold", "Old gold"
        ADVANCE = "advance", "Advance (receipt voucher)"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    amount = models.DecimalField(**RUPEES, validators=[MinValueValidator(Decimal("0.01"))])
    reference = models.CharField(
        max_length=60, blank=True, help_text="UPI or bank reference, last digits of a card."
    )
    old_gold_voucher = models.ForeignKey(
        OldGoldVoucher, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    receipt_voucher = models.ForeignKey(
        ReceiptVoucher, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments"
    )
    received_on = models.DateField()
    retain_until = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="old_gold", old_gold_voucher__isnull=False)
                | (~Q(mode="old_gold") & Q(old_gold_voucher__isnull=True)),
                name="payment_voucher_iff_old_gold",
            ),
            models.CheckConstraint(
                condition=Q(mode="advance", receipt_voucher__isnull=False)
                | (~Q(mode="advance") & Q(receipt_voucher__isnull=True)),
                name="payment_receipt_iff_advance",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "received_on", "mode"], name="payment_tenant_day_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} ₹{self.amount}"
