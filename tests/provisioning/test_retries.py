"""With AWS unreachable, an operation backs off over minutes (exponential, jittered, capped), the reaper
leaves it alone while a retry is due, and the final failure says plainly that Tijori stopped; a bug
of ours ends the operation too, logged as an error.

AWS here is a closed port on 127.0.0.1: boto3 really fails to connect, as it would in an outage.
"""

import socket
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from apps.provisioning import aws, tasks
from apps.provisioning.exceptions import AwsTransientError
from apps.provisioning.models import Operation
from apps.provisioning.services import operation_run, operations_reap
from apps.provisioning.services.projects import operation_request
from tests.provisioning.factories import ProjectFactory

MAX_ATTEMPTS = Operation.MAX_ATTEMPTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def aws_down(monkeypatch, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free now, and nothing listens on it once closed
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "ap-south-1",
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{port}"
    settings.AWS_ROLE_ARN = "arn:aws:iam::111122223333:role/TijoriProvisioner"
    settings.TIJORI_ENVIRONMENT = "test"
    aws.clear_cache()
    yield
    aws.clear_cache()


@pytest.fixture
def operation(tenant, owner, aws_down, django_capture_on_commit_callbacks):
    project = ProjectFactory(tenant=tenant, actor=owner, name="Shop site", region="ap-south-1")
    with django_capture_on_commit_callbacks(execute=False):  # the test sends the task itself
        return operation_request(tenant=tenant, actor=owner, project=project, action="provision")


def test_an_unreachable_aws_is_retried_for_minutes_with_growing_jittered_waits(operation, as_a_worker):
    result, countdowns = as_a_worker(tasks.operation_run_task, [str(operation.pk)])

    ceilings = [aws.retry_ceiling(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert ceilings == [
        min(aws.RETRY_MAX_SECONDS, aws.RETRY_FIRST_SECONDS * 2**n) for n in range(MAX_ATTEMPTS - 1)
    ]
    assert tasks.operation_run_task.max_retries == MAX_ATTEMPTS - 1
    assert len(countdowns) == MAX_ATTEMPTS - 1
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(countdowns, ceilings, strict=True))
    assert countdowns != ceilings  # jittered
    assert max(countdowns) <= 5 * 60  # capped
    assert sum(ceilings) >= 25 * 60  # a real window, not a minute and a half

    assert result.state == "FAILURE" and isinstance(result.result, AwsTransientError)
    operation.refresh_from_db()
    assert operation.state == Operation.State.FAILED and operation.attempts == MAX_ATTEMPTS
    assert operation.error.startswith(f"AWS kept failing, so Tijori stopped after {MAX_ATTEMPTS} attempts")
    assert "AWS could not be reached" in operation.error
    assert "will retry" not in operation.error.lower() and "retrying" not in operation.error.lower()
    assert operation.lease_expires_at is None and "retrying" not in {s["state"] for s in operation.steps}
    operation.project.refresh_from_db()
    assert operation.project.infra_state == "failed"


def test_while_a_retry_is_due_the_reaper_leaves_the_operation_alone(operation):
    with pytest.raises(AwsTransientError):
        operation_run(str(operation.pk))
    wait = aws.RETRY_FIRST_SECONDS  # the longest the first retry can wait
    operation.refresh_from_db()
    assert operation.state == "running" and operation.error.startswith("Retrying: AWS could not be reached")
    assert operation.steps[0]["state"] == "retrying"
    assert wait - 2 < (operation.lease_expires_at - timezone.now()).total_seconds() <= wait

    assert operations_reap(now=timezone.now() + timedelta(seconds=wait - 2)) == 0
    operation.refresh_from_db()
    assert operation.attempts == 1
    # Once the retry is overdue (its message lost), the reaper sends it again.
    with pytest.raises(Retry):  # tasks run in-process here: the resent delivery fails and asks again
        operations_reap(now=timezone.now() + timedelta(seconds=wait + 1))
    operation.refresh_from_db()
    assert operation.attempts == 2


def test_the_retry_itself_takes_the_parked_operation_over(operation):
    with pytest.raises(AwsTransientError):
        operation_run(str(operation.pk))
    with pytest.raises(AwsTransientError):
        operation_run(str(operation.pk))  # the scheduled retry, arriving (in a test) before its time
    operation.refresh_from_db()
    assert operation.attempts == 2
    parked = (operation.lease_expires_at - timezone.now()).total_seconds()
    assert aws.RETRY_FIRST_SECONDS < parked <= 2 * aws.RETRY_FIRST_SECONDS  # the second wait's ceiling


def test_a_bug_of_ours_is_logged_as_an_error_and_ends_the_operation(operation, as_a_worker, caplog):
    def broken(**kwargs):
        raise RuntimeError("a bug of ours")

    # AssumeRole is the first AWS call of the first step; a bug there stands for one anywhere.
    aws.sts_client("ap-south-1").meta.events.register("before-call.sts.AssumeRole", broken)
    with caplog.at_level("ERROR"):
        result, waits = as_a_worker(tasks.operation_run_task, [str(operation.pk)])

    assert result.state == "FAILURE" and isinstance(result.result, RuntimeError) and waits == []
    operation.refresh_from_db()
    assert operation.state == Operation.State.FAILED and operation.attempts == 1
    assert (
        operation.error
        == "Something went wrong on Tijori's side, and the team has been told. Try again later."
    )
    assert "a bug of ours" in operation.error_detail
    assert operation.steps[0]["state"] == "failed"
    ours = [r for r in caplog.records if r.name == "apps.provisioning.services.runner"]
    assert ours and ours[0].levelname == "ERROR" and ours[0].exc_info[0] is RuntimeError
    operation.project.refresh_from_db()
    assert operation.project.infra_state == "failed"
