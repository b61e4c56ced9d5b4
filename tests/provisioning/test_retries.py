"""With AWS unreachable, an operation backs off over minutes (exponential, jittered, capped), the reaper
leaves it alone while a retry is due, and the final failure says plainly that Tijori stopped.

AWS here is a closed port on 127.0.0.1: boto3 really fails to connect, as it would in an outage.
"""

import socket
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from apps.provisioning import aws, tasks
from apps.provisioning.models import Operation
from apps.provisioning.services import RetryLater, operation_run, operations_reap
from apps.provisioning.services.projects import operation_request, project_create
from apps.provisioning.services.runner import MAX_ATTEMPTS

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
    project = project_create(tenant=tenant, actor=owner, name="Shop site", region="ap-south-1", tier="small")
    with django_capture_on_commit_callbacks(execute=False):  # the test sends the task itself
        return operation_request(tenant=tenant, actor=owner, project=project, action="provision")


def run_as_the_worker_would(operation) -> list[float]:
    """Deliver the task, and each retry it asks for, until it stops asking; the waits it asked for."""
    waits: list[float] = []
    while True:
        try:
            tasks.operation_run_task.apply(args=[str(operation.pk)], retries=len(waits), throw=True)
        except Retry as retry:
            waits.append(retry.when)
        else:
            return waits


def test_an_unreachable_aws_is_retried_for_minutes_with_growing_jittered_waits(operation):
    countdowns = run_as_the_worker_would(operation)

    ceilings = [min(aws.RETRY_MAX_SECONDS, aws.RETRY_FIRST_SECONDS * 2**n) for n in range(MAX_ATTEMPTS - 1)]
    assert len(countdowns) == MAX_ATTEMPTS - 1
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(countdowns, ceilings, strict=True))
    assert countdowns != ceilings  # jittered
    assert max(countdowns) <= 5 * 60  # capped
    assert sum(countdowns) >= 12 * 60  # a real window, not a minute and a half

    operation.refresh_from_db()
    assert operation.state == Operation.State.FAILED and operation.attempts == MAX_ATTEMPTS
    assert operation.error.startswith(f"AWS kept failing, so Tijori stopped after {MAX_ATTEMPTS} attempts")
    assert "AWS could not be reached" in operation.error
    assert "will retry" not in operation.error.lower() and "retrying" not in operation.error.lower()
    operation.project.refresh_from_db()
    assert operation.project.infra_state == "failed"


def test_while_a_retry_is_due_the_reaper_leaves_the_operation_alone(operation):
    with pytest.raises(RetryLater) as raised:
        operation_run(str(operation.pk))
    wait = raised.value.countdown
    assert aws.RETRY_FIRST_SECONDS / 2 <= wait <= aws.RETRY_FIRST_SECONDS
    operation.refresh_from_db()
    assert operation.state == "running" and operation.error.startswith("Retrying: AWS could not be reached")
    assert operation.steps[0]["state"] == "retrying"

    assert operations_reap(now=timezone.now() + timedelta(seconds=wait - 2)) == 0
    operation.refresh_from_db()
    assert operation.attempts == 1
    # Once the retry is overdue (its message lost), the reaper sends it again.
    with pytest.raises(Retry):  # tasks run in-process here: the resent delivery fails and asks again
        operations_reap(now=timezone.now() + timedelta(seconds=wait + 1))
    operation.refresh_from_db()
    assert operation.attempts == 2


def test_the_retry_itself_takes_the_parked_operation_over(operation):
    with pytest.raises(RetryLater):
        operation_run(str(operation.pk))
    with pytest.raises(RetryLater) as second:
        operation_run(str(operation.pk))  # the scheduled retry, arriving (in a test) before its time
    assert aws.RETRY_FIRST_SECONDS <= second.value.countdown <= 2 * aws.RETRY_FIRST_SECONDS
    operation.refresh_from_db()
    assert operation.attempts == 2
