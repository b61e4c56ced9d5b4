"""Creating and deleting projects and requesting operations on them: every guard in the transaction.

A request locks the project row, checks the state machine (and the quotas, for a new project and
for a provisioning), moves the project to its waiting state and creates the Operation row together;
the task that does the AWS work is enqueued only when that transaction commits. A partial unique
index allows one queued or running operation per project, so two requests racing past the checks
still can't both queue.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.files import upload_name
from apps.core.rls import task_send
from apps.provisioning import tasks
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project, Resource, Tier
from apps.provisioning.services import blueprint
from apps.provisioning.services.accounts import aws_account_role_for_new_stack
from apps.provisioning.services.bundles import bundle_check
from apps.provisioning.services.quotas import quota_check, quota_lock

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


@dataclass(frozen=True)
class Guard:
    """Which states an action may start from, and the states it moves the project to while queued."""

    infra_from: tuple[str, ...]
    app_from: tuple[str, ...]
    infra_to: str | None = None
    app_to: str | None = None


GUARDS = {
    Operation.Action.PROVISION: Guard(
        (Project.InfraState.NEW, Project.InfraState.FAILED, Project.InfraState.DESTROYED),
        (Project.AppState.NONE,),
        infra_to=Project.InfraState.PENDING,
    ),
    Operation.Action.DESTROY: Guard(
        (Project.InfraState.DEPLOYED, Project.InfraState.FAILED, Project.InfraState.CLEANUP_FAILED),
        (Project.AppState.NONE,),
        infra_to=Project.InfraState.DESTROYING,
    ),
    Operation.Action.DEPLOY_APP: Guard(
        (Project.InfraState.DEPLOYED,),
        (Project.AppState.NONE, Project.AppState.DEPLOYED, Project.AppState.FAILED),
        app_to=Project.AppState.DEPLOYING,
    ),
    Operation.Action.PURGE_APP: Guard(
        (Project.InfraState.DEPLOYED,),
        (Project.AppState.DEPLOYED, Project.AppState.FAILED),
        app_to=Project.AppState.PURGING,
    ),
}
# A project may be deleted from these states, once nothing of it is left in AWS.
DELETABLE_FROM = (Project.InfraState.NEW, Project.InfraState.FAILED, Project.InfraState.DESTROYED)


def _new_key() -> str:
    while True:
        key = secrets.token_hex(4)  # 8 hex characters: short enough for every AWS name limit
        if not Project.objects.filter(key=key).exists():
            return key


@transaction.atomic
def project_create(*, tenant: Tenant, actor: User | None, name: str, region: str, tier: str) -> Project:
    """A new project with its estimate, refused before anything exists if it would break a quota."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["Give the project a name."]
    elif len(name) > 60:
        errors["name"] = ["A project name has at most 60 characters."]
    if region not in settings.AWS_ALLOWED_REGIONS:
        errors["region"] = [
            f"Choose one of the regions Tijori offers: {', '.join(settings.AWS_ALLOWED_REGIONS)}."
        ]
    if tier not in Tier.values:
        errors["tier"] = ["Choose the small or the medium tier."]
    if errors:
        raise ValidationError(errors)
    try:
        estimate = blueprint.estimate(tier=tier, region=region)
    except ValueError:  # a region allowed in settings but missing from the price table
        raise ValidationError(
            {"region": [f"Tijori has no prices for {region} yet: choose another region."]}
        ) from None
    quota_lock(tenant=tenant)
    if Project.objects.for_tenant(tenant).live().filter(name=name).exists():
        raise ValidationError({"name": [f"This workspace already has a project called “{name}”."]})
    # A draft costs nothing: the workspace's spend is checked when it is provisioned.
    quota_check(tenant=tenant, add_usd_month=Decimal(0), new_project=True, project_usd_month=estimate.total)
    project = Project.objects.create(
        tenant=tenant, name=name, key=_new_key(), region=region, tier=tier,
        estimate_usd_month=estimate.total, created_by=actor,
    )  # fmt: skip
    audit_record(
        tenant=tenant, actor=actor, action="project.create", target=project,
        summary=f"Created project {project.name} ({tier}, {region}), estimated at most ${estimate.total}/month",
    )  # fmt: skip
    return project


