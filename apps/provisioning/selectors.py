"""Reads of projects, operations and resources, always for one tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from apps.audit.models import AuditEvent
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def project_list(*, tenant: Tenant) -> QuerySet[Project]:
    return Project.objects.for_tenant(tenant).order_by("-created_at", "-id")


def project_get(*, tenant: Tenant, project_id: int) -> Project:
    return get_object_or_404(Project.objects.for_tenant(tenant).select_related("tenant"), pk=project_id)


def resource_list(*, project: Project) -> QuerySet[Resource]:
    return Resource.objects.filter(project=project).order_by("id")


def operation_list(*, project: Project) -> QuerySet[Operation]:
    return Operation.objects.filter(project=project).select_related("requested_by").order_by("-created_at")


def operation_latest(*, project: Project) -> Operation | None:
    return operation_list(project=project).first()


def operation_get(*, tenant: Tenant, operation_id) -> Operation:
    return get_object_or_404(Operation.objects.for_tenant(tenant).select_related("project"), pk=operation_id)


def aws_account_get(*, tenant: Tenant) -> TenantAwsAccount | None:
    return TenantAwsAccount.objects.filter(tenant_id=tenant.pk).first()


def stacks_in_account(*, tenant: Tenant, role_arn: str) -> int:
    """How many of the workspace's stacks (not new, not destroyed) sit in the account behind `role_arn`."""
    return (
        Project.objects.for_tenant(tenant)
        .filter(aws_role_arn=role_arn)
        .exclude(infra_state__in=[Project.InfraState.DESTROYED, Project.InfraState.NEW])
        .count()
    )


def _rate(ok: int, total: int) -> float | None:
    return round(100 * ok / total, 1) if total else None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def provisioning_stats() -> dict:
    """Platform-wide figures for super admins: success rates, time to deploy, stacks, spend, orphans."""
    finished = Operation.objects.filter(state__in=[Operation.State.SUCCEEDED, Operation.State.FAILED])
    counts = {
        (row["action"], row["state"]): row["n"]
        for row in finished.exclude(trigger=Operation.Trigger.ROLLBACK)
        .values("action", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }

    def rate(action: str) -> dict:
        ok = counts.get((action, Operation.State.SUCCEEDED), 0)
        total = ok + counts.get((action, Operation.State.FAILED), 0)
        return {"ok": ok, "total": total, "percent": _rate(ok, total)}

    durations = [
        (finished_at - created_at).total_seconds()
        for created_at, finished_at in finished.filter(
            action=Operation.Action.PROVISION, state=Operation.State.SUCCEEDED
        ).values_list("created_at", "finished_at")[:5000]
    ]
    spend = list(
        Project.objects.exclude(infra_state__in=[Project.InfraState.DESTROYED])
        .values("tenant__name")
        .annotate(usd=Sum("estimate_usd_month"), projects=Count("pk"))
        .order_by("-usd")[:25]
    )
    orphan_reports = AuditEvent.objects.filter(
        tenant__isnull=True, action__in=["provisioning.orphans", "provisioning.accounts_unreachable"]
    )
    return {
        "provision": rate(Operation.Action.PROVISION),
        "deploy": rate(Operation.Action.DEPLOY_APP),
        "cleanup": rate(Operation.Action.DESTROY),
        "deploy_p50": _percentile(durations, 0.5),
        "deploy_p95": _percentile(durations, 0.95),
        "deploy_samples": len(durations),
        "active_stacks": Project.objects.filter(infra_state=Project.InfraState.DEPLOYED).count(),
        "in_flight": Operation.objects.filter(state__in=Operation.ACTIVE).count(),
        "spend": spend,
        "orphan_sweeps": orphan_reports.filter(action="provisioning.orphans").count(),
        "unreachable_sweeps": orphan_reports.filter(action="provisioning.accounts_unreachable").count(),
        "orphan_latest": list(orphan_reports.order_by("-created_at")[:5]),
    }
