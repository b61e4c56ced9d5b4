"""Carrying out an operation: claimed with a lease, step by step, with progress and outcome in the database.

The Celery task is a thin wrapper: it calls `operation_run` and, when this raises `RetryLater`,
sends it again after the backoff the exception carries. A delivery that finds the operation
already finished, or held by a live worker, does nothing; one that finds a lease run out takes over
(its worker vanished). Attempts are counted here, so an operation that keeps failing, or keeps
killing its worker, is failed for good after MAX_ATTEMPTS.

While a retry is due the operation is parked: its step says "retrying" and its lease runs until the
retry's time, so the reaper leaves it alone until then (and sends it again only if the retry's
message was lost), and the retry itself takes it over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.provisioning import aws
from apps.provisioning.models import Operation, Project
from apps.provisioning.services import blueprint
from apps.provisioning.services.bundles import Bundle, bundle_read, starter_bundle
from apps.provisioning.services.projects import operation_request

logger = logging.getLogger(__name__)

# Deliveries of one operation, transient retries and crashes together.
MAX_ATTEMPTS = 10
Action = Operation.Action
Infra = Project.InfraState
App = Project.AppState


class RetryLater(Exception):
    """A transient AWS error (throttling, 5xx, connection): the task retries after `countdown` seconds."""

    def __init__(self, reason: str, *, countdown: int) -> None:
        super().__init__(reason)
        self.countdown = countdown


class LeaseHeld(Exception):
    """Another delivery holds the operation's lease: try again once it has run out.

    After a worker dies mid-run the broker redelivers its task at once (acks_late with
    reject-on-worker-lost), while the dead worker's lease still looks live; waiting the lease out,
    then taking over, is what makes the redelivery finish the work without two workers at it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"lease held for {seconds:.0f} s more")
        self.seconds = seconds


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
        if operation.attempts > MAX_ATTEMPTS:
            last = operation.error.removeprefix("Retrying: ") or "its worker stopped each time"
            _finish(
                operation, ok=False, error=f"Gave up after {MAX_ATTEMPTS} attempts; the last problem: {last}"
            )
            return None
        operation.state = Operation.State.RUNNING
        operation.started_at = operation.started_at or now
        operation.lease_expires_at = now + lease()
        operation.save(
            update_fields=["attempts", "state", "started_at", "lease_expires_at", "steps", "updated_at"]
        )
        if operation.action == Action.PROVISION:
            Project.objects.filter(pk=operation.project_id).update(infra_state=Infra.PROVISIONING)
    return operation


def _progress(operation: Operation, step: str, state: str) -> None:
    for entry in operation.steps:
        if entry["step"] == step:
            entry["state"] = state
            entry["at"] = timezone.now().isoformat()
    operation.lease_expires_at = timezone.now() + lease()
    operation.save(update_fields=["steps", "lease_expires_at", "updated_at"])


def _bundle(operation: Operation) -> Bundle:
    if not operation.bundle:
        return starter_bundle()
    with operation.bundle.open("rb") as stored:
        return bundle_read(stored.read())


def _steps(operation: Operation) -> list[tuple[str, Callable[[], None]]]:
    project, op = operation.project, operation
    if operation.action == Action.PROVISION:
        return [
            ("role", lambda: blueprint.create_role(project, op)),
            ("bucket", lambda: blueprint.create_bucket(project, op)),
            ("table", lambda: blueprint.create_table(project, op)),
            ("function", lambda: blueprint.create_function(project, op)),
            ("http_api", lambda: blueprint.create_http_api(project, op)),
            ("verify", lambda: blueprint.verify_created(project, op)),
        ]
    if operation.action == Action.DESTROY:
        purge = []
        if project.app_state != App.NONE:  # expiry and super admins purge first; members were refused
            purge = [
                ("purge", lambda: (blueprint.purge_files(project, op), blueprint.reset_code(project, op)))
            ]
        return [
            *purge,
            ("http_api", lambda: blueprint.delete_http_api(project, op)),
            ("function", lambda: blueprint.delete_function(project, op)),
            ("table", lambda: blueprint.delete_table(project, op)),
            ("bucket", lambda: blueprint.delete_bucket(project, op)),
            ("role", lambda: blueprint.delete_role(project, op)),
            ("verify", lambda: blueprint.verify_deleted(project, op)),
        ]
    if operation.action == Action.DEPLOY_APP:
        bundle = _bundle(operation)
        return [
            ("code", lambda: blueprint.deploy_code(project, op, bundle)),
            ("files", lambda: blueprint.deploy_files(project, op, bundle)),
            ("urls", lambda: blueprint.publish_urls(project, op, bundle)),
        ]
    return [
        ("files", lambda: blueprint.purge_files(project, op)),
        ("code", lambda: blueprint.reset_code(project, op)),
    ]


