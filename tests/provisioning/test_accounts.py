"""A workspace's own AWS account: registering a role, the worker's check, stacks there, and its sweep.

moto accepts any AssumeRole (it checks neither the trust policy nor the ExternalId), so refusals
are injected at the botocore level, as AWS would send them.
"""

import html
import json

import pytest
from botocore.exceptions import ClientError
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.provisioning import aws
from apps.provisioning.exceptions import AwsTransientError, TransitionRefused
from apps.provisioning.models import Operation, TenantAwsAccount
from apps.provisioning.services import (
    aws_account_check,
    aws_account_check_failed,
    aws_account_connect,
    aws_account_disconnect,
    aws_account_recheck,
    aws_account_role_for_new_stack,
    aws_account_start,
    operation_request,
)
from tests.provisioning.conftest import (
    AWS_TEST_REGION,
    OWN_ACCOUNT_ROLE,
    create_execution_boundary,
)
from tests.provisioning.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

ROLE = OWN_ACCOUNT_ROLE
OTHER_ROLE = "arn:aws:iam::777788889999:role/path/to/TijoriAccess"


def refuse_assume_role(code="AccessDenied"):
    """Make STS refuse the next AssumeRole calls, as AWS does for a wrong trust policy or ExternalId."""

    def refuse(**kwargs):
        raise ClientError(
            {"Error": {"Code": code, "Message": "User: arn:aws:sts::111122223333 is not authorized"},
             "ResponseMetadata": {"HTTPStatusCode": 403 if code == "AccessDenied" else 400}},
            "AssumeRole",
        )  # fmt: skip

    client = aws.sts_client(AWS_TEST_REGION)
    client.meta.events.register("before-call.sts.AssumeRole", refuse)
    return lambda: client.meta.events.unregister("before-call.sts.AssumeRole", refuse)


# --- registering and checking --------------------------------------------------------------------


def test_start_generates_one_external_id_and_keeps_it(tenant, owner):
    first = aws_account_start(tenant=tenant, actor=owner)
    again = aws_account_start(tenant=tenant, actor=owner)
    assert first.pk == again.pk and first.external_id == again.external_id and len(first.external_id) >= 40
    assert first.status == "not_set" and first.role_arn == ""
    assert AuditEvent.objects.filter(tenant=tenant, action="aws_account.start").count() == 1


