"""Reads of projects, operations, resources and the workspace's AWS account, always for one tenant.

The pages and the API read estimates and IAM policies through here too, so that the edges never
talk to `pricing`, the blueprint or `aws` themselves.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.rls import tenant_scope
from apps.core.validators import control_character
from apps.provisioning import aws, pricing
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount
from apps.provisioning.services import blueprint
from apps.provisioning.services.blueprint.app import SiteFile, site_file, site_has
from apps.tenants.models import Membership, Tenant

if TYPE_CHECKING:
    from apps.accounts.models import User

# A project's page warns this long before the sweeper destroys its stack, time enough to extend it.
EXPIRY_WARNING_MINUTES = 10
# Operations listed on a project's page; older ones are in the admin.
PAGE_OPERATIONS = 10
# A preview link lasts this long; the Application tab's Preview link makes a new one each time.
PREVIEW_SECONDS = 60 * 60
PREVIEW_SALT = "provisioning.site-preview"


def project_list(*, tenant: Tenant) -> QuerySet[Project]:
    """The workspace's projects, newest first; deleted ones are left to the admin and the audit trail."""
    return (
        Project.objects.for_tenant(tenant)
        .exclude(infra_state=Project.InfraState.DELETED)
        .order_by("-created_at", "-id")
    )


def project_get(*, tenant: Tenant, project_id: int) -> Project:
    return get_object_or_404(project_list(tenant=tenant).select_related("tenant"), pk=project_id)


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


# --- the deployed site, previewed through Tijori when AWS is emulated ------------------------------


def aws_emulated() -> bool:
    """Whether AWS is the local emulator, whose sites and APIs can't be reached from a browser."""
    return aws.emulated()


def site_preview_shown(*, project: Project) -> bool:
    """Whether the project's pages link its site through Tijori's preview instead of its address.

    The emulator serves a bucket's files only to signed requests, never as a website, so in emulated
    mode the address on the page would answer 403.
    """
    return aws_emulated() and project.app_state == Project.AppState.DEPLOYED and bool(project.site_url)


def site_preview_token(*, project: Project, user: User) -> str:
    """A link's key to the project's site for `user`, who the caller has checked is a member."""
    return signing.dumps({"p": project.pk, "t": project.tenant_id, "u": user.pk}, salt=PREVIEW_SALT)


def site_preview_project(*, token: str, project_id: int) -> tuple[Project, int]:
    """The project a preview link was made for and the member's id, if the link is genuine, unexpired
    and for this project, and the member still belongs to the workspace; else BadSignature (a 404)."""
    data = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_SECONDS)
    if data.get("p") != project_id:
        raise signing.BadSignature("a link made for another project")
    project = None
    with tenant_scope(data["t"]):  # the signed link names its workspace: look there only
        tenant = Tenant.objects.filter(pk=data["t"], is_active=True).first()
        member = tenant and Membership.objects.for_tenant(tenant).filter(
            user_id=data["u"], user__is_active=True
        )
        if member and member.exists():
            project = project_list(tenant=tenant).select_related("tenant").filter(pk=project_id).first()
    if project is None or not site_preview_shown(project=project):
        raise signing.BadSignature("the member left, or the site is no longer deployed")
    return project, data["u"]


def site_preview_key(path: str) -> str | None:
    """The bucket key a preview path names (index.html for the root and a folder), or None for a path
    that is not a plain key: `.` or `..` or empty segments, backslashes, control characters. The
    emulator is addressed by path (`/<bucket>/<key>`), so a key must never step out of its bucket."""
    key = path + "index.html" if path == "" or path.endswith("/") else path
    if "\\" in key or control_character(key) is not None:
        return None
    if any(part in ("", ".", "..") for part in key.split("/")):
        return None
    return key


def site_preview_file(*, project: Project, key: str, user_id: int) -> SiteFile | None:
    """The site's file at `key`, read from the project's bucket as the member (None if missing).

    Raises AwsError, with its plain words, when the emulator can't be read.
    """
    with aws.translated():
        return site_file(project, key, user_id=user_id)


def site_preview_is_folder(*, project: Project, key: str, user_id: int) -> bool:
    """Whether `key` names a folder of the site: one with an index.html of its own (AwsError if unread)."""
    with aws.translated():
        return site_has(project, f"{key}/index.html", user_id=user_id)


def resource_list(*, tenant: Tenant, project: Project) -> QuerySet[Resource]:
    """The resources of the stack's present life (or last life, once destroyed); the admin lists all."""
    return Resource.objects.for_tenant(tenant).present().filter(project=project).order_by("id")


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
        Project.objects.spending()
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
