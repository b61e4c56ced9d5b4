"""The Celery wrappers around provisioning services: when they ask to be retried, after how long, and
when they give up and say so on the row (the services themselves are tested in test_retries and
test_accounts)."""

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from celery.exceptions import Retry
from django.utils import timezone

from apps.core.rls import TASK_HEADER
from apps.provisioning import aws, tasks
from apps.provisioning.models import Operation, TenantAwsAccount
from apps.provisioning.services import aws_account_connect, aws_account_start
from apps.provisioning.services.projects import operation_request
from tests.provisioning.conftest import AWS_TEST_REGION
from tests.provisioning.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

ROLE = "arn:aws:iam::444455556666:role/TijoriAccess"


def deliver(task, args, tenant, retries=0):
    """Run the task as a worker would for a message sent for `tenant`: its retry, or None when done."""
    try:
        task.apply(args=args, retries=retries, throw=True, headers={TASK_HEADER: tenant.pk})
    except Retry as retry:
        return retry
    return None


def test_a_redelivery_while_another_worker_holds_the_lease_waits_it_out_and_changes_nothing(
    tenant, owner, django_capture_on_commit_callbacks
):
    project = ProjectFactory(tenant=tenant, actor=owner, name="Shop site", region="ap-south-1")
    with django_capture_on_commit_callbacks(execute=False):
        operation = operation_request(tenant=tenant, actor=owner, project=project, action="provision")
    # A worker took it two minutes ago and is still within its lease.
    Operation.objects.filter(pk=operation.pk).update(
        state=Operation.State.RUNNING, attempts=1, lease_expires_at=timezone.now() + timedelta(seconds=120)
    )

    retry = deliver(tasks.operation_run_task, [str(operation.pk)], tenant)

    assert retry is not None, "the redelivery must come back later, not run beside the live worker"
    assert 119 < retry.when <= 121  # just after the lease runs out
    operation.refresh_from_db()
    assert (operation.state, operation.attempts) == (Operation.State.RUNNING, 1)


def _throttle_sts():
    def refuse(**kwargs):
        raise ClientError(
            {"Error": {"Code": "Throttling", "Message": "Rate exceeded"},
             "ResponseMetadata": {"HTTPStatusCode": 400}},
            "AssumeRole",
        )  # fmt: skip

    aws.sts_client(AWS_TEST_REGION).meta.events.register("before-call.sts.AssumeRole", refuse)


def test_a_throttled_account_check_retries_with_growing_waits_then_records_that_it_gave_up(
    tenant, owner, as_a_worker
):
    aws_account_start(tenant=tenant, actor=owner)
    account = aws_account_connect(tenant=tenant, actor=owner, role_arn=ROLE)  # its task is run below
    _throttle_sts()
    # While a retry is due, the account still says it is being checked.
    assert deliver(tasks.aws_account_check_task, [account.pk, ROLE], tenant) is not None
    account.refresh_from_db()
    assert account.status == TenantAwsAccount.Status.CHECKING

    result, waits = as_a_worker(
        tasks.aws_account_check_task, [account.pk, ROLE], headers={TASK_HEADER: tenant.pk}
    )

    assert result.state == "FAILURE"
    assert len(waits) == tasks.aws_account_check_task.max_retries == 5
    ceilings = [min(aws.RETRY_MAX_SECONDS, aws.RETRY_FIRST_SECONDS * 2**n) for n in range(5)]
    assert all(0 <= wait <= c for wait, c in zip(waits, ceilings, strict=True)), waits
    assert waits != ceilings  # jittered
    account.refresh_from_db()
    assert account.status == TenantAwsAccount.Status.FAILED
    assert account.check_error.endswith("The check gave up; try again later.")
    assert "busy" in account.check_error.lower() or "throttl" in account.check_error.lower()
