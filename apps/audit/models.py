"""The audit trail: who did what, in which tenant, when and from where. Append-only, kept 7 years."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.audit.actions import action_label
from apps.core.models import TenantQuerySet


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or remove an audit event through the ORM."""


class AuditEventQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        # The one change allowed: forgetting a deleted user (on_delete=SET_NULL). actor_label keeps
        # the e-mail address that acted, so the trail still says who it was.
        if kwargs and set(kwargs) <= {"actor", "actor_id"} and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise AuditEventImmutable("Audit events cannot be changed.")

    def delete(self):
        raise AuditEventImmutable("Audit events cannot be deleted; see audit_retention_purge.")

    def _raw_delete(self, using):
        raise AuditEventImmutable("Audit events cannot be deleted; see audit_retention_purge.")


class AuditEvent(models.Model):
    """One thing worth knowing that happened. Platform-level events have no tenant.

    Not a TenantOwned subclass: it must not have `updated_at`, and a platform event (a super
    admin's action) belongs to no tenant. Reads still go through `for_tenant()`.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Who acted, kept if the user goes.")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # With the id, so the newest events come straight off the index even when many share a
            # timestamp (an import writes thousands of events at one instant).
            models.Index(fields=["tenant", "-created_at", "-id"], name="audit_tenant_time_id"),
            models.Index(fields=["tenant", "action", "-created_at"], name="audit_tenant_action_time"),
            models.Index(fields=["tenant", "target_type", "target_id"], name="audit_tenant_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditEventImmutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events cannot be deleted; see audit_retention_purge.")

    @property
    def action_label(self) -> str:
        return action_label(self.action)
