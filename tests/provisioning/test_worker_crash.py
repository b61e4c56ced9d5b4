"""A worker killed in the middle of provisioning, on the Redis broker, against the moto server."""

import functools

import pytest

from apps.provisioning import aws
from apps.provisioning.models import Operation, Resource
from apps.provisioning.services.projects import operation_request
from tests.provisioning.factories import ProjectFactory
from tests.workers import running_worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_worker_killed_mid_provisioning_is_redelivered_and_finishes_without_duplicates(
    tmp_path, tenant, owner, settings, moto_server
):
    settings.TIJORI_ENVIRONMENT = "crash"
    project = ProjectFactory(tenant=tenant, actor=owner, name="Crash", region="ap-south-1")
    marker = tmp_path / "crashed"
    env = {
        "TIJORI_CRASH_MARKER": str(marker),
        "TIJORI_ENVIRONMENT": "crash",
        "AWS_ENDPOINT_URL": moto_server,
        "PROVISIONING_LEASE_SECONDS": "5",  # the dead worker's lease, waited out by the redelivery
    }
    with running_worker(tmp_path, extra_env=env, pool="prefork", module="tests.provisioning.crashing_worker"):
        operation = operation_request(tenant=tenant, actor=owner, project=project, action="provision")
        wait_for(marker.exists, 60, "the worker did not reach the crash point", tmp_path)
        wait_for(
            lambda: Operation.objects.get(pk=operation.pk).state in ("succeeded", "failed"),
            90, "the redelivered task did not finish", tmp_path,
        )  # fmt: skip
    operation.refresh_from_db(), project.refresh_from_db()
    assert operation.state == "succeeded", (operation.error, (tmp_path / "worker.log").read_text()[-3000:])
    assert operation.attempts == 2 and project.infra_state == "deployed"
    # The child that reached the crash point really died by SIGKILL (the marker holds its pid), and
    # the second attempt ran in another child: the redelivery, not a retry inside the dead process.
    log = (tmp_path / "worker.log").read_text()
    assert f"pid:{marker.read_text()} exited with 'signal 9 (SIGKILL)'" in log, log[-3000:]
    assert set(Resource.objects.filter(project=project).values_list("state", flat=True)) == {"created"}
    client = functools.partial(aws.aws_client, tenant=tenant, region="ap-south-1", role=aws.platform_role())
    prefix = f"tijori-crash-{project.key}"
    assert [t for t in client("dynamodb").list_tables()["TableNames"] if t.startswith(prefix)] == [prefix]
    assert len([b for b in client("s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)]) == 1
    assert (
        len([f for f in client("lambda").list_functions()["Functions"] if f["FunctionName"] == prefix]) == 1
    )
    assert len(client("apigatewayv2").get_apis()["Items"]) == 1
