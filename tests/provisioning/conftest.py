"""Fixtures for the provisioning tests: fake AWS credentials and moto in-process."""

from __future__ import annotations

import http.client
import json
import socket
from datetime import timedelta

import boto3
import pytest
from celery import current_app as celery_app
from celery.result import EagerResult
from celery.signals import task_retry
from moto import mock_aws
from moto.server import ThreadedMotoServer

from apps.provisioning import aws
from apps.provisioning.models import TenantAwsAccount
from apps.provisioning.services import aws_account_connect, aws_account_start
from apps.provisioning.services.projects import operation_request
from tests.provisioning.factories import DeployedProjectFactory

AWS_TEST_REGION = "ap-south-1"
PLATFORM_ROLE_ARN = "arn:aws:iam::111122223333:role/TijoriProvisioner"
PLATFORM_EXTERNAL_ID = "platform-external-id"
OWN_ACCOUNT_ROLE = "arn:aws:iam::444455556666:role/TijoriAccess"  # a workspace's role in its own account

# Anything through which boto3 could find real credentials, configuration or an endpoint.
_AWS_ENV_TO_CLEAR = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


@pytest.fixture
def aws_env(monkeypatch, settings):
    """moto in-process with fake base credentials, the platform role set, and no emulator endpoint.

    Real credentials can never be used: the environment holds only fake keys, the shared config
    and credentials files point at nothing, the instance metadata service is off, and every call
    is answered by moto.
    """
    for name in _AWS_ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": AWS_TEST_REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    settings.AWS_ENDPOINT_URL = ""
    settings.AWS_ROLE_ARN = PLATFORM_ROLE_ARN
    settings.AWS_EXTERNAL_ID = PLATFORM_EXTERNAL_ID
    with mock_aws(config={"lambda": {"use_docker": False}}):
        aws.clear_cache()
        yield
        aws.clear_cache()


@pytest.fixture
def assume_role_calls(aws_env):
    """The parameters of every AssumeRole request Tijori makes in AWS_TEST_REGION, in order."""
    calls: list[dict] = []

    def record(params, **kwargs):
        calls.append(dict(params))

    aws.sts_client(AWS_TEST_REGION).meta.events.register("before-parameter-build.sts.AssumeRole", record)
    return calls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def moto_server(monkeypatch, settings):
    """The moto server on a free port, for tests whose AWS calls come from a worker process too."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", "/moto-api/config", json.dumps({"lambda": {"use_docker": False}}))
    conn.getresponse().read()
    conn.close()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "ap-south-1", "AWS_ENDPOINT_URL": endpoint}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    settings.AWS_ENDPOINT_URL = endpoint
    aws.clear_cache()
    yield endpoint
    aws.clear_cache()
    server.stop()


def create_execution_boundary(role_arn: str) -> str:
    """Do what the deployment, or a workspace owner, does once per account: create the boundary policy.

    Acts in the account of `role_arn` through a client of its own (not Tijori's cached sessions, nor
    its STS client), so tests that count Tijori's AssumeRole calls see none of it. Returns the ARN.
    """
    sts = boto3.client("sts", region_name=AWS_TEST_REGION, **aws.client_options("sts"))
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="account-setup")["Credentials"]
    iam = boto3.client(
        "iam", region_name=AWS_TEST_REGION, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
        **aws.client_options("iam"),
    )  # fmt: skip
    document = json.dumps(aws.execution_boundary_policy(account_id=aws.role_account(role_arn)))
    created = iam.create_policy(PolicyName=aws.execution_boundary_name(), PolicyDocument=document)
    return created["Policy"]["Arn"]


@pytest.fixture
def connect(tenant, owner, django_capture_on_commit_callbacks):
    """Connect the workspace's own account: register `role_arn` and let the worker's check run (eager Celery); the owner first creates the
    execution roles' boundary policy in that account, as the page says, unless `boundary` is False."""

    def _connect(role_arn=OWN_ACCOUNT_ROLE, *, boundary=True):
        if boundary:
            create_execution_boundary(role_arn)
        aws_account_start(tenant=tenant, actor=owner)
        with django_capture_on_commit_callbacks(execute=True):
            aws_account_connect(tenant=tenant, actor=owner, role_arn=role_arn)
        return TenantAwsAccount.objects.get(tenant=tenant)

    return _connect


# --- running operations and looking at what AWS holds --------------------------------------------


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Request an operation and let the worker (eager Celery) carry it out, roll-backs included."""

    def _run(project, action, actor=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            operation = operation_request(
                tenant=project.tenant, actor=actor, project=project, action=action, **kwargs
            )
        operation.refresh_from_db()
        project.refresh_from_db()
        return operation

    return _run


def aws_of(project, service):
    """The client the worker uses for work its owner asked for (the same cached session)."""
    return aws.aws_client(
        service, tenant=project.tenant, region=project.region, user_id=project.created_by_id,
        role=aws.project_role(project),
    )  # fmt: skip


def live_resources(project) -> dict[str, list]:
    """What moto holds for the project, asked of each service directly (not of our ledger)."""
    prefix = f"tijori-test-{project.key}"
    return {
        "buckets": [
            b["Name"] for b in aws_of(project, "s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)
        ],
        "functions": [
            f["FunctionName"]
            for f in aws_of(project, "lambda").list_functions()["Functions"]
            if f["FunctionName"].startswith(prefix)
        ],
        "tables": [
            t for t in aws_of(project, "dynamodb").list_tables()["TableNames"] if t.startswith(prefix)
        ],
        "apis": [
            a["ApiId"]
            for a in aws_of(project, "apigatewayv2").get_apis()["Items"]
            if a["Name"].startswith(prefix)
        ],
        "roles": [
            r["RoleName"]
            for r in aws_of(project, "iam").list_roles()["Roles"]
            if r["RoleName"].startswith(prefix)
        ],
    }


def deployed_project(tenant, owner, *, deployed_ago: timedelta, expires_in: timedelta):
    """A project recorded as deployed `deployed_ago`, due to expire in `expires_in` (no AWS involved)."""
    return DeployedProjectFactory(
        tenant=tenant, actor=owner, name="Shop site", deployed_ago=deployed_ago, expires_in=expires_in
    )


@pytest.fixture
def as_a_worker(monkeypatch):
    """Run a task as a worker would, retries included, and return its result and the waits it asked for.

    Failures are not propagated to the caller, so the task's own failure handler runs when it gives up;
    each retry runs at once (eager), with the retry count a worker would give it.
    """
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    def deliver(task, args, **options) -> tuple[EagerResult, list[float]]:
        waits: list[float] = []

        def retried(sender, reason, **kwargs):
            waits.append(reason.when)

        task_retry.connect(retried, sender=task, weak=False)
        try:
            return task.apply(args=args, **options), waits  # an eager retry returns its own result
        finally:
            task_retry.disconnect(retried, sender=task)

    return deliver
