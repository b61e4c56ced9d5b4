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
