"""A tenant's provisioning quotas: how many live projects, and how many dollars a month of estimates.

Limits are the settings' defaults (PROVISIONING_MAX_PROJECTS, PROVISIONING_MAX_PROJECT_USD_MONTH,
PROVISIONING_MAX_TENANT_USD_MONTH) unless a super admin has overridden them for the tenant in a
TenantQuota row. A project counts until it is destroyed, at its estimate (the monthly upper bound at
its tier's caps).

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

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum

from apps.core.money import usd
from apps.provisioning.models import Project, TenantQuota
from apps.tenants.models import Tenant


@dataclass(frozen=True)
class Limits:
    """The limits that apply to one tenant: its overrides where a super admin set them, else the defaults."""

    max_projects: int
    max_project_usd_month: Decimal
    max_tenant_usd_month: Decimal


@dataclass(frozen=True)
class QuotaUsage:
    """What a tenant uses against its limits: live projects and the sum of their monthly estimates."""

    limits: Limits
    projects: int
    tenant_usd_month: Decimal


def quota_limits(*, tenant: Tenant) -> Limits:
    """The tenant's limits: each TenantQuota field that is set, else the platform default (one query)."""
    override = TenantQuota.objects.filter(tenant=tenant).first()

    def pick(field: str, default):
        value = getattr(override, field) if override is not None else None
        return default if value is None else value

    return Limits(
        max_projects=pick("max_projects", settings.PROVISIONING_MAX_PROJECTS),
        max_project_usd_month=Decimal(
            pick("max_project_usd_month", settings.PROVISIONING_MAX_PROJECT_USD_MONTH)
        ),
        max_tenant_usd_month=Decimal(
            pick("max_tenant_usd_month", settings.PROVISIONING_MAX_TENANT_USD_MONTH)
        ),
    )


def quota_usage(*, tenant: Tenant) -> QuotaUsage:
    """The tenant's limits and its live (not destroyed) projects' count and estimates (two queries)."""
    live = (
        Project.objects.for_tenant(tenant)
        .exclude(infra_state=Project.InfraState.DESTROYED)
        .aggregate(projects=Count("id"), usd=Sum("estimate_usd_month"))
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


def quota_check(*, tenant: Tenant, add_usd_month: Decimal, new_project: bool) -> None:
    """Raise ValidationError, with the reason in a shop owner's words, if adding would break a limit.

    `add_usd_month` is the estimate to be added to the workspace's total: a new project's estimate,
    which must also be within the per-project limit. `new_project` counts one more project. Call it
    after `quota_lock`, in the same transaction as the write (see the module's docstring); limits
    are inclusive, so a project may use exactly what is left.
    """
    usage = quota_usage(tenant=tenant)
    limits = usage.limits
    if new_project and usage.projects >= limits.max_projects:
        if limits.max_projects == 0:
            message = "This workspace may not have projects. Ask Tijori to allow them."
        elif usage.projects == limits.max_projects:
            message = (
                f"This workspace already has {_projects(usage.projects)}, the most it may have. "
                "Destroy one first, or ask Tijori to raise the limit."
            )
        else:
            message = (
                f"This workspace already has {_projects(usage.projects)}, more than its limit of "
                f"{limits.max_projects}. Destroy some first, or ask Tijori to raise the limit."
            )
        raise ValidationError(message, code="quota_projects")
    add_usd_month = Decimal(add_usd_month)
    if add_usd_month > limits.max_project_usd_month:
        raise ValidationError(
            f"The project's estimate of {_money(add_usd_month)} a month is over the limit of "
            f"{_money(limits.max_project_usd_month)} a project.",
            code="quota_project_usd",
        )
    total = usage.tenant_usd_month + add_usd_month
    if add_usd_month > 0 and total > limits.max_tenant_usd_month:
        raise ValidationError(
            f"This project would bring the workspace to {_money(total)} a month, over its limit of "
            f"{_money(limits.max_tenant_usd_month)}.",
            code="quota_tenant_usd",
        )


def _money(value: Decimal) -> str:
    return f"${usd(value):,}"


def _projects(count: int) -> str:
    return "1 project" if count == 1 else f"{count} projects"