def operation_run(operation_id: str) -> Operation | None:
    """Run the operation's remaining steps. Raises RetryLater on a transient AWS error, LeaseHeld when
    another delivery holds the operation."""
    operation = operation_claim(operation_id)
    if operation is None:
        return None
    current = ""
    try:
        for step, run in _steps(operation):
            current = step
            if step != "purge" and any(e["step"] == step and e["state"] == "done" for e in operation.steps):
                continue  # done by an earlier attempt
            _progress(operation, step, "running")
            run()
            _progress(operation, step, "done")
    except Exception as exc:
        transient = aws.is_transient(exc) or isinstance(exc, blueprint.IamNotReady)
        reason = (
            str(exc)
            if isinstance(exc, blueprint.IamNotReady | blueprint.StepFailed)
            else aws.plain_error(exc)
        )
        if transient and operation.attempts < MAX_ATTEMPTS:
            countdown = aws.retry_countdown(operation.attempts)
            _progress(operation, current, "retrying")
            Operation.objects.filter(pk=operation.pk).update(
                lease_expires_at=timezone.now() + timedelta(seconds=countdown), error=f"Retrying: {reason}"
            )
            raise RetryLater(reason, countdown=countdown) from exc
        logger.warning("operation %s failed at %s: %r", operation.pk, current, exc)
        _progress(operation, current, "failed")
        if transient:
            minutes = max(1, round((timezone.now() - operation.started_at).total_seconds() / 60))
            reason = (
                f"AWS kept failing, so Tijori stopped after {operation.attempts} attempts over "
                f"{minutes} minute{'s' if minutes != 1 else ''}. The last problem: {reason}"
            )
        _finish(operation, ok=False, error=reason, detail=repr(exc))
        return operation
    _finish(operation, ok=True)
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
    if action == Action.PROVISION:
        project.infra_state = Infra.DEPLOYED if ok else Infra.FAILED
        if ok:
            project.deployed_at = now
            project.expires_at = now + timedelta(minutes=settings.RESOURCE_TIMEOUT_MINUTES)
            fields |= {"deployed_at", "expires_at"}
        fields.add("infra_state")
    elif action == Action.DESTROY and operation.trigger == Operation.Trigger.ROLLBACK and ok:
        # What a failed provisioning created is gone; the project stays failed, ready for a retry.
        project.infra_state = Infra.FAILED
        fields.add("infra_state")
    elif action == Action.DESTROY:
        project.infra_state = Infra.DESTROYED if ok else Infra.CLEANUP_FAILED
        fields.add("infra_state")
        if ok:
            project.destroyed_at, project.expires_at = now, None
            project.app_state, project.site_url, project.api_url = App.NONE, "", ""
            project.end_reason = project.end_reason or {
                Operation.Trigger.TTL: Project.EndReason.EXPIRED,
                Operation.Trigger.ADMIN: Project.EndReason.FORCED,
                Operation.Trigger.ROLLBACK: Project.EndReason.ROLLED_BACK,
            }.get(operation.trigger, Project.EndReason.DESTROYED_BY_USER)
            fields |= {"destroyed_at", "expires_at", "app_state", "site_url", "api_url", "end_reason"}
    elif action == Action.DEPLOY_APP:
        project.app_state = App.DEPLOYED if ok else App.FAILED
        fields.add("app_state")
    else:
        project.app_state = App.NONE if ok else App.FAILED
        fields.add("app_state")
    project.save(update_fields=sorted(fields))
    outcome = "succeeded" if ok else f"failed: {error}"
    audit_record(
        tenant=project.tenant, actor=operation.requested_by, action=f"operation.{'succeeded' if ok else 'failed'}",
        target=operation, summary=f"{operation.get_action_display()} of {project.name} {outcome}"[:300],
    )  # fmt: skip
    if operation.bundle and action == Action.DEPLOY_APP:
        name = operation.bundle.name
        transaction.on_commit(lambda: storages["default"].delete(name))
    if action == Action.PROVISION and not ok:
        # Nothing of a failed provisioning may keep costing money: destroy what was created.
        transaction.on_commit(
            lambda: operation_request(
                tenant=project.tenant, actor=None, project=project, action=Action.DESTROY,
                trigger=Operation.Trigger.ROLLBACK,
            )
        )  # fmt: skip