def _refuse_reason(project: Project, action: str, trigger: str) -> str | None:
    guard = GUARDS[action]
    if project.infra_state not in guard.infra_from:
        state = project.get_infra_state_display().lower()
        return {
            Operation.Action.PROVISION: f"The infrastructure is {state}: only a new, failed or destroyed project can be provisioned.",
            Operation.Action.DESTROY: f"The infrastructure is {state}: there is nothing to destroy now.",
            Operation.Action.DEPLOY_APP: f"The infrastructure is {state}: provision it before deploying an application.",
            Operation.Action.PURGE_APP: f"The infrastructure is {state}: there is no application to purge.",
        }[action]
    if project.app_state not in guard.app_from:
        if action == Operation.Action.DESTROY and trigger == Operation.Trigger.MEMBER:
            return "An application is deployed on this infrastructure: purge the application first."
        if action == Operation.Action.DESTROY:
            return None  # expiry and super admins purge the application as the first step of destroying
        return f"The application is {project.get_app_state_display().lower()}: wait for it to finish."
    return None


@transaction.atomic
def operation_request(
    *,
    tenant: Tenant,
    actor: User | None,
    project: Project,
    action: str,
    trigger: str = Operation.Trigger.MEMBER,
    bundle: UploadedFile | None = None,
) -> Operation:
    """Queue `action` on the project, or raise TransitionRefused with the reason (a 409 in the API).

    A deploy takes an uploaded `bundle` (checked here, before anything is queued) or, without one,
    deploys the built-in starter app.
    """
    if bundle is not None:
        if action != Operation.Action.DEPLOY_APP:
            raise ValueError("a bundle goes with a deploy only")
        bundle_check(bundle)
    assert project.tenant_id == tenant.id
    if action == Operation.Action.PROVISION:
        quota_lock(tenant=tenant)  # before the project's row, in the order project_create takes them
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.operations.filter(state__in=Operation.ACTIVE).exists():
        raise TransitionRefused("Another operation on this project is still running: wait for it to finish.")
    reason = _refuse_reason(project, action, trigger)
    if reason:
        raise TransitionRefused(reason)
    fields = ["updated_at"]
    if action == Operation.Action.PROVISION:
        fields += _provision_prepare(tenant=tenant, project=project)
    guard = GUARDS[action]
    operation = Operation(
        tenant=tenant, project=project, action=action, trigger=trigger, requested_by=actor,
        steps=[
            {"step": step.name, "label": step.label, "state": "waiting", "at": None}
            for step in blueprint.steps_planned(action=action, project=project)
        ],
    )  # fmt: skip
    if bundle is not None:
        operation.bundle.save(upload_name("application/zip"), bundle, save=False)
    try:
        with transaction.atomic():
            operation.save(force_insert=True)
    except IntegrityError:  # another request queued an operation at the same moment
        if operation.bundle:
            operation.bundle.storage.delete(operation.bundle.name)
        raise TransitionRefused(
            "Another operation on this project is still running: wait for it to finish."
        ) from None
    if guard.infra_to:
        project.infra_state = guard.infra_to
        fields.append("infra_state")
    if guard.app_to:
        project.app_state = guard.app_to
        fields.append("app_state")
    project.save(update_fields=fields)
    who = {"ttl": " (expired)", "admin": " (super admin)", "rollback": " (roll-back)"}.get(trigger, "")
    audit_record(
        tenant=tenant, actor=actor, action=f"project.{action}", target=project,
        summary=f"{operation.get_action_display()} of {project.name} requested{who}",
    )  # fmt: skip
    operation_id = str(operation.pk)
    transaction.on_commit(lambda: task_send(tasks.operation_run_task, operation_id, tenant_id=tenant.pk))
    return operation


def _resources_left(project: Project) -> bool:
    return project.resources.exclude(state__in=Resource.NOT_IN_AWS).exists()


def _provision_prepare(*, tenant: Tenant, project: Project) -> list[str]:
    """Before a provisioning is queued: the quotas, and, for a stack built anew, its account and names.

    A project that starts spending now (a draft, a destroyed one, a failed one rolled back) adds its
    estimate to the workspace's spend, and a destroyed one comes back into the project count. With
    nothing of it in AWS, the stack goes to the account the workspace uses now, and one that held
    resources before gets a new key: its new resources get new names, clear of the ones just
    deleted (S3 and IAM may hold a deleted name for a while), and the ledger keeps both lives apart.
    Returns the fields changed on `project` (saved by the caller).
    """
    was_destroyed = project.infra_state == Project.InfraState.DESTROYED
    if was_destroyed and Project.objects.for_tenant(tenant).live().filter(name=project.name).exists():
        raise TransitionRefused(
            f"Another project of this workspace is called “{project.name}” now: delete that one, or "
            "create a new project, to provision this name again."
        )
    if not Project.objects.filter(pk=project.pk).spending().exists():
        quota_check(tenant=tenant, add_usd_month=project.estimate_usd_month, new_project=was_destroyed)
    fields = []
    if was_destroyed:  # a new life: how the last one ended stays in the operations and the audit trail
        project.destroyed_at, project.end_reason = None, ""
        fields += ["destroyed_at", "end_reason"]
    if _resources_left(project):
        return fields
    project.aws_role_arn, project.aws_external_id = aws_account_role_for_new_stack(tenant=tenant)
    fields += ["aws_role_arn", "aws_external_id"]
    if project.resources.exists():
        project.key = _new_key()
        fields.append("key")
    return fields


def project_delete_refusal(*, project: Project, active: bool, resources_left: bool) -> str | None:
    """Why the project can't be deleted now, in a member's words; None if it can."""
    if active or project.infra_state in (Project.InfraState.PENDING, Project.InfraState.PROVISIONING):
        return "An operation on this project is still running: wait for it to finish."
    if project.infra_state not in DELETABLE_FROM or resources_left:
        return (
            f"The infrastructure is {project.get_infra_state_display().lower()} and may hold resources in "
            "AWS: destroy it first, then delete the project."
        )
    return None


@transaction.atomic
def project_delete(*, tenant: Tenant, actor: User | None, project: Project) -> Project:
    """Take a project that holds nothing in AWS off the workspace's pages and quotas.

    The row stays, marked deleted, with its operations and its ledger (both refer to it), so the
    admin and the audit trail still show everything that happened to it. Raises TransitionRefused
    with the reason for a project that is working or may hold resources.
    """
    assert project.tenant_id == tenant.id
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.infra_state == Project.InfraState.DELETED:
        raise TransitionRefused("This project has already been deleted.")
    reason = project_delete_refusal(
        project=project,
        active=project.operations.filter(state__in=Operation.ACTIVE).exists(),
        resources_left=_resources_left(project),
    )
    if reason:
        raise TransitionRefused(reason)
    was = project.get_infra_state_display().lower()
    project.infra_state = Project.InfraState.DELETED
    project.expires_at = None
    project.save(update_fields=["infra_state", "expires_at", "updated_at"])
    audit_record(
        tenant=tenant, actor=actor, action="project.delete", target=project,
        summary=f"Deleted project {project.name} ({was}); its operations and resource ledger are kept",
    )  # fmt: skip
    return project


@transaction.atomic
def project_extend(*, tenant: Tenant, actor: User | None, project: Project, minutes: int) -> Project:
    """Push the expiry back, up to the maximum lifetime counted from deployment."""
    assert project.tenant_id == tenant.id
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.infra_state != Project.InfraState.DEPLOYED or project.deployed_at is None:
        raise TransitionRefused("Only a deployed stack has an expiry to extend.")
    if minutes <= 0:
        raise ValidationError({"minutes": ["Extend by a positive number of minutes."]})
    latest = project.deployed_at + timedelta(minutes=settings.RESOURCE_MAX_LIFETIME_MINUTES)
    wanted = max(project.expires_at or timezone.now(), timezone.now()) + timedelta(minutes=minutes)
    if project.expires_at and project.expires_at >= latest:
        raise TransitionRefused(
            f"This stack already lives the longest allowed ({settings.RESOURCE_MAX_LIFETIME_MINUTES // 60} hours "
            "after deployment)."
        )
    project.expires_at = min(wanted, latest)
    project.save(update_fields=["expires_at", "updated_at"])
    audit_record(
        tenant=tenant, actor=actor, action="project.extend", target=project,
        summary=f"Extended {project.name} until {timezone.localtime(project.expires_at):%d %b %H:%M}",
    )  # fmt: skip
    return project
