"""Work nobody clicks for: stacks past their expiry, and operations whose worker vanished.

Both run from beat every minute, select from the database (never from ETA tasks, which would sit
unacknowledged in the broker), and only queue work; the workers do the AWS calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.provisioning import aws, tasks
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project, Resource
from apps.provisioning.services import blueprint
from apps.provisioning.services.projects import operation_request

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
    """Send again the operations whose worker vanished (lease run out) or whose message was lost."""
    now = now or timezone.now()
    stale = list(
        Operation.objects.filter(state=Operation.State.RUNNING, lease_expires_at__lt=now).values_list(
            "pk", flat=True
        )
    ) + list(
        Operation.objects.filter(state=Operation.State.QUEUED, created_at__lt=now - QUEUED_GRACE).values_list(
            "pk", flat=True
        )
    )
    for operation_id in stale:
        tasks.operation_run_task.delay(str(operation_id))
    return len(stale)


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


def _tagged(region: str) -> list[tuple[str, str, dict[str, str], Callable[[], None]]]:
    """(kind, name, tags, delete) of every resource in `region` named like ours, on the platform role."""
    prefix = f"tijori-{settings.TIJORI_ENVIRONMENT}-".lower()
    s3, lam = aws.platform_client("s3", region=region), aws.platform_client("lambda", region=region)
    dynamodb = aws.platform_client("dynamodb", region=region)
    api = aws.platform_client("apigatewayv2", region=region)
    found: list[tuple[str, str, dict[str, str], Callable[[], None]]] = []

    def tags_of(call: Callable[[], object], key: str = "TagSet") -> dict[str, str]:
        try:
            answer = call()
        except Exception as exc:
            if aws.is_not_found(exc):
                return {}
            raise
        if isinstance(answer, dict) and key in answer:
            return {t["Key"]: t["Value"] for t in answer[key]}
        return dict(answer.get("Tags", {})) if isinstance(answer, dict) else {}

    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        if name.startswith(prefix):
            region_of = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
            if region_of == region:
                tags = tags_of(lambda n=name: s3.get_bucket_tagging(Bucket=n))
                found.append(
                    (Resource.Kind.BUCKET, name, tags, lambda n=name: blueprint.remove_bucket(s3, n))
                )
    for function in lam.list_functions().get("Functions", []):
        name = function["FunctionName"]
        if name.startswith(prefix):
            tags = tags_of(lambda a=function["FunctionArn"]: lam.list_tags(Resource=a))
            found.append(
                (Resource.Kind.FUNCTION, name, tags, lambda n=name: lam.delete_function(FunctionName=n))
            )
    for name in dynamodb.list_tables().get("TableNames", []):
        if name.startswith(prefix):
            arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
            tags = tags_of(lambda a=arn: dynamodb.list_tags_of_resource(ResourceArn=a), key="Tags")
            found.append((Resource.Kind.TABLE, name, tags, lambda n=name: dynamodb.delete_table(TableName=n)))
    for item in api.get_apis().get("Items", []):  # API Gateway is missing from the tagging API in moto
        tags = item.get("Tags") or {}
        if tags.get("ManagedBy") == aws.PLATFORM_TAG:
            found.append(
                (Resource.Kind.HTTP_API, item["ApiId"], tags, lambda i=item["ApiId"]: api.delete_api(ApiId=i))
            )
    return found


def _roles() -> list[tuple[str, str, dict[str, str], Callable[[], None]]]:
    """IAM is global: the execution roles named like ours, with their tags."""
    prefix = f"tijori-{settings.TIJORI_ENVIRONMENT}-".lower()
    iam = aws.platform_client("iam", region=settings.AWS_ALLOWED_REGIONS[0])
    found = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            if name.startswith(prefix):
                tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])}
                found.append((Resource.Kind.ROLE, name, tags, lambda n=name: blueprint.remove_role(iam, n)))
    return found


def _orphan_reason(tags: dict[str, str], live: dict[str, Project], now) -> str | None:
    if tags.get("ManagedBy") != aws.PLATFORM_TAG or tags.get("Environment") != settings.TIJORI_ENVIRONMENT:
        return None  # not ours to touch
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


def orphans_sweep(*, now=None, delete: bool = True) -> list[Orphan]:
    """Find (and delete) resources tagged as ours that no live project accounts for, in every region.

    Resources of a project still being provisioned or destroyed belong to it and are left alone;
    those of workspaces that use their own AWS account are outside the platform role's reach.
    Super admins get a report of what was found.
    """
    now = now or timezone.now()
    live = {
        str(p.pk): p
        for p in Project.objects.exclude(
            infra_state__in=[Project.InfraState.DESTROYED, Project.InfraState.NEW]
        )
    }
    candidates = [(settings.AWS_ALLOWED_REGIONS[0], *entry) for entry in _roles()]
    for region in settings.AWS_ALLOWED_REGIONS:
        candidates += [(region, *entry) for entry in _tagged(region)]
    orphans = []
    for region, kind, name, tags, remove in candidates:
        reason = _orphan_reason(tags, live, now)
        if reason is None:
            continue
        orphan = Orphan(
            kind=kind, name=name, region=region, project_id=tags.get("ProjectId", ""), reason=reason
        )
        if delete:
            try:
                remove()
            except Exception as exc:
                if not aws.is_not_found(exc):
                    logger.warning("orphan %s %s not deleted: %r", kind, name, exc)
                    orphan = Orphan(
                        kind, name, region, orphan.project_id, f"{reason}; deleting failed: {exc}"
                    )
        orphans.append(orphan)
    if orphans:
        _report(orphans)
    return orphans


def _report(orphans: list[Orphan]) -> None:
    lines = [f"- {o.kind} {o.name} ({o.region}), project {o.project_id or '?'}: {o.reason}" for o in orphans]
    summary = f"The orphan sweep found {len(orphans)} AWS resource(s) no live project accounts for"
    audit_record(tenant=None, actor=None, action="provisioning.orphans", summary=summary)
    admins = list(
        User.objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if admins:
        send_mail(f"Tijori: {len(orphans)} orphaned AWS resource(s)", summary + ":\n\n" + "\n".join(lines),
                  None, admins, fail_silently=True)  # fmt: skip
