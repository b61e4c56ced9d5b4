"""Tenants (a jewellery shop or a personal workspace), who belongs to them, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.files import tenant_upload_path
from apps.core.models import TenantOwned, TimeStampedModel
from apps.gst.states import STATE_CHOICES
from apps.gst.validators import gstin_validate

SKU_NUMBER_MAX = 999_999_999
SKU_DIGITS_MAX = 8
sku_prefix_validator = RegexValidator(
    r"^[A-Za-z0-9/_.-]*$",
    message="A SKU prefix is letters, digits and - / . _ only, without spaces, like LJ-.",
    code="sku_prefix",
)


def sku_format(*, prefix: str, digits: int, number: int) -> str:
    """A shop's tag number as a SKU: "LJ-", 4 digits, 42 → LJ-0042."""
    return f"{prefix}{number:0{digits}d}"


def public_storage():
    """Shop logos live in the public bucket (or var/media/public), read at call time from STORAGES."""
    return storages["public"]


def logo_path(instance: Tenant, filename: str) -> str:
    return tenant_upload_path(folder="logos", tenant_id=instance.pk, filename=filename)


def certificates_storage():
    """GST registration certificates live in the private `certificates` storage, read at call time."""
    return storages["certificates"]


def gstin_certificate_path(instance: Tenant, filename: str) -> str:
    return tenant_upload_path(folder="gst_registration", tenant_id=instance.pk, filename=filename)


class ReturnFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly (QRMP)"


class Tenant(TimeStampedModel):
    """A customer of the platform. Never deleted: records under retention must stay readable."""

    class Kind(models.TextChoices):
        SHOP = "shop", "Jewellery shop"
        PERSONAL = "personal", "Personal workspace"

    class GstinStatus(models.TextChoices):
        NONE = "none", "No GSTIN"
        NOT_UPLOADED = "not_uploaded", "Certificate not uploaded"
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Not verified"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SHOP)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64, unique=True)
    state_code = models.CharField("state", max_length=2, choices=STATE_CHOICES, blank=True)
    # The field checks the GSTIN alone; that it matches `state_code` is checked by
    # `services.tenant_gst_fields_check`, which every writer (pages, API, admin) calls. Typing a GSTIN
    # claims nothing: unverified shops may share one; a verified GSTIN is unique among verified shops.
    gstin = models.CharField("GSTIN", max_length=15, blank=True, validators=[gstin_validate])
    gstin_certificate = models.FileField(
        "GST registration certificate",
        upload_to=gstin_certificate_path,
        storage=certificates_storage,
        max_length=300,
        blank=True,
    )
    gstin_certificate_name = models.CharField(
        max_length=200, blank=True, help_text="The uploader's file name."
    )
    gstin_certificate_uploaded_at = models.DateTimeField(null=True, blank=True)
    gstin_verified_at = models.DateTimeField("GSTIN verified at", null=True, blank=True)
    gstin_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="GSTIN verified by",
    )
    gstin_rejection_reason = models.CharField("why the GSTIN was not verified", max_length=300, blank=True)
    address = models.TextField(blank=True)
    logo = models.ImageField(upload_to=logo_path, storage=public_storage, blank=True)
    bis_registration_number = models.CharField("BIS registration number", max_length=40, blank=True)
    bis_registration_valid_until = models.DateField("BIS registration valid until", null=True, blank=True)
    # How an article added without a SKU is numbered: prefix, then the next number zero-padded to
    # `sku_digits` ("LJ-" 42 4 → LJ-0042), as jewellers number their tags.
    sku_prefix = models.CharField(
        "SKU prefix", max_length=12, blank=True, default="TJ-", validators=[sku_prefix_validator]
    )
    sku_next_number = models.PositiveIntegerField(
        "next SKU number", default=1, validators=[MinValueValidator(1), MaxValueValidator(SKU_NUMBER_MAX)]
    )
    sku_digits = models.PositiveSmallIntegerField(
        "SKU number digits", default=4, validators=[MinValueValidator(1), MaxValueValidator(SKU_DIGITS_MAX)]
    )
    # BIS exempts a jeweller whose annual turnover is up to the limit in `inventory.rules` from
    # mandatory hallmarking: a status of the shop, so it holds for every article at once.
    small_turnover_exempt = models.BooleanField(
        "turnover up to ₹40 lakh (exempt from mandatory hallmarking)", default=False
    )
    # GST returns: how often the shop files GSTR-1 (QRMP shops file quarterly), and e-invoicing, which
    # applies from a day the shop sets once its aggregate turnover passes ₹5 crore (Notification
    # 10/2023-CT); from ₹10 crore the IRP refuses documents older than 30 days (GSTN, 5 Nov 2024).
    gstr1_frequency = models.CharField(
        "GSTR-1 filed", max_length=12, choices=ReturnFrequency.choices, default=ReturnFrequency.MONTHLY
    )
    einvoice_from = models.DateField(
        "e-invoicing from",
        null=True,
        blank=True,
        help_text="The first day the shop must report B2B invoices and notes to the IRP (turnover above ₹5 crore).",
    )
    turnover_ten_crore = models.BooleanField(
        "aggregate turnover ₹10 crore or more",
        default=False,
        help_text="The IRP then refuses documents dated more than 30 days before they are reported.",
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gstin"],
                condition=models.Q(gstin_verified_at__isnull=False),
                name="tenant_gstin_unique_when_verified",
            ),
            models.CheckConstraint(
                condition=models.Q(gstin_verified_at__isnull=True) | ~models.Q(gstin=""),
                name="tenant_gstin_verified_is_set",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shop(self) -> bool:
        return self.kind == self.Kind.SHOP

    @property
    def sku_next(self) -> str:
        """The SKU the next article added without one gets, unless that one is already typed."""
        return sku_format(prefix=self.sku_prefix, digits=self.sku_digits, number=self.sku_next_number)

    @property
    def gstin_status(self) -> Tenant.GstinStatus:
        """Where the GSTIN's verification stands; `selectors.GSTIN_STATUS_FILTERS` says the same in SQL."""
        if not self.gstin:
            return self.GstinStatus.NONE
        if self.gstin_verified_at:
            return self.GstinStatus.VERIFIED
        if self.gstin_rejection_reason:
            return self.GstinStatus.REJECTED
        if self.gstin_certificate:
            return self.GstinStatus.AWAITING_REVIEW
        return self.GstinStatus.NOT_UPLOADED

    @property
    def gstin_is_verified(self) -> bool:
        return bool(self.gstin and self.gstin_verified_at)


class Role(models.TextChoices):
    """Ordered from least to most rights; `rank` compares them."""

    STAFF = "staff", "Staff"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"

    @classmethod
    def rank(cls, role: str) -> int:
        return [cls.STAFF, cls.ADMIN, cls.OWNER].index(role)


class Membership(TenantOwned):
    """A user's place in a tenant, with the role that decides what they may do there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)

    class Meta:
        ordering = ["tenant_id", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return Role.rank(self.role) >= Role.rank(minimum)


class Invitation(TenantOwned):
    """An invitation by e-mail to join a tenant; the link in the e-mail is signed and expires."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "email"], name="invitation_tenant_email")]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.tenant_id}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING


class ApiKey(TenantOwned):
    """A secret that lets an integration act as its tenant with a role. Only a hash is stored.

    The key reads `tj_<prefix>_<secret>`: the prefix finds the row (and is shown in lists), the
    whole key is compared by its SHA-256. Keys are high-entropy random strings, so a fast hash is
    safe here, unlike passwords.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="apikey_tenant_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE
