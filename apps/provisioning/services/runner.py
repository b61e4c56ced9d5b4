"""Carrying out an operation: claimed with a lease, step by step, with progress and outcome in the database.

The Celery task is a thin wrapper: it calls `operation_run`, which raises `AwsTransientError` when
AWS could not answer (Celery retries the task with backoff and jitter) and `LeaseHeld` when another
delivery holds the operation. A delivery that finds the operation already finished, or held by a
live worker, does nothing; one that finds a lease run out takes over (its worker vanished). A
terminal AWS error fails the operation with its message. Anything else is a bug of ours: it is
raised, so it reaches the logs, and the task's failure handler gives the operation up
(`operation_give_up`). Attempts are counted here, so an operation that keeps failing, or keeps
killing its worker, is failed for good after `Operation.MAX_ATTEMPTS`.

While a retry is due the operation is parked: its step says "retrying" and its lease runs until the
latest the retry can come, so the reaper leaves it alone until then (and sends it again only if the
retry's message was lost), and the retry itself takes it over.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.provisioning import aws
from apps.provisioning.exceptions import AwsTerminalError, AwsTransientError, LeaseHeld
from apps.provisioning.models import Operation, Project
from apps.provisioning.services import blueprint
from apps.provisioning.services.projects import operation_request

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=settings.PROVISIONING_LEASE_SECONDS)


def operation_claim(operation_id: str) -> Operation | None:
    """Take the operation for this worker, or None when there is nothing to do; LeaseHeld if busy."""
    now = timezone.now()
    with transaction.atomic():
        operation = (
            Operation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("project", "project__tenant")
            .filter(pk=operation_id)
            .first()
        )
        if operation is None and Operation.objects.filter(pk=operation_id).exists():
            raise LeaseHeld(5)  # another delivery is claiming it this instant (its row is locked)
        if operation is None or operation.state not in Operation.ACTIVE:
            return None
        leased = operation.lease_expires_at and operation.lease_expires_at > now
        parked = any(entry["state"] == "retrying" for entry in operation.steps)
        if operation.state == Operation.State.RUNNING and leased and not parked:
            raise LeaseHeld((operation.lease_expires_at - now).total_seconds())
        for entry in operation.steps:  # taken over: a second delivery now finds it held
            if entry["state"] == "retrying":
                entry["state"] = "waiting"
        operation.attempts += 1
        if operation.attempts > Operation.MAX_ATTEMPTS:
            last = operation.error.removeprefix("Retrying: ") or "its worker stopped each time"
            _finish(
                operation,
                ok=False,
                error=f"Gave up after {Operation.MAX_ATTEMPTS} attempts; the last problem: {last}",
            )
            return None
        operation.state = Operation.State.RUNNING
        operation.started_at = operation.started_at or now
        operation.lease_expires_at = now + lease()
        operation.save(
            update_fields=["attempts", "state", "started_at", "lease_expires_at", "steps", "updated_at"]
        )
        if operation.action == Operation.Action.PROVISION:
            Project.objects.filter(pk=operation.project_id).update(
                infra_state=Project.InfraState.PROVISIONING
            )
    return operation


def _progress(operation: Operation, step: str, state: str) -> None:
    for entry in operation.steps:
        if entry["step"] == step:
            entry["state"] = state
            entry["at"] = timezone.now().isoformat()
    operation.lease_expires_at = timezone.now() + lease()
    operation.save(update_fields=["steps", "lease_expires_at", "updated_at"])


def operation_run(operation_id: str) -> Operation | None:
    """Run the operation's remaining steps.

    Raises AwsTransientError when AWS could not answer (the operation is parked for the retry), and
    LeaseHeld when another delivery holds the operation.
    """
    operation = operation_claim(operation_id)
    if operation is None:
        return None
    project, current = operation.project, ""
    try:
        for step in blueprint.steps_of(operation):
            current = step.name
            if any(e["step"] == step.name and e["state"] == "done" for e in operation.steps):
                continue  # done by an earlier attempt
            _progress(operation, step.name, "running")
            with aws.translated():
                step.run(project, operation)
            _progress(operation, step.name, "done")
    except AwsTransientError as exc:
        _park(operation, current, exc)
        raise
    except AwsTerminalError as exc:
        logger.warning("operation %s failed at %s: %r", operation.pk, current, exc.__cause__ or exc)
        _progress(operation, current, "failed")
        _finish(operation, ok=False, error=exc.message, detail=repr(exc.__cause__ or exc))
        return operation
    _finish(operation, ok=True)
    return operation


def _park(operation: Operation, step: str, exc: AwsTransientError) -> None:
    """Hold the operation for the retry: the reaper leaves it alone until the latest the retry can come."""
    _progress(operation, step, "retrying")
    wait = timedelta(seconds=aws.retry_ceiling(operation.attempts))
    Operation.objects.filter(pk=operation.pk).update(
        lease_expires_at=timezone.now() + wait, error=f"Retrying: {exc.message}"
    )


def operation_give_up(*, operation_id: str, exc: BaseException) -> Operation | None:
    """Fail the operation for good after its last retry, or after a bug of ours stopped it.

    Called by the task when it will not run again; an operation that has finished meanwhile is left
    as it is.
    """
    operation = (
        Operation.objects.select_related("project", "project__tenant")
        .filter(pk=operation_id, state__in=Operation.ACTIVE)
        .first()
    )
    if operation is None:
        return None
    if isinstance(exc, AwsTransientError):
        started = operation.started_at or operation.created_at
        minutes = max(1, round((timezone.now() - started).total_seconds() / 60))
        reason = (
            f"AWS kept failing, so Tijori stopped after {operation.attempts} attempts over "
            f"{minutes} minute{'s' if minutes != 1 else ''}. The last problem: {exc.message}"
        )
        logger.warning("operation %s gave up: %r", operation.pk, exc.__cause__ or exc)
    else:
        reason = "Something went wrong on Tijori's side, and the team has been told. Try again later."
        logger.error("operation %s stopped by an unexpected error", operation.pk, exc_info=exc)
    for entry in operation.steps:
        if entry["state"] in ("running", "retrying"):
            _progress(operation, entry["step"], "failed")
    _finish(operation, ok=False, error=reason, detail=repr(exc.__cause__ or exc))
    return operation


@transaction.atomic
def _finish(operation: Operation, *, ok: bool, error: str = "", detail: str = "") -> None:
    """Record the outcome on the operation and the project, audit it, and roll back a failed provision."""
    project = Project.objects.select_for_update().get(pk=operation.project_id)
    now = timezone.now()
    operation.state = Operation.State.SUCCEEDED if ok else Operation.State.FAILED
    operation.finished_at = now
    operation.lease_expires_at = None
    operation.error = "" if ok else error
    operation.error_detail = "" if ok else detail[:4000]
    operation.save(
        update_fields=[
            "state",
            "finished_at",
            "lease_expires_at",
            "error",
            "error_detail",
            "updated_at",
            "attempts",
        ]
    )
    action = operation.action
    fields = {"updated_at"}
    if action == Operation.Action.PROVISION:
        project.infra_state = Project.InfraState.DEPLOYED if ok else Project.InfraState.FAILED
        if ok:
            project.deployed_at = now
            project.expires_at = now + timedelta(minutes=settings.RESOURCE_TIMEOUT_MINUTES)
            fields |= {"deployed_at", "expires_at"}
        fields.add("infra_state")
    elif action == Operation.Action.DESTROY and operation.trigger == Operation.Trigger.ROLLBACK and ok:
        # What a failed provisioning created is gone; the project stays failed, ready for a retry.
        project.infra_state = Project.InfraState.FAILED
        fields.add("infra_state")
    elif action == Operation.Action.DESTROY:
        project.infra_state = Project.InfraState.DESTROYED if ok else Project.InfraState.CLEANUP_FAILED
        fields.add("infra_state")
        if ok:
            project.destroyed_at, project.expires_at = now, None
            project.app_state, project.site_url, project.api_url = Project.AppState.NONE, "", ""
            project.end_reason = project.end_reason or {
                Operation.Trigger.TTL: Project.EndReason.EXPIRED,
                Operation.Trigger.ADMIN: Project.EndReason.FORCED,
                Operation.Trigger.ROLLBACK: Project.EndReason.ROLLED_BACK,
            }.get(operation.trigger, Project.EndReason.DESTROYED_BY_USER)
            fields |= {"destroyed_at", "expires_at", "app_state", "site_url", "api_url", "end_reason"}
    elif action == Operation.Action.DEPLOY_APP:
        project.app_state = Project.AppState.DEPLOYED if ok else Project.AppState.FAILED
        fields.add("app_state")
    else:
        project.app_state = Project.AppState.NONE if ok else Project.AppState.FAILED
        fields.add("app_state")
    project.save(update_fields=sorted(fields))
    outcome = "succeeded" if ok else f"failed: {error}"
    audit_record(
        tenant=project.tenant, actor=operation.requested_by, action=f"operation.{'succeeded' if ok else 'failed'}",
        target=operation, summary=f"{operation.get_action_display()} of {project.name} {outcome}"[:300],
    )  # fmt: skip
    if operation.bundle and action == Operation.Action.DEPLOY_APP:
        name = operation.bundle.name
        transaction.on_commit(lambda: storages["default"].delete(name))
    if action == Operation.Action.PROVISION and not ok:
        # Nothing of a failed provisioning may keep costing money: destroy what was created.
        transaction.on_commit(
            lambda: operation_request(
                tenant=project.tenant, actor=None, project=project, action=Operation.Action.DESTROY,
                trigger=Operation.Trigger.ROLLBACK,
            )
        )  # fmt: skip
