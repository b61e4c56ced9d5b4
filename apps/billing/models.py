"""AMC billing: the plans a workspace can be on, each workspace's contract, and the contract's history.

A workspace pays the platform an annual maintenance contract (AMC). `Plan` is platform data edited by
super admins; `Contract` is the one row per tenant that says where its AMC stands (a state machine,
written only by `apps.billing.services`); `ContractEvent` is the append-only history of every
transition, with who or what caused it.

Paying for it: `BillingOrder` is an online attempt (a Razorpay order), `BillingPayment` the money
received (online or recorded by a super admin), `PlatformInvoice` the platform's own GST invoice or
credit note for it, numbered in `PlatformSeries`; `WebhookEvent` keeps each event Razorpay sent, once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import TenantOwned, TenantQuerySet, TimeStampedModel
from apps.gst.states import STATE_CHOICES
from apps.invoicing.models import invoices_storage
from apps.tenants.models import Tenant

RUPEES = {"max_digits": 12, "decimal_places": 2}
TRIAL_DAYS_MAX = 365
GRACE_DAYS_MAX = 90


class Plan(TimeStampedModel):
    """What a workspace pays a year and what it gets. Platform data: not tenant-owned.

    One plan of each kind is the default: every new shop starts the default shop plan's trial, every
    new personal workspace goes on the default personal plan (free). A plan's price is copied onto a
    contract at each renewal, so a new price applies from the next renewal on. Plans are never deleted
    (contracts keep pointing at theirs); a plan no longer offered is made inactive.

    Provisioning quotas are not repeated here: they are the platform's defaults in settings, overridden
    per workspace by a super admin (`apps.provisioning` TenantQuota), and the billing page shows them.
    """

    code = models.SlugField(max_length=32, unique=True, help_text="A short fixed name, like amc or personal.")
    name = models.CharField(max_length=80)
    for_kind = models.CharField(
        "kind of workspace",
        max_length=16,
        choices=Tenant.Kind.choices,
        help_text="Which workspaces can be on it.",
    )
    yearly_price = models.DecimalField(
        **RUPEES,
        validators=[MinValueValidator(0)],
        help_text="Rupees a year, before GST. 0 makes it a free plan: no period, nothing to renew. "
        "A new price applies to each contract from its next renewal.",
    )
    trial_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(TRIAL_DAYS_MAX)],
        help_text="Days a new workspace on this plan tries it before the first payment is due.",
    )
    grace_days = models.PositiveSmallIntegerField(
        default=15,
        validators=[MaxValueValidator(GRACE_DAYS_MAX)],
        help_text="Days the workspace keeps full access after its period ends unpaid, counted from the due "
        "date (the day after the period's last day).",
    )
    includes = models.TextField(blank=True, help_text="What the plan includes, one item a line.")
    is_default = models.BooleanField(
        "default for new workspaces",
        default=False,
        help_text="Making a plan the default takes it from the plan that was the default for its kind.",
    )
    is_active = models.BooleanField(
        "offered", default=True, help_text="A plan no longer offered keeps the contracts already on it."
    )

    class Meta:
        ordering = ["for_kind", "yearly_price", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["for_kind"], condition=Q(is_default=True), name="plan_one_default_per_kind"
            ),
            models.CheckConstraint(condition=Q(yearly_price__gte=0), name="plan_price_not_negative"),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True), name="plan_default_is_offered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.yearly_price == 0

    @property
    def includes_list(self) -> list[str]:
        return [line.strip() for line in self.includes.splitlines() if line.strip()]


class Contract(TenantOwned):
    """A workspace's AMC: its plan, where it stands, and the period it has (one per tenant).

    States: trialing → (paid) active → (period over, unpaid) grace → (grace over) expired →
    (paid) active; suspended is a super admin's hold from any of them, and resuming returns to the
    state it held. Grace is *access* grace: the workspace works as before for the plan's grace days,
    counted from the due date. `period_kind` says what the current period is (a trial, a paid year, a
    complimentary period, a free plan with no end), so a lapsed trial extended in grace goes back to
    trialing and a lapsed paid year back to active. The transitions are in `services.contracts`.
    """

    class State(models.TextChoices):
        TRIALING = "trialing", "Trial"
        ACTIVE = "active", "Active"
        GRACE = "grace", "In grace"
        EXPIRED = "expired", "Expired"
        SUSPENDED = "suspended", "Suspended"

    class PeriodKind(models.TextChoices):
        TRIAL = "trial", "Trial"
        PAID = "paid", "Paid"
        COMP = "comp", "Complimentary"
        FREE = "free", "Free plan"

    # One per tenant: the base's foreign key, made one-to-one (its unique index serves every lookup).
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="contracts")
    state = models.CharField(max_length=16, choices=State.choices)
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(help_text="The first day of the latest period granted.")
    period_end = models.DateField(
        null=True,
        blank=True,
        help_text="The last day paid for (or of the trial, or complimentary). Blank on a free plan.",
    )
    grace_until = models.DateField(
        null=True,
        blank=True,
        help_text="The last day of grace, fixed when grace starts: the period's last day + the plan's grace days.",
    )
    period_price = models.DecimalField(
        **RUPEES, default=0, help_text="Rupees a year, before GST, copied from the plan at renewal."
    )
    suspended_from_state = models.CharField(
        max_length=16, choices=State.choices, blank=True, help_text="The state resuming returns to."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=False) | Q(period_kind="free"),
                name="contract_period_has_end_unless_free",
            ),
            models.CheckConstraint(
                condition=Q(
                    state="suspended", suspended_from_state__in=["trialing", "active", "grace", "expired"]
                )
                | (~Q(state="suspended") & Q(suspended_from_state="")),
                name="contract_suspended_remembers_state",
            ),
            models.CheckConstraint(
                condition=Q(grace_until__isnull=False) | ~Q(state__in=["grace", "expired"]),
                name="contract_grace_has_end",
            ),
            models.CheckConstraint(condition=Q(period_price__gte=0), name="contract_price_not_negative"),
        ]
        indexes = [
            # The daily job's two questions: whose period is over, whose grace is over.
            models.Index(fields=["state", "period_end"], name="contract_state_period_end"),
            models.Index(fields=["state", "grace_until"], name="contract_state_grace_until"),
        ]

    def __str__(self) -> str:
        return f"AMC of {self.tenant}"

    @property
    def standing_state(self) -> str:
        """The state this contract holds, or held before it was suspended."""
        return self.suspended_from_state if self.state == self.State.SUSPENDED else self.state

    def days_left(self, today: date) -> int | None:
        """Days of the period left, today included (1: today is its last day); None on a free plan."""
        return None if self.period_end is None else (self.period_end - today).days + 1


class ContractEventImmutable(Exception):
    """Raised on any attempt to change or remove a contract event through the ORM."""


class ContractEventQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        # The one change allowed: forgetting a deleted user (on_delete=SET_NULL); caused_by keeps who.
        if kwargs and set(kwargs) <= {"actor", "actor_id"} and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise ContractEventImmutable("Contract events cannot be changed.")

    def delete(self):
        raise ContractEventImmutable("Contract events cannot be deleted.")

    def _raw_delete(self, using):
        raise ContractEventImmutable("Contract events cannot be deleted.")


class ContractEvent(TenantOwned):
    """One transition of a contract: from and to which state, why, and who or what caused it.

    Append-only and kept like the audit trail: the ORM refuses changes and deletes, and on PostgreSQL a
    trigger refuses them too (migration 0003). `created_at` is when it happened.
    """

    class Action(models.TextChoices):
        TRIAL_STARTED = "trial_started", "Trial started"
        FREE_STARTED = "free_started", "Free plan started"
        RENEWED = "renewed", "Renewed"
        GRACE_STARTED = "grace_started", "Grace started"
        EXPIRED = "expired", "Expired"
        EXTENDED = "extended", "Extended"
        COMPED = "comped", "Complimentary period given"
        SUSPENDED = "suspended", "Suspended"
        RESUMED = "resumed", "Resumed"
        PLAN_CHANGED = "plan_changed", "Plan changed"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_state = models.CharField(
        max_length=16, choices=Contract.State.choices, blank=True, help_text="Blank: the contract began."
    )
    to_state = models.CharField(max_length=16, choices=Contract.State.choices)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    caused_by = models.CharField(
        max_length=200, help_text="Who or what: “daily lifecycle job”, “payment pay_…”, “super admin a@b.in”."
    )
    details = models.JSONField(default=dict, blank=True, help_text="Dates and amounts before and after.")

    objects = ContractEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at", "-id"], name="contract_event_tenant_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.from_state or '—'} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ContractEventImmutable("Contract events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ContractEventImmutable("Contract events cannot be deleted.")


# --- Payments and the platform's own invoices --------------------------------------------------------

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


class PlatformDocumentKind(models.TextChoices):
    INVOICE = "invoice", "Tax invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class PlatformSeries(TimeStampedModel):
    """The platform's own gapless numbering: one counter per document kind and financial year.

    Platform data, not tenant-owned: the platform issues one series to every shop. The issuing
    transaction locks the row, takes `next_number` and moves it on, so a rolled-back issue gives its number
    back (the rule of `apps.invoicing.services.series`, whose rendering and GST number check it reuses).
    """

    doc_type = models.CharField(max_length=16, choices=PlatformDocumentKind.choices)
    fy_start_year = models.PositiveSmallIntegerField(help_text="2026 for the financial year 2026-27.")
    code = models.CharField(max_length=8, help_text="The series' short name, e.g. TJ.")
    number_format = models.CharField(max_length=32, help_text="{CODE}/{FY}/{NNNNN}: TJ/26-27/00001.")
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-fy_start_year", "doc_type"]
        verbose_name_plural = "platform series"
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "fy_start_year"], name="platform_series_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.fy_start_year} ({self.get_doc_type_display()})"


class PlatformInvoiceQuerySet(KeptQuerySet):
    forgettable = frozenset({"issued_by", "issued_by_id"})


class PlatformInvoice(TenantOwned):
    """The platform's own GST invoice to a workspace for its AMC, or the credit note that reverses one.

    Why a model of its own and not `invoicing.Invoice`: an `Invoice` is a shop's sale, owned by the selling
    shop (its series, its GSTIN, its returns, its row-level security). Here the platform sells and the shop
    buys, so the row belongs to the buying shop (it reads and downloads its own invoices, and no other
    shop's) while the seller is the platform (its details copied in from settings at issue), numbered in
    the platform's own `PlatformSeries`. Shared with invoicing: the number's rendering and GST check, the
    tax math of `apps.gst`, the retention day, the PDF renderer and the `invoices` storage with its lock.

    Issued when a payment is confirmed, frozen from then on (the ORM refuses changes and deletes; on
    PostgreSQL a trigger too, migration 0006). A refund or a void is a credit note in the platform's
    credit-note series naming its invoice, never a deletion.
    """

    Kind = PlatformDocumentKind

    doc_type = models.CharField("document", max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    payment = models.ForeignKey(BillingPayment, on_delete=models.PROTECT, related_name="documents")
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        help_text="The invoice a credit note reverses.",
    )  # fmt: skip
    reason = models.CharField(max_length=300, blank=True, help_text="Why a credit note reverses its invoice.")
    series = models.ForeignKey(PlatformSeries, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=16)
    issued_on = models.DateField()
    seller_name = models.CharField(max_length=120)
    seller_gstin = models.CharField("seller GSTIN", max_length=15)
    seller_state_code = models.CharField(max_length=2)
    seller_address = models.TextField()
    buyer_name = models.CharField(max_length=120)
    buyer_gstin = models.CharField("buyer GSTIN", max_length=15, blank=True)
    buyer_state_code = models.CharField(max_length=2)
    buyer_address = models.TextField(blank=True)
    place_of_supply = models.CharField(max_length=2, choices=STATE_CHOICES)
    description = models.CharField(max_length=200)
    sac = models.CharField("SAC", max_length=8)
    gst_rate = models.DecimalField("GST rate (%)", max_digits=5, decimal_places=2)
    taxable_value = models.DecimalField(**RUPEES)
    cgst = models.DecimalField("CGST", **RUPEES, default=Decimal("0.00"))
    sgst = models.DecimalField("SGST", **RUPEES, default=Decimal("0.00"))
    igst = models.DecimalField("IGST", **RUPEES, default=Decimal("0.00"))
    total = models.DecimalField(**RUPEES)
    amount_in_words = models.CharField(max_length=250)
    retain_until = models.DateField(help_text="Kept at least until this day (CGST s.36).")
    pdf = models.FileField(storage=invoices_storage, max_length=200, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PlatformInvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="platform_invoice_number_unique"),
            # One invoice per payment, and at most one credit note reversing it.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(doc_type="invoice"), name="platform_invoice_one_per_payment"
            ),
            models.UniqueConstraint(
                fields=["original"],
                condition=Q(original__isnull=False),
                name="platform_credit_note_one_per_invoice",
            ),
            models.CheckConstraint(
                condition=Q(doc_type="invoice", original__isnull=True, reason="")
                | Q(doc_type="credit_note", original__isnull=False, reason__gt=""),
                name="platform_credit_note_names_invoice",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-issued_on", "-id"], name="platform_invoice_tenant_day")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        # Once issued only the PDF is recorded, once (`platform_invoice_pdf_store`).
        fields = kwargs.get("update_fields")
        pdf_only = fields is not None and set(fields) <= {"pdf", "pdf_sha256", "updated_at"}
        if self.pk is not None and not kwargs.get("force_insert") and not pdf_only:
            raise BillingRecordImmutable(f"{self.number} is issued: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise BillingRecordImmutable(
            f"{self.number} is kept until {self.retain_until}: it cannot be deleted."
        )

    @property
    def is_credit_note(self) -> bool:
        return self.doc_type == self.Kind.CREDIT_NOTE

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


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
