"""Reads of projects, operations, resources and the workspace's AWS account, always for one tenant.

The pages and the API read estimates and IAM policies through here too, so that the edges never
talk to `pricing`, the blueprint or `aws` themselves.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.provisioning import aws, pricing
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount
from apps.provisioning.services import blueprint

if TYPE_CHECKING:
    from apps.tenants.models import Tenant

# A project's page warns this long before the sweeper destroys its stack, time enough to extend it.
EXPIRY_WARNING_MINUTES = 10
# Operations listed on a project's page; older ones are in the admin.
PAGE_OPERATIONS = 10


def project_list(*, tenant: Tenant) -> QuerySet[Project]:
    return Project.objects.for_tenant(tenant).order_by("-created_at", "-id")


def project_get(*, tenant: Tenant, project_id: int) -> Project:
    return get_object_or_404(Project.objects.for_tenant(tenant).select_related("tenant"), pk=project_id)


def project_expires_within(*, project: Project, minutes: int, now: datetime | None = None) -> bool:
    """Whether the stack is due to be destroyed within `minutes` (never, if it has no expiry)."""
    if project.expires_at is None:
        return False
    return project.expires_at - (now or timezone.now()) < timedelta(minutes=minutes)


def project_estimate(*, project: Project) -> pricing.Estimate:
    """The project's monthly upper bound, line by line, at today's price table."""
    return blueprint.estimate(tier=project.tier, region=project.region)


def estimate_table() -> list[dict]:
    """Each tier's upper bound in each region Tijori offers, for the new-project form."""
    rows = []
    for tier, caps in pricing.TIERS.items():
        for region in settings.AWS_ALLOWED_REGIONS:
            rows.append({"tier": tier, "label": caps.label, "region": region,
                         "total": blueprint.estimate(tier=tier, region=region).total})  # fmt: skip
    return rows


def resource_list(*, tenant: Tenant, project: Project) -> QuerySet[Resource]:
    return Resource.objects.for_tenant(tenant).filter(project=project).order_by("id")


def operation_list(*, tenant: Tenant, project: Project | None = None) -> QuerySet[Operation]:
    """The tenant's operations, newest first; only one project's when `project` is given."""
    operations = Operation.objects.for_tenant(tenant)
    if project is not None:
        operations = operations.filter(project=project)
    return operations.select_related("requested_by").order_by("-created_at")


def operation_get(*, tenant: Tenant, operation_id) -> Operation:
    return get_object_or_404(Operation.objects.for_tenant(tenant).select_related("project"), pk=operation_id)


def project_activity(*, tenant: Tenant, project: Project) -> dict:
    """What a project's page shows of its work: the latest operations, the one in progress or last
    finished, whether work is running, and the latest failure to explain."""
    operations = list(operation_list(tenant=tenant, project=project)[:PAGE_OPERATIONS])
    operation = operations[0] if operations else None
    return {
        "operations": operations,
        "operation": operation,
        "active": operation is not None and operation.state in Operation.ACTIVE,
        "failed_operation": next((op for op in operations if op.state == Operation.State.FAILED), None),
    }


def aws_account_get(*, tenant: Tenant) -> TenantAwsAccount | None:
    return TenantAwsAccount.objects.for_tenant(tenant).first()


def aws_account_policies(*, account: TenantAwsAccount) -> dict[str, dict]:
    """The boundary, trust and permission policies the owner gives the role, filled in for `account`."""
    return aws.role_policies(
        external_id=account.external_id, role_arn=account.role_arn, account_id=account.account_id
    )


def execution_boundary_name() -> str:
    """The managed policy every execution role carries as its boundary, as the owner must name it."""
    return aws.execution_boundary_name()


def aws_account_setup(*, tenant: Tenant, account: TenantAwsAccount | None) -> dict:
    """What the AWS account page shows: the boundary's name and, once started, each policy as JSON and
    how many of the workspace's stacks sit in the account."""
    setup: dict = {"boundary_name": execution_boundary_name()}
    if account is not None:
        setup.update(
            {name: json.dumps(policy, indent=2) for name, policy in aws_account_policies(account=account).items()},
            stacks_there=stacks_in_account(tenant=tenant, role_arn=account.role_arn) if account.role_arn else 0,
        )  # fmt: skip
    return setup


def stacks_in_account(*, tenant: Tenant, role_arn: str) -> int:
    """How many of the workspace's stacks (not new, not destroyed) sit in the account behind `role_arn`."""
    return Project.objects.for_tenant(tenant).filter(aws_role_arn=role_arn).holding_resources().count()


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
        Project.objects.counting_against_quota()
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
