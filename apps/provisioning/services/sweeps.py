"""Work nobody clicks for: stacks past their expiry, and operations whose worker vanished.

Both run from beat every minute, select from the database (never from ETA tasks, which would sit
unacknowledged in the broker), and only queue work; the workers do the AWS calls.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.provisioning import tasks
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project
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
