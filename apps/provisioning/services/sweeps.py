"""Work nobody clicks for: stacks past their expiry, and operations whose worker vanished.

Both run from beat every minute, select from the database (never from ETA tasks, which would sit
unacknowledged in the broker), and only queue work; the workers do the AWS calls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.rls import task_send
from apps.provisioning import aws, tasks
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project, TenantAwsAccount
from apps.provisioning.services import blueprint
from apps.provisioning.services.projects import operation_request
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

# A queued operation this old was probably lost with its message (a broker restart): send it again.
QUEUED_GRACE = timedelta(minutes=2)
BATCH = 200


def projects_expire_due(*, now=None) -> int:
    """Queue the destruction (application purge included) of every deployed stack past its expiry."""
    now = now or timezone.now()
    queued = 0
    while True:
        with transaction.atomic():
            due = list(
                Project.objects.select_for_update(skip_locked=True)
                .filter(infra_state=Project.InfraState.DEPLOYED, expires_at__lte=now)
                .exclude(operations__state__in=Operation.ACTIVE)
                .order_by("expires_at")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not due:
                return queued
            for project in Project.objects.filter(pk__in=due).select_related("tenant"):
                try:
                    operation_request(
                        tenant=project.tenant, actor=None, project=project,
                        action=Operation.Action.DESTROY, trigger=Operation.Trigger.TTL,
                    )  # fmt: skip
                    queued += 1
                except TransitionRefused as exc:  # something else is running: next minute
                    logger.info("expiry of project %s waits: %s", project.pk, exc)
        if len(due) < BATCH:
            return queued


def operations_reap(*, now=None) -> int:
    """Send again the operations whose worker vanished (lease run out) or whose message was lost.

    Checks of a workspace's AWS role still waiting after the same grace are sent again too.
    """
    now = now or timezone.now()
    stale = list(
        Operation.objects.filter(state=Operation.State.RUNNING, lease_expires_at__lt=now).values_list(
            "pk", "tenant_id"
        )
    ) + list(
        Operation.objects.filter(state=Operation.State.QUEUED, created_at__lt=now - QUEUED_GRACE).values_list(
            "pk", "tenant_id"
        )
    )
    for operation_id, tenant_id in stale:
        task_send(tasks.operation_run_task, str(operation_id), tenant_id=tenant_id)
    checks = list(
        TenantAwsAccount.objects.filter(
            status=TenantAwsAccount.Status.CHECKING, updated_at__lt=now - QUEUED_GRACE
        ).values_list("pk", "role_arn", "tenant_id")
    )
    for account_pk, role_arn, tenant_id in checks:
        task_send(tasks.aws_account_check_task, account_pk, role_arn, tenant_id=tenant_id)
    return len(stale) + len(checks)


# --- orphans -------------------------------------------------------------------------------------

# A resource past its ExpiresAt is left this long to the expiry job before the sweeper takes it.
EXPIRY_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class Orphan:
    kind: str
    name: str
    region: str
    project_id: str
    reason: str
    account: str = "platform"  # "platform", or the workspace whose own account holds it


@dataclass(frozen=True)
class Account:
    """One AWS account to sweep: how to reach it, and whose resources in it Tijori may take."""

    label: str
    client: blueprint.ClientFor
    tenant_id: int | None = None  # a workspace's own account: only its resources are touched


def _accounts() -> list[Account]:
    """The platform's account, and each workspace account that is connected or still holds a stack."""
    accounts = [Account("platform", lambda service, region: aws.platform_client(service, region=region))]
    roles: dict[aws.AssumableRole, int] = {}
    for tenant_id, role_arn, external_id in (
        TenantAwsAccount.objects.filter(status=TenantAwsAccount.Status.VERIFIED)
        .exclude(role_arn="")
        .values_list("tenant_id", "role_arn", "external_id")
    ):
        roles[aws.AssumableRole(role_arn, external_id)] = tenant_id
    for tenant_id, role_arn, external_id in (
        Project.objects.holding_resources()
        .exclude(aws_role_arn="")
        .values_list("tenant_id", "aws_role_arn", "aws_external_id")
        .distinct()
    ):
        roles.setdefault(aws.AssumableRole(role_arn, external_id), tenant_id)
    tenants = Tenant.objects.in_bulk(set(roles.values()))
    for role, tenant_id in roles.items():
        tenant = tenants[tenant_id]
        accounts.append(Account(
            f"{tenant.name} (AWS account {aws.role_account(role.arn) or '?'})",
            lambda service, region, tenant=tenant, role=role: aws.aws_client(
                service, tenant=tenant, region=region, role=role
            ),
            tenant_id=tenant_id,
        ))  # fmt: skip
    return accounts


