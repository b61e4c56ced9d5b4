"""Plans, each workspace's AMC contract, and the contract's history."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TenantOwned, TenantQuerySet, TimeStampedModel
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
