"""A tenant's provisioning quotas: how many live projects, and how many dollars a month of estimates.

Limits are the settings' defaults (PROVISIONING_MAX_PROJECTS, PROVISIONING_MAX_PROJECT_USD_MONTH,
PROVISIONING_MAX_TENANT_USD_MONTH) unless a super admin has overridden them for the tenant in a
TenantQuota row. A project counts towards the project limit until it is destroyed or deleted, and
its estimate (the monthly upper bound at its tier's caps) towards the spend limit only while it holds
resources in AWS or is about to (`Project.objects.spending()`): a draft is checked against the
per-project limit when it is created, and against the workspace's spend when it is provisioned.

A refusal raises `QuotaExceeded` (an `ApplicationError` with a `quota_*` code): a limit of the
workspace's plan, not bad input, so the API answers 409 and integrations can tell the two apart.
Super admins change a tenant's overrides only through `tenant_quota_set` and `tenant_quota_reset`,
which audit the change.

Checking is race-free only under a lock. The caller opens a transaction, calls `quota_lock`, which
locks the tenant's row with SELECT ... FOR UPDATE, and then `quota_check` and the write that adds the
project, all before committing:

    with transaction.atomic():
        quota_lock(tenant=tenant)
        quota_check(tenant=tenant, add_usd_month=estimate.total, new_project=True)
        Project.objects.create(...)

A second creation in the same tenant waits in `quota_lock` until the first commits, then counts the
first's project. Locking the tenant row, rather than the project rows, also covers a tenant with no
project yet, where there would be no row to lock.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from apps.audit.services import audit_record
from apps.core.money import usd
from apps.provisioning.exceptions import QuotaExceeded
from apps.provisioning.models import Project, TenantQuota, spending_q
from apps.tenants.models import Tenant

if TYPE_CHECKING:
    from apps.accounts.models import User


@dataclass(frozen=True)
class Limits:
    """The limits that apply to one tenant: its overrides where a super admin set them, else the defaults."""

    max_projects: int
    max_project_usd_month: Decimal
    max_tenant_usd_month: Decimal


LIMIT_FIELDS = tuple(field.name for field in fields(Limits))


@dataclass(frozen=True)
class QuotaUsage:
    """What a tenant uses against its limits: live projects and the sum of their monthly estimates."""

    limits: Limits
    projects: int
    tenant_usd_month: Decimal


def quota_defaults() -> Limits:
    """The platform's limits, read from settings on each call."""
    return Limits(
        max_projects=settings.PROVISIONING_MAX_PROJECTS,
        max_project_usd_month=Decimal(settings.PROVISIONING_MAX_PROJECT_USD_MONTH),
        max_tenant_usd_month=Decimal(settings.PROVISIONING_MAX_TENANT_USD_MONTH),
    )


def quota_limits_of(override: TenantQuota | None) -> Limits:
    """Each field `override` sets, else the platform default: blank means the default, 0 is a limit."""
    defaults = quota_defaults()
    if override is None:
        return defaults
    values = {}
    for name in LIMIT_FIELDS:
        value = getattr(override, name)
        values[name] = getattr(defaults, name) if value is None else value
    return Limits(**values)


def quota_limits(*, tenant: Tenant) -> Limits:
    """The tenant's limits: each TenantQuota field that is set, else the platform default (one query)."""
    return quota_limits_of(TenantQuota.objects.for_tenant(tenant).first())


def quota_usage(*, tenant: Tenant) -> QuotaUsage:
    """The tenant's limits, its live projects' count and its spending projects' estimates (two queries)."""
    live = (
        Project.objects.for_tenant(tenant)
        .live()
        .aggregate(projects=Count("id"), usd=Sum("estimate_usd_month", filter=spending_q()))
    )
    return QuotaUsage(
        limits=quota_limits(tenant=tenant),
        projects=live["projects"],
        tenant_usd_month=usd(live["usd"] or Decimal(0)),
    )


def quota_lock(*, tenant: Tenant) -> None:
    """Lock the tenant's row until the caller's transaction ends: one tenant's quota checks queue up.

    Must run inside `transaction.atomic()` (Django refuses SELECT ... FOR UPDATE outside one), before
    `quota_check` and before the write that adds the project.
    """
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True))


