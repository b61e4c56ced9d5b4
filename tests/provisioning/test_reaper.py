"""The reaper (beat, every minute): work whose worker vanished or whose message was lost is sent again.

Celery runs eagerly here, so a re-sent task runs at once against moto and the test sees its outcome.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.provisioning.models import Operation, Project, TenantAwsAccount
from apps.provisioning.services import (
    aws_account_connect,
    aws_account_start,
    operation_request,
    operations_reap,
)
from apps.provisioning.services.sweeps import QUEUED_GRACE
from tests.provisioning.conftest import AWS_TEST_REGION, create_execution_boundary, live_resources
from tests.provisioning.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]


@pytest.fixture
def queued(tenant, owner, settings):
    """A provisioning operation queued in the database whose task message never ran."""
    settings.TIJORI_ENVIRONMENT = "test"
    project = ProjectFactory(tenant=tenant, actor=owner, name="Site", region=AWS_TEST_REGION)
    operation = operation_request(tenant=tenant, actor=owner, project=project, action="provision")
    return project, operation  # on_commit never fires inside the test's transaction: the message is "lost"


def _age(operation, **delta) -> None:
    Operation.objects.filter(pk=operation.pk).update(created_at=timezone.now() - timedelta(**delta))


def test_a_queued_operation_whose_message_was_lost_is_sent_again_and_finishes(queued):
    project, operation = queued
    assert operations_reap() == 0  # just queued: its message may still be on the way
    _age(operation, minutes=3)

    assert operations_reap() == 1
    operation.refresh_from_db(), project.refresh_from_db()
    assert operation.state == "succeeded" and project.infra_state == "deployed"
    assert all(len(found) == 1 for found in live_resources(project).values())
    assert operations_reap() == 0


def test_a_running_operation_whose_worker_vanished_is_taken_over_once_its_lease_runs_out(queued):
    project, operation = queued
    _age(operation, minutes=3)
    # A worker claimed it and died at its first step: its lease is still live for a while.
    steps = [{**step, "state": "running" if i == 0 else "waiting"} for i, step in enumerate(operation.steps)]
    Operation.objects.filter(pk=operation.pk).update(
        state="running", attempts=1, steps=steps, started_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(seconds=60),
    )  # fmt: skip
    Project.objects.filter(pk=project.pk).update(infra_state="provisioning")
    assert operations_reap() == 0  # the lease says its worker may still be alive

    Operation.objects.filter(pk=operation.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert operations_reap() == 1
    operation.refresh_from_db(), project.refresh_from_db()
    assert operation.state == "succeeded" and operation.attempts == 2
    assert project.infra_state == "deployed"
    assert all(len(found) == 1 for found in live_resources(project).values())


def test_a_role_check_whose_message_was_lost_is_sent_again(tenant, owner):
    create_execution_boundary("arn:aws:iam::444455556666:role/Tijori")
    aws_account_start(tenant=tenant, actor=owner)
    account = aws_account_connect(
        tenant=tenant, actor=owner, role_arn="arn:aws:iam::444455556666:role/Tijori"
    )
    assert operations_reap() == 0
    TenantAwsAccount.objects.filter(pk=account.pk).update(updated_at=timezone.now() - QUEUED_GRACE * 2)

    assert operations_reap() == 1
    account.refresh_from_db()
    assert account.status == "verified" and account.account_id == "444455556666"
