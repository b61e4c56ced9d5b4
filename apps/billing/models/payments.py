"""Orders and payments of the AMC, and the gateway's webhook events."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.billing.models.contracts import RUPEES, Contract, ContractEvent, Plan
from apps.core.models import TenantOwned, TenantQuerySet
from apps.gst.states import STATE_CHOICES

GATEWAY_ID_MAX = 40  # Razorpay's ids are 18-20 characters (order_…, pay_…); a receipt is at most 40


class BillingOrderQuerySet(TenantQuerySet):
    def open(self) -> BillingOrderQuerySet:
        return self.filter(status=BillingOrder.Status.CREATED)


class BillingOrder(TenantOwned):
    """One attempt to collect a year of the AMC online: a Razorpay order for the amount due.

    The amount due is settled when the order is made (the plan's price, GST at the rate on record for the
    platform's SAC, CGST and SGST within the platform's state, else IGST) and stored, in rupees and in the
    paise Razorpay charges, so the payment, the renewal and the invoice all use the figures the shop was
    shown. A contract has at most one open order (`created`): "Renew now" again reuses it while the
    amount due is the same (Razorpay lets a failed attempt be retried on the same order in India), and
    gives it up (`expired`) for a new one when the price changed. Written only by `apps.billing.services`.
    """

    class Status(models.TextChoices):
        CREATED = "created", "Awaiting payment"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        EXPIRED = "expired", "Given up"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="orders")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    receipt = models.CharField(
        max_length=GATEWAY_ID_MAX, unique=True, help_text="Our reference, sent to Razorpay."
    )
    gateway_order_id = models.CharField("Razorpay order id", max_length=GATEWAY_ID_MAX, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CREATED)
    sac = models.CharField("SAC", max_length=8)
    gst_rate = models.DecimalField("GST rate (%)", max_digits=5, decimal_places=2)
    place_of_supply = models.CharField(max_length=2, choices=STATE_CHOICES)
    taxable_value = models.DecimalField(**RUPEES)
    cgst = models.DecimalField("CGST", **RUPEES, default=Decimal("0.00"))
    sgst = models.DecimalField("SGST", **RUPEES, default=Decimal("0.00"))
    igst = models.DecimalField("IGST", **RUPEES, default=Decimal("0.00"))
    amount = models.DecimalField(**RUPEES, help_text="Rupees to pay, GST included.")
    amount_paise = models.PositiveBigIntegerField(
        help_text="The same amount in paise, as Razorpay charges it."
    )
    attempts = models.PositiveSmallIntegerField(
        default=1, help_text="Times the checkout was opened for it, and payments that failed."
    )
    failure_reason = models.CharField(max_length=300, blank=True, help_text="Why the latest attempt failed.")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = BillingOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="created"), name="billing_order_one_open_per_contract"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_order_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="billing_order_tenant_time"),
            # The daily reconciliation: open orders by age, every tenant's.
            models.Index(fields=["status", "created_at"], name="billing_order_status_time"),
        ]

    def __str__(self) -> str:
        return self.gateway_order_id

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


class BillingRecordImmutable(Exception):
    """Raised on any attempt to change or remove a payment or an issued platform invoice through the ORM."""


class KeptQuerySet(TenantQuerySet):
    """Rows kept as written for their retention period: no bulk change or delete through the ORM; the one
    change let through is forgetting a deleted user (on_delete=SET_NULL)."""

    forgettable: frozenset[str] = frozenset()

    def update(self, **kwargs):
        if kwargs and set(kwargs) <= self.forgettable and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise BillingRecordImmutable(
            f"{self.model._meta.verbose_name_plural.capitalize()} cannot be changed."
        )

    def delete(self):
        raise BillingRecordImmutable(
            f"{self.model._meta.verbose_name_plural.capitalize()} cannot be deleted."
        )

    def _raw_delete(self, using):
        raise BillingRecordImmutable(
            f"{self.model._meta.verbose_name_plural.capitalize()} cannot be deleted."
        )


class BillingPaymentQuerySet(KeptQuerySet):
    forgettable = frozenset({"recorded_by", "recorded_by_id"})


class BillingPayment(TenantOwned):
    """Money received for the AMC: online through Razorpay (once per Razorpay payment id), or by bank
    transfer or UPI, recorded by a super admin with its reference.

    Append-only and kept like the invoices it backs (`retain_until`): the ORM refuses changes and deletes,
    and on PostgreSQL a trigger refuses them too (migration 0006). `renewal` is the contract event the
    payment caused; a second payment of an order already paid renews nothing and is left for a refund.
    """

    class Method(models.TextChoices):
        RAZORPAY = "razorpay", "Online (Razorpay)"
        BANK = "bank", "Bank transfer or cheque"
        UPI = "upi", "UPI"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    order = models.ForeignKey(
        BillingOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="payments",
        help_text="The online order it paid; none for a payment recorded by a super admin.",
    )  # fmt: skip
    gateway_payment_id = models.CharField(
        "Razorpay payment id", max_length=GATEWAY_ID_MAX, unique=True, null=True, blank=True
    )
    method = models.CharField(max_length=12, choices=Method.choices)
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="A bank transfer's UTR, a UPI reference, or how Razorpay was paid.",
    )
    amount = models.DecimalField(**RUPEES, help_text="Rupees received, GST included.")
    paid_on = models.DateField()
    caused_by = models.CharField(
        max_length=200,
        help_text="What recorded it: the checkout, a webhook, the reconciliation, a super admin.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The super admin who recorded a payment received outside the checkout.",
    )  # fmt: skip
    renewal = models.OneToOneField(
        ContractEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    retain_until = models.DateField(help_text="Kept at least until this day (CGST s.36).")

    objects = BillingPaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="razorpay", order__isnull=False, gateway_payment_id__isnull=False)
                | (
                    ~Q(method="razorpay")
                    & Q(order__isnull=True, gateway_payment_id__isnull=True)
                    & ~Q(reference="")
                ),
                name="billing_payment_online_or_referenced",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "-paid_on", "-id"], name="billing_payment_tenant_day")]

    def __str__(self) -> str:
        return self.gateway_payment_id or f"{self.get_method_display()} {self.reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise BillingRecordImmutable("Payments cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise BillingRecordImmutable("Payments cannot be deleted.")


class WebhookEvent(models.Model):
    """One event Razorpay sent to the webhook, kept by its event id (`X-Razorpay-Event-Id`).

    Platform-wide: an event is read before its shop is known. The row is inserted in the same transaction
    as the change the event makes, so a retry of an event already handled finds it and changes nothing,
    and an event whose handling failed leaves no row and is handled again when Razorpay retries it.
    """

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        UNCHANGED = "unchanged", "Nothing to change"
        IGNORED = "ignored", "Not an event billing uses"
        UNKNOWN_ORDER = "unknown_order", "No order of ours"
        REFUSED = "refused", "Refused by a billing rule"

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64)
    gateway_order_id = models.CharField("Razorpay order id", max_length=GATEWAY_ID_MAX, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="What it did, or why it did nothing.")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["gateway_order_id"], name="webhook_event_order")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
