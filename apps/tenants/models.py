"""Tenants (a jewellery shop or a personal workspace), who belongs to them, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.files import tenant_upload_path
from apps.core.models import TenantOwned, TimeStampedModel
from apps.gst.states import STATE_CHOICES
from apps.gst.validators import gstin_validate


def public_storage():
    """Shop logos live in the public bucket (or var/media/public), read at call time from STORAGES."""
    return storages["public"]


def logo_path(instance: Tenant, filename: str) -> str:
    return tenant_upload_path(folder="logos", tenant_id=instance.pk, filename=filename)


class Tenant(TimeStampedModel):
    """A customer of the platform. Never deleted: records under retention must stay readable."""

    class Kind(models.TextChoices):
        SHOP = "shop", "Jewellery shop"
        PERSONAL = "personal", "Personal workspace"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SHOP)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64, unique=True)
    state_code = models.CharField("state", max_length=2, choices=STATE_CHOICES, blank=True)
    # The field checks the GSTIN alone; that it matches `state_code` and no other tenant holds it are
    # checked by `services.tenant_gst_fields_check`, which every writer (pages, API, admin) calls.
    gstin = models.CharField("GSTIN", max_length=15, blank=True, validators=[gstin_validate])
    address = models.TextField(blank=True)
    logo = models.ImageField(upload_to=logo_path, storage=public_storage, blank=True)
    bis_registration_number = models.CharField("BIS registration number", max_length=40, blank=True)
    bis_registration_valid_until = models.DateField("BIS registration valid until", null=True, blank=True)
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gstin"], condition=~models.Q(gstin=""), name="tenant_gstin_unique_when_set"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shop(self) -> bool:
        return self.kind == self.Kind.SHOP


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
