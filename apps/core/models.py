"""Base models every domain app builds on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


class TimeStampedModel(models.Model):
    """Adds creation and last-change times (stored in UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet):
    """Queries that start from one tenant, so another tenant's rows never appear."""

    def for_tenant(self, tenant: Tenant) -> TenantQuerySet:
        if tenant is None:
            raise ValueError("for_tenant() needs a tenant; got None")
        return self.filter(tenant=tenant)


TenantManager = models.Manager.from_queryset(TenantQuerySet)


class TenantOwned(TimeStampedModel):
    """A row that belongs to exactly one tenant. Tenants are never deleted, hence PROTECT."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


class IdempotencyKey(TenantOwned):
    """A claimed `Idempotency-Key` of one caller and the response first given for it (kept 24 hours).

    Keys belong to the caller that sent them (an API key, or a person signed in with a session), not
    to the tenant: another caller reusing the same key does its own work and never sees this answer.
    The row is inserted in the same transaction as the work it guards, so a request that fails
    (rolls back) leaves no claim behind, and two requests racing with one key cannot both do the work:
    the unique index makes the second wait for, then see, the first.
    """

    caller = models.CharField(max_length=40, help_text="Who sent the key: api_key:<id> or user:<id>.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of method, path and body (parsed fields and file digests)."
    )
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    secret_withheld = models.BooleanField(
        default=False,
        help_text="The first answer carried a secret, which is never stored; a repeat is told so.",
    )
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "caller", "key"], name="idempotency_key_unique_per_caller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.response_status})"