def quota_check(
    *, tenant: Tenant, add_usd_month: Decimal, new_project: bool, project_usd_month: Decimal | None = None
) -> None:
    """Raise QuotaExceeded, with the reason in a shop owner's words, if adding would break a limit.

    `add_usd_month` is the estimate to be added to the workspace's spend (a project about to be
    provisioned), which must also be within the per-project limit, as must `project_usd_month` (a
    new draft's estimate, which adds nothing until it is provisioned). `new_project` counts one more
    project. Call it after `quota_lock`, in the same transaction as the write (see the module's
    docstring); limits are inclusive, so a project may use exactly what is left.
    """
    usage = quota_usage(tenant=tenant)
    limits = usage.limits
    if new_project and usage.projects >= limits.max_projects:
        if limits.max_projects == 0:
            message = "This workspace may not have projects. Ask Tijori to allow them."
        elif usage.projects == limits.max_projects:
            message = (
                f"This workspace already has {_projects(usage.projects)}, the most it may have. "
                "Delete or destroy one first, or ask Tijori to raise the limit."
            )
        else:
            message = (
                f"This workspace already has {_projects(usage.projects)}, more than its limit of "
                f"{limits.max_projects}. Delete or destroy some first, or ask Tijori to raise the limit."
            )
        raise QuotaExceeded(message, code="quota_projects")
    add_usd_month = Decimal(add_usd_month)
    project_usd_month = max(add_usd_month, Decimal(project_usd_month or 0))
    if project_usd_month > limits.max_project_usd_month:
        raise QuotaExceeded(
            f"The project's estimate of {_money(project_usd_month)} a month is over the limit of "
            f"{_money(limits.max_project_usd_month)} a project.",
            code="quota_project_usd",
        )
    total = usage.tenant_usd_month + add_usd_month
    if add_usd_month > 0 and total > limits.max_tenant_usd_month:
        raise QuotaExceeded(
            f"This project would bring the workspace to {_money(total)} a month, over its limit of "
            f"{_money(limits.max_tenant_usd_month)}.",
            code="quota_tenant_usd",
        )


# --- a super admin's overrides ------------------------------------------------------------------


def tenant_quota_validate(
    *, max_projects: int | None, max_project_usd_month: Decimal | None, max_tenant_usd_month: Decimal | None
) -> None:
    """Raise ValidationError, by field, for a limit that can't be one (a negative amount)."""
    errors = {
        name: ["A limit can't be negative."]
        for name, value in [
            ("max_projects", max_projects),
            ("max_project_usd_month", max_project_usd_month),
            ("max_tenant_usd_month", max_tenant_usd_month),
        ]
        if value is not None and value < 0
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tenant_quota_set(
    *,
    tenant: Tenant,
    actor: User | None,
    max_projects: int | None,
    max_project_usd_month: Decimal | None,
    max_tenant_usd_month: Decimal | None,
    note: str = "",
) -> TenantQuota:
    """Override the tenant's limits (None keeps a field at the platform default) and audit it.

    A lowered limit refuses new projects only: live ones stay until they are destroyed or expire.
    """
    limits = {
        "max_projects": max_projects,
        "max_project_usd_month": max_project_usd_month,
        "max_tenant_usd_month": max_tenant_usd_month,
    }
    tenant_quota_validate(**limits)
    quota_lock(tenant=tenant)  # a quota check running now counts against the old limits or the new
    quota = TenantQuota.objects.for_tenant(tenant).first() or TenantQuota(tenant=tenant)
    for name, value in limits.items():
        setattr(quota, name, value)
    quota.note = note
    quota.full_clean()
    quota.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        action="tenant_quota.set",
        target=quota,
        summary=(
            f"Provisioning quota set by a super admin: {quota_limit_label(quota, 'max_projects')} projects, "
            f"${quota_limit_label(quota, 'max_project_usd_month')} a project, "
            f"${quota_limit_label(quota, 'max_tenant_usd_month')} the workspace"
        ),
    )
    return quota


@transaction.atomic
def tenant_quota_reset(*, tenant: Tenant, actor: User | None) -> None:
    """Remove the tenant's overrides, so the platform defaults apply again, and audit it."""
    quota_lock(tenant=tenant)
    quota = TenantQuota.objects.for_tenant(tenant).first()
    if quota is None:
        return
    audit_record(
        tenant=tenant,
        actor=actor,
        action="tenant_quota.reset",
        target=quota,
        summary="Provisioning quota override removed by a super admin: platform defaults apply",
    )
    quota.delete()


def quota_limit_label(override: TenantQuota | None, field: str) -> str:
    """One limit as a super admin reads it: the override's value, or the default marked "(default)"."""
    value = getattr(quota_limits_of(override), field)
    return f"{value} (default)" if override is None or getattr(override, field) is None else str(value)


def _money(value: Decimal) -> str:
    return f"${usd(value):,}"


def _projects(count: int) -> str:
    return "1 project" if count == 1 else f"{count} projects"