def test_connecting_assumes_the_role_with_its_external_id_and_records_the_account(
    tenant, owner, connect, assume_role_calls
):
    account = connect()
    assert account.status == "verified" and account.account_id == "444455556666" and account.checked_at
    (call,) = assume_role_calls
    assert call["RoleArn"] == ROLE and call["ExternalId"] == account.external_id
    assert call["RoleSessionName"] == f"tijori-t{tenant.pk}"
    assert aws_account_role_for_new_stack(tenant=tenant) == (ROLE, account.external_id)
    actions = list(AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert {"aws_account.connect", "aws_account.verified"} <= set(actions)


def test_the_check_really_assumes_the_role_even_when_a_session_is_cached(
    tenant, owner, connect, assume_role_calls, django_capture_on_commit_callbacks
):
    account = connect()
    role = aws.AssumableRole(ROLE, account.external_id)
    aws.aws_client("sts", tenant=tenant, region=AWS_TEST_REGION, role=role).get_caller_identity()  # cached
    calls_before = len(assume_role_calls)
    with django_capture_on_commit_callbacks(execute=True):
        TenantAwsAccount.objects.filter(tenant=tenant).update(status="failed")
        aws_account_recheck(tenant=tenant, actor=owner)
    assert len(assume_role_calls) == calls_before + 1


@pytest.mark.parametrize(
    ("role_arn", "message"),
    [
        ("", "Paste the ARN"),
        ("arn:aws:iam::123:role/x", "not an IAM role ARN"),
        ("arn:aws:iam::444455556666:user/TijoriAccess", "not an IAM role ARN"),
        ("arn:aws:s3:::my-bucket", "not an IAM role ARN"),
        ("arn:aws:iam::444455556666:role/Tijori Access", "not an IAM role ARN"),
        ("arn:aws:iam::111122223333:role/Anything", "Tijori's own AWS account"),
    ],
)
def test_a_bad_role_arn_is_refused_and_nothing_changes(tenant, owner, role_arn, message):
    aws_account_start(tenant=tenant, actor=owner)
    with pytest.raises(ValidationError) as refused:
        aws_account_connect(tenant=tenant, actor=owner, role_arn=role_arn)
    assert message in str(refused.value.message_dict["role_arn"])
    account = TenantAwsAccount.objects.get(tenant=tenant)
    assert account.role_arn == "" and account.status == "not_set"


def test_a_refused_assume_role_fails_the_check_in_words_and_can_be_checked_again(
    tenant, owner, connect, django_capture_on_commit_callbacks
):
    restore = refuse_assume_role()
    account = connect()
    assert account.status == "failed" and account.account_id == ""
    assert "trust policy" in account.check_error and "ExternalId" in account.check_error
    with pytest.raises(TransitionRefused, match="not connected"):  # a failed role gets no stacks
        aws_account_role_for_new_stack(tenant=tenant)
    project = ProjectFactory(tenant=tenant, actor=owner, name="P", region=AWS_TEST_REGION)
    with pytest.raises(TransitionRefused, match="not connected"):
        operation_request(tenant=tenant, actor=owner, project=project, action="provision")
    project.refresh_from_db()
    assert project.infra_state == "new" and not Operation.objects.exists()

    restore()
    with django_capture_on_commit_callbacks(execute=True):
        aws_account_recheck(tenant=tenant, actor=owner)
    account.refresh_from_db()
    assert account.status == "verified" and account.check_error == ""


def test_a_transient_sts_error_is_retried_and_a_give_up_is_recorded(tenant, owner):
    aws_account_start(tenant=tenant, actor=owner)
    account = aws_account_connect(tenant=tenant, actor=owner, role_arn=ROLE)  # the task is not run
    refuse_assume_role("Throttling")
    with pytest.raises(AwsTransientError):
        aws_account_check(account_pk=account.pk, role_arn=ROLE)
    account.refresh_from_db()
    assert account.status == "checking"
    aws_account_check_failed(account_pk=account.pk, role_arn=ROLE, reason="AWS is busy (throttling).")
    account.refresh_from_db()
    assert account.status == "failed" and "gave up" in account.check_error


def test_a_check_of_a_role_replaced_meanwhile_records_nothing(tenant, owner):
    aws_account_start(tenant=tenant, actor=owner)
    account = aws_account_connect(tenant=tenant, actor=owner, role_arn=ROLE)
    aws_account_connect(tenant=tenant, actor=owner, role_arn=OTHER_ROLE)
    assert aws_account_check(account_pk=account.pk, role_arn=ROLE) is None
    account.refresh_from_db()
    assert account.role_arn == OTHER_ROLE and account.status == "checking"
    create_execution_boundary(OTHER_ROLE)
    aws_account_check(account_pk=account.pk, role_arn=OTHER_ROLE)
    account.refresh_from_db()
    assert account.status == "verified" and account.account_id == "777788889999"


def test_an_answer_for_another_account_fails_the_check(tenant, owner, connect, monkeypatch):
    real_session = aws.assumed_role_session

    def session_answering_for_another_account(**kwargs):
        session = real_session(**kwargs)
        session.events.register(
            "after-call.sts.GetCallerIdentity", lambda parsed, **kw: parsed.update(Account="999999999999")
        )
        return session

    monkeypatch.setattr(aws, "assumed_role_session", session_answering_for_another_account)
    account = connect()
    assert account.status == "failed" and "999999999999, not 444455556666" in account.check_error


def test_a_missing_boundary_policy_fails_the_check_and_a_recheck_after_creating_it_connects(
    tenant, owner, connect, django_capture_on_commit_callbacks
):
    account = connect(boundary=False)
    assert account.status == "failed" and account.account_id == ""
    assert account.check_error == (
        "The permissions boundary policy tijori-local-execution-boundary does not exist in account "
        "444455556666. Create it first (step 1 of the AWS account page), then check again."
    )
    with pytest.raises(TransitionRefused, match="not connected"):  # no stacks go there without it
        aws_account_role_for_new_stack(tenant=tenant)
    assert AuditEvent.objects.filter(tenant=tenant, action="aws_account.failed").count() == 1

    create_execution_boundary(ROLE)
    with django_capture_on_commit_callbacks(execute=True):
        aws_account_recheck(tenant=tenant, actor=owner)
    account.refresh_from_db()
    assert account.status == "verified" and account.check_error == ""


def test_a_role_that_may_not_read_the_boundary_policy_fails_the_check_in_words(
    tenant, owner, connect, monkeypatch
):
    real_session = aws.assumed_role_session

    def session_refused_get_policy(**kwargs):
        session = real_session(**kwargs)
        session.events.register(
            "before-call.iam.GetPolicy", lambda **kw: (_ for _ in ()).throw(ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform: iam:GetPolicy"},
                 "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetPolicy")),
        )  # fmt: skip
        return session

    monkeypatch.setattr(aws, "assumed_role_session", session_refused_get_policy)
    account = connect()
    assert (
        account.status == "failed" and "may not read the permissions boundary policy" in account.check_error
    )
    assert "iam:GetPolicy" in account.check_error


def test_recheck_and_disconnect_need_a_role(tenant, owner):
    with pytest.raises(TransitionRefused):
        aws_account_recheck(tenant=tenant, actor=owner)
    aws_account_start(tenant=tenant, actor=owner)
    with pytest.raises(TransitionRefused):
        aws_account_disconnect(tenant=tenant, actor=owner)
    aws_account_connect(tenant=tenant, actor=owner, role_arn=ROLE)
    with pytest.raises(TransitionRefused, match="being checked"):
        aws_account_recheck(tenant=tenant, actor=owner)


def test_provisioning_waits_while_the_connection_is_being_checked(tenant, owner):
    aws_account_start(tenant=tenant, actor=owner)
    aws_account_connect(tenant=tenant, actor=owner, role_arn=ROLE)
    project = ProjectFactory(tenant=tenant, actor=owner, name="P", region=AWS_TEST_REGION)
    with pytest.raises(TransitionRefused, match="still checking"):
        operation_request(tenant=tenant, actor=owner, project=project, action="provision")


# --- the page ------------------------------------------------------------------------------------------


def test_owner_connects_an_account_through_the_page(
    owner_client, tenant, django_capture_on_commit_callbacks, assume_role_calls
):
    url = reverse("provisioning:aws_account")
    page = owner_client.get(url).content.decode()
    assert "Start: show me the role to create" in page
    owner_client.post(reverse("provisioning:aws_account_start"))
    account = TenantAwsAccount.objects.get(tenant=tenant)
    page = html.unescape(owner_client.get(url).content.decode())
    assert account.external_id in page
    assert '"sts:ExternalId": "' + account.external_id + '"' in page  # the trust policy to paste
    assert '"AWS": "arn:aws:iam::111122223333:root"' in page
    assert '"Sid": "OnlyAllowedRegions"' in page  # and the permission policy
    # The boundary policy comes first, under the exact name the check looks for.
    assert "tijori-local-execution-boundary" in page and '"Sid": "OwnTable"' in page
    assert (
        page.index('id="boundary-policy"')
        < page.index('id="trust-policy"')
        < page.index('id="permission-policy"')
    )

    bad = owner_client.post(
        reverse("provisioning:aws_account_connect"), {"role_arn": "arn:aws:iam::1:role/x"}
    )
    assert bad.status_code == 422 and "not an IAM role ARN" in bad.content.decode()

    create_execution_boundary(ROLE)
    with django_capture_on_commit_callbacks(execute=True):
        done = owner_client.post(reverse("provisioning:aws_account_connect"), {"role_arn": ROLE})
    assert done.status_code == 302
    status = owner_client.get(url + "?part=status", HTTP_HX_REQUEST="true").content.decode()
    assert "Connected" in status and "444455556666" in status and "hx-trigger" not in status
    listing = owner_client.get(reverse("provisioning:project_list")).content.decode()
    assert "New stacks go to your AWS account" in listing and "444455556666" in listing


def test_the_status_part_polls_while_the_check_runs(owner_client, tenant, owner):
    aws_account_start(tenant=tenant, actor=owner)
    aws_account_connect(tenant=tenant, actor=owner, role_arn=ROLE)
    status = owner_client.get(reverse("provisioning:aws_account") + "?part=status", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="load delay:2s"' in status.content.decode() and b"<html" not in status.content


@pytest.mark.parametrize("who", ["admin_user", "staff_user"])
def test_only_the_owner_manages_the_aws_account(make_client, tenant, who, request):
    client = make_client(request.getfixturevalue(who), tenant)
    assert client.get(reverse("provisioning:aws_account")).status_code == 403
    assert client.post(reverse("provisioning:aws_account_start")).status_code == 403
    assert client.post(reverse("provisioning:aws_account_connect"), {"role_arn": ROLE}).status_code == 403
    assert not TenantAwsAccount.objects.exists()


def test_each_workspace_sees_only_its_own_account(owner_client, tenant, owner, other_tenant):
    theirs = aws_account_start(tenant=other_tenant, actor=None)
    page = owner_client.get(reverse("provisioning:aws_account")).content.decode()
    assert theirs.external_id not in page and "Start: show me the role to create" in page


# --- the API -------------------------------------------------------------------------------------------


def test_api_connects_an_account_step_by_step(api, tenant, django_capture_on_commit_callbacks):
    missing = api.get("/api/v1/aws-account")
    assert missing.status_code == 404 and "POST /api/v1/aws-account first" in missing.json()["message"]

    started = api.post("/api/v1/aws-account").json()
    assert started["status"] == "not_set" and len(started["external_id"]) >= 40
    statement = started["trust_policy"]["Statement"][0]
    assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == started["external_id"]
    assert {s["Sid"] for s in started["permission_policy"]["Statement"]} >= {
        "OnlyAllowedRegions",
        "S3Buckets",
    }
    assert api.post("/api/v1/aws-account").json()["external_id"] == started["external_id"]
    assert started["boundary_policy_name"] == "tijori-local-execution-boundary"
    assert {s["Sid"] for s in started["boundary_policy"]["Statement"]} == {"OwnLogGroup", "OwnTable"}

    bad = api.put("/api/v1/aws-account", {"role_arn": "arn:aws:iam::1:role/x"})
    assert bad.status_code in (400, 422) and "not an IAM role ARN" in bad.json()["message"]
    assert bad.json()["fields"]["role_arn"]

    create_execution_boundary(ROLE)
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.put("/api/v1/aws-account", {"role_arn": ROLE})
    assert queued.status_code == 202 and queued.json()["status"] == "checking"
    done = api.get("/api/v1/aws-account").json()
    assert done["status"] == "verified" and done["account_id"] == "444455556666"
    assert ":444455556666:" in json.dumps(done["permission_policy"])

    assert api.post("/api/v1/aws-account/check").status_code == 202
    gone = api.delete("/api/v1/aws-account")
    assert gone.status_code == 200 and gone.json()["status"] == "not_set" and gone.json()["role_arn"] == ""
    assert api.delete("/api/v1/aws-account").status_code == 409


def test_api_aws_account_is_for_owners_only(tenant, admin_user):
    from tests.api_helpers import ApiClient, make_key

    admin_api = ApiClient(make_key(tenant, admin_user, "admin"))
    assert admin_api.get("/api/v1/aws-account").status_code == 403
    assert admin_api.post("/api/v1/aws-account").status_code == 403
    assert not TenantAwsAccount.objects.exists()
