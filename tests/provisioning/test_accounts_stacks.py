"""A workspace's own AWS account: stacks there (and which account a new stack goes to), and its sweep.

moto accepts any AssumeRole (it checks neither the trust policy nor the ExternalId), so refusals
are injected at the botocore level, as AWS would send them.
"""

import pytest
from botocore.exceptions import ClientError

from apps.audit.models import AuditEvent
from apps.provisioning import aws
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount
from apps.provisioning.services import (
    aws_account_disconnect,
    aws_account_role_for_new_stack,
    operation_request,
    orphans_sweep,
)
from tests.provisioning.conftest import (
    AWS_TEST_REGION,
    OWN_ACCOUNT_ROLE,
    live_resources,
)
from tests.provisioning.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

ROLE = OWN_ACCOUNT_ROLE


# --- stacks in the workspace's account -------------------------------------------------------------


def test_stacks_go_to_the_connected_account_and_stay_there_after_disconnecting(
    tenant,
    owner,
    connect,
    run,
    settings,
):
    settings.TIJORI_ENVIRONMENT = "test"
    account = connect()
    mine = ProjectFactory(tenant=tenant, actor=owner, name="Mine", region=AWS_TEST_REGION)
    assert run(mine, Operation.Action.PROVISION, owner).state == "succeeded"
    assert (mine.aws_role_arn, mine.aws_external_id) == (ROLE, account.external_id)
    arns = list(
        Resource.objects.filter(project=mine)
        .exclude(kind__in=["http_api", "bucket"])
        .values_list("physical_id", flat=True)
    )
    assert len(arns) == 3 and all(":444455556666:" in arn for arn in arns)  # role, table, function

    aws_account_disconnect(tenant=tenant, actor=owner)
    platform = ProjectFactory(tenant=tenant, actor=owner, name="Platform", region=AWS_TEST_REGION)
    assert run(platform, Operation.Action.PROVISION, owner).state == "succeeded"
    assert platform.aws_role_arn == ""
    assert all(":111122223333:" in a for a in Resource.objects.filter(project=platform, kind="table").values_list(
        "physical_id", flat=True))  # fmt: skip

    # The first stack is still reached, and destroyed, in the workspace's account.
    destroy = run(mine, Operation.Action.DESTROY, owner)
    assert destroy.state == "succeeded", destroy.error
    assert live_resources(mine) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    assert all(len(found) == 1 for found in live_resources(platform).values())


def test_a_failed_stack_provisioned_again_goes_where_the_workspace_now_points(
    tenant,
    owner,
    connect,
    run,
):
    project = ProjectFactory(tenant=tenant, actor=owner, name="P", region=AWS_TEST_REGION)
    Project.objects.filter(pk=project.pk).update(infra_state="failed")  # rolled back: nothing in AWS
    Resource.objects.create(project=project, tenant=tenant, kind="table", name="t", region=AWS_TEST_REGION,
                            state="deleted")  # fmt: skip
    connect()
    project.refresh_from_db()
    assert run(project, Operation.Action.PROVISION, owner).state == "succeeded"
    assert project.aws_role_arn == ROLE


def test_a_stack_with_resources_left_keeps_its_account_on_retry(tenant, owner, connect):
    project = ProjectFactory(tenant=tenant, actor=owner, name="P", region=AWS_TEST_REGION)
    Project.objects.filter(pk=project.pk).update(infra_state="failed")
    Resource.objects.create(project=project, tenant=tenant, kind="table", name="t", region=AWS_TEST_REGION,
                            state="failed")  # fmt: skip
    connect()
    project.refresh_from_db()
    operation_request(tenant=tenant, actor=owner, project=project, action="provision")
    project.refresh_from_db()
    assert project.aws_role_arn == ""  # its leftovers are in the platform's account


# --- the orphan sweep in workspace accounts ----------------------------------------------------------