def _orphan_reason(tags: dict[str, str], live: dict[str, Project], now, account: Account) -> str | None:
    if tags.get("ManagedBy") != aws.PLATFORM_TAG or tags.get("Environment") != settings.TIJORI_ENVIRONMENT:
        return None  # not ours to touch
    if account.tenant_id is not None and tags.get("TenantId") != str(account.tenant_id):
        return None  # in a workspace's own account, only that workspace's resources
    project = live.get(tags.get("ProjectId", ""))
    if project is None:
        return "no live project owns it"
    try:
        expires = datetime.fromisoformat(tags.get("ExpiresAt", "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if project.infra_state == Project.InfraState.DEPLOYED and expires + EXPIRY_GRACE < now:
        if project.expires_at and project.expires_at > now:
            return None  # extended since it was tagged: the project's own expiry rules
        return f"expired at {expires:%Y-%m-%d %H:%M} UTC and was not destroyed"
    return None


def _found_in(account: Account) -> list[tuple[str, blueprint.Found]]:
    """What every kind of the blueprint lists as ours in the account: once for a global service (IAM),
    else in each region Tijori offers."""
    regions = settings.AWS_ALLOWED_REGIONS
    return [
        (region, found)
        for spec in reversed(blueprint.RESOURCES)  # the order a destroy takes
        for region in (regions if spec.regional else regions[:1])
        for found in spec.list_tagged(account.client, region)
    ]


def orphans_sweep(*, now=None, delete: bool = True) -> list[Orphan]:
    """Find (and delete) resources tagged as ours that no live project accounts for, in every region.

    The platform's account is swept, and so is each workspace's own account that is connected or
    still holds a stack (there, only resources tagged with that workspace are considered). Resources
    of a project still being provisioned or destroyed belong to it and are left alone. An account
    that can't be reached is skipped, logged and named in the report. Super admins get a report of
    what was found.
    """
    now = now or timezone.now()
    live = {str(p.pk): p for p in Project.objects.holding_resources()}
    orphans, unreachable = [], []
    for account in _accounts():
        try:
            found = _found_in(account)
        except (BotoCoreError, ClientError) as exc:
            if account.tenant_id is None:
                raise  # the platform's own account must be reachable: let the task fail loudly
            logger.warning("orphan sweep could not list %s: %r", account.label, exc)
            unreachable.append(f"- {account.label}: {aws.plain_error(exc)}")
            continue
        for region, resource in found:
            reason = _orphan_reason(resource.tags, live, now, account)
            if reason is None:
                continue
            if delete:
                try:
                    with aws.ignore_not_found():
                        resource.delete()
                except (BotoCoreError, ClientError) as exc:
                    logger.warning("orphan %s %s not deleted: %r", resource.kind, resource.name, exc)
                    reason = f"{reason}; deleting failed: {aws.plain_error(exc)}"
            orphans.append(Orphan(
                resource.kind, resource.name, region, resource.tags.get("ProjectId", ""), reason, account.label
            ))  # fmt: skip
    if orphans or unreachable:
        _report(orphans, unreachable)
    return orphans


def _report(orphans: list[Orphan], unreachable: list[str]) -> None:
    """An audit event (platform-wide) for each kind of finding, and one e-mail to super admins."""
    parts, lines = [], []
    if orphans:
        summary = f"The orphan sweep found {len(orphans)} AWS resource(s) no live project accounts for"
        audit_record(tenant=None, actor=None, action="provisioning.orphans", summary=summary)
        parts.append(f"{len(orphans)} orphaned AWS resource(s)")
        lines += [f"{summary}:", ""] + [
            f"- {o.kind} {o.name} ({o.region}, {o.account}), project {o.project_id or '?'}: {o.reason}"
            for o in orphans
        ]
    if unreachable:
        summary = f"The orphan sweep could not reach {len(unreachable)} workspace AWS account(s)"
        audit_record(tenant=None, actor=None, action="provisioning.accounts_unreachable", summary=summary)
        parts.append(f"{len(unreachable)} unreachable AWS account(s)")
        lines += ([""] if lines else []) + [f"{summary}:", ""] + unreachable
    admins = list(
        User.objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if admins:
        send_mail(f"Tijori: {' and '.join(parts)}", "\n".join(lines), None, admins, fail_silently=True)