def test_the_orphan_sweep_covers_connected_workspace_accounts(
    tenant,
    owner,
    other_tenant,
    connect,
    run,
    settings,
    mailoutbox,
    django_user_model,
):
    settings.TIJORI_ENVIRONMENT = "test"
    django_user_model.objects.create_superuser("root@tijori.local", "pw-123456789", full_name="Root")
    connect()
    project = ProjectFactory(tenant=tenant, actor=owner, name="Mine", region=AWS_TEST_REGION)
    run(project, Operation.Action.PROVISION, owner)
    # Another workspace's resource in the same AWS account (say, the account was shared) is never touched.
    foreign = aws.aws_client(
        "dynamodb", tenant=tenant, region=AWS_TEST_REGION, role=aws.project_role(project)
    )
    foreign.create_table(
        TableName="tijori-test-foreign", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        Tags=aws.tag_list({"ManagedBy": "tijori", "Environment": "test", "TenantId": str(other_tenant.pk),
                           "ProjectId": "999999"}),
    )  # fmt: skip
    assert orphans_sweep() == []

    Project.objects.filter(pk=project.pk).update(infra_state="destroyed")  # the database lost track of it
    found = orphans_sweep()

    assert sorted(o.kind for o in found) == ["bucket", "function", "http_api", "role", "table"]
    assert all("444455556666" in o.account and o.account.startswith(tenant.name) for o in found)
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    assert foreign.list_tables()["TableNames"] == ["tijori-test-foreign"]
    assert "5 orphaned" in mailoutbox[-1].subject and "444455556666" in mailoutbox[-1].body


def test_an_unreachable_workspace_account_is_reported_and_the_sweep_goes_on(
    tenant, owner, connect, mailoutbox, django_user_model, monkeypatch
):
    django_user_model.objects.create_superuser("root@tijori.local", "pw-123456789", full_name="Root")
    connect()
    aws.clear_cache()
    real_client = aws.aws_client

    def refusing_client(service, **kwargs):
        client = real_client(service, **kwargs)
        if kwargs.get("role") and kwargs["role"][0] == ROLE:
            client.meta.events.register(
                "before-call", lambda **kw: (_ for _ in ()).throw(ClientError(
                    {"Error": {"Code": "AccessDenied", "Message": "no"}}, "AssumeRole")),
            )  # fmt: skip
        return client

    monkeypatch.setattr(aws, "aws_client", refusing_client)
    assert orphans_sweep() == []
    assert AuditEvent.objects.filter(action="provisioning.accounts_unreachable").count() == 1
    assert not AuditEvent.objects.filter(action="provisioning.orphans").exists()
    assert "1 unreachable AWS account" in mailoutbox[-1].subject and "trust policy" in mailoutbox[-1].body


# --- which account a new stack goes to ------------------------------------------------------------


def test_new_stacks_go_to_a_connected_own_account_and_other_workspaces_stay_on_the_platform(
    tenant, owner, other_tenant
):
    account = TenantAwsAccount.objects.create(
        tenant=tenant, role_arn=ROLE, external_id=aws.generate_external_id(), created_by=owner,
        status=TenantAwsAccount.Status.VERIFIED,
    )  # fmt: skip
    assert aws_account_role_for_new_stack(tenant=tenant) == aws.AssumableRole(ROLE, account.external_id)
    assert aws_account_role_for_new_stack(tenant=other_tenant) == ("", "")  # the platform's, per project


def test_a_registered_account_without_a_role_yet_leaves_new_stacks_on_the_platform(tenant):
    TenantAwsAccount.objects.create(tenant=tenant, role_arn="", external_id=aws.generate_external_id())
    assert aws_account_role_for_new_stack(tenant=tenant) == ("", "")


@pytest.mark.parametrize(
    ("status", "message"),
    [("checking", "still checking"), ("failed", "not connected"), ("not_set", "not connected")],
)
def test_a_role_not_yet_connected_gets_no_new_stacks_nor_falls_back_to_the_platform(tenant, status, message):
    TenantAwsAccount.objects.create(
        tenant=tenant, role_arn=ROLE, external_id=aws.generate_external_id(), status=status
    )
    with pytest.raises(TransitionRefused, match=message):
        aws_account_role_for_new_stack(tenant=tenant)
