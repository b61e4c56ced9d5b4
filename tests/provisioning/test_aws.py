"""The AWS access layer: assumed-role sessions and their cache, tags, and the error helpers.

moto accepts any ExternalId, session name or duration, so what Tijori sends to STS is read off the
request itself with botocore event hooks, not inferred from moto answering.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from urllib.parse import parse_qs

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from apps.provisioning import aws
from apps.provisioning.models import Project, TenantAwsAccount
from tests.provisioning.conftest import AWS_TEST_REGION, PLATFORM_EXTERNAL_ID, PLATFORM_ROLE_ARN

pytestmark = pytest.mark.django_db

REGION = AWS_TEST_REGION
TENANT_ROLE_ARN = "arn:aws:iam::444455556666:role/ShopOwnRole"


def make_project(tenant, owner, **fields) -> Project:
    defaults = {
        "name": f"Shop site {secrets.token_hex(3)}",
        "key": secrets.token_hex(4),
        "region": REGION,
        "estimate_usd_month": 0,
        "created_by": owner,
    }
    return Project.objects.create(tenant=tenant, **{**defaults, **fields})


def client_error(
    code: str, status: int = 400, operation: str = "CreateBucket", message: str = ""
) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message or f"{code} happened"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


def access_key_of(authorization: bytes | str) -> str:
    """The access key id in a SigV4 Authorization header."""
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    return re.search(r"Credential=([^/]+)/", text).group(1)


# --- sessions, caching and what is sent to STS -------------------------------------------------


def test_several_clients_share_one_assume_role(tenant, owner, assume_role_calls):
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk)
    dynamodb = aws.aws_client("dynamodb", tenant=tenant, region=REGION, user_id=owner.pk)
    lam = aws.aws_client("lambda", tenant=tenant, region=REGION, user_id=owner.pk)
    assert assume_role_calls == []  # nothing is assumed until the first real call

    s3.list_buckets()
    dynamodb.list_tables()
    lam.list_functions()
    aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()

    assert len(assume_role_calls) == 1
    assert aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk) is s3
    assert aws.aws_session(tenant=tenant, region=REGION) is aws.aws_session(tenant=tenant, region=REGION)


def test_each_member_gets_a_session_named_and_tagged_for_them(tenant, owner, admin_user, assume_role_calls):
    """CloudTrail must name whoever the work is for, even while another member's session is cached."""
    aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()
    aws.aws_client("s3", tenant=tenant, region=REGION, user_id=admin_user.pk).list_buckets()
    aws.aws_client("s3", tenant=tenant, region=REGION).list_buckets()
    aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()  # cached

    assert [call["RoleSessionName"] for call in assume_role_calls] == [
        f"tijori-t{tenant.pk}-u{owner.pk}",
        f"tijori-t{tenant.pk}-u{admin_user.pk}",
        f"tijori-t{tenant.pk}",
    ]
    assert [{t["Key"]: t["Value"] for t in call["Tags"]}["UserId"] for call in assume_role_calls] == [
        str(owner.pk),
        str(admin_user.pk),
        "system",
    ]


def test_assume_role_request_carries_external_id_name_duration_and_session_tags(tenant, owner, aws_env):
    sent = []
    aws._sts_client(REGION).meta.events.register(
        "before-send.sts.AssumeRole", lambda request, **kwargs: sent.append(request.body)
    )
    aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()

    assert len(sent) == 1
    body = sent[0].decode() if isinstance(sent[0], bytes) else sent[0]
    form = {key: values[0] for key, values in parse_qs(body).items()}  # the bytes on the wire
    assert form["Action"] == "AssumeRole"
    assert form["RoleArn"] == PLATFORM_ROLE_ARN
    assert form["ExternalId"] == PLATFORM_EXTERNAL_ID
    assert form["DurationSeconds"] == "3600"
    assert form["RoleSessionName"] == f"tijori-t{tenant.pk}-u{owner.pk}"
    tags = {form[f"Tags.member.{i}.Key"]: form[f"Tags.member.{i}.Value"] for i in (1, 2)}
    assert tags == {"TenantId": str(tenant.pk), "UserId": str(owner.pk)}
    assert {form["TransitiveTagKeys.member.1"], form["TransitiveTagKeys.member.2"]} == {"TenantId", "UserId"}


def test_session_without_user_is_named_for_the_tenant_and_tagged_system(tenant, assume_role_calls):
    aws.aws_client("s3", tenant=tenant, region=REGION).list_buckets()
    (params,) = assume_role_calls
    assert params["RoleSessionName"] == f"tijori-t{tenant.pk}"
    assert {"Key": "UserId", "Value": "system"} in params["Tags"]


def test_session_name_is_valid_for_sts_whatever_the_ids():
    name = aws.session_name(tenant_id=10**40, user_id=10**40)
    assert 2 <= len(name) <= 64
    assert re.fullmatch(r"[\w+=,.@-]+", name)


def test_calls_really_run_as_the_assumed_role(tenant, owner, aws_env):
    identity = aws.aws_client("sts", tenant=tenant, region=REGION, user_id=owner.pk).get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert identity["Arn"].endswith(f":assumed-role/TijoriProvisioner/tijori-t{tenant.pk}-u{owner.pk}")


def test_tenant_with_its_own_account_gets_its_role_and_external_id(
    tenant, owner, other_tenant, assume_role_calls
):
    account = TenantAwsAccount.objects.create(
        tenant=tenant, role_arn=TENANT_ROLE_ARN, external_id=aws.generate_external_id(), created_by=owner,
        status=TenantAwsAccount.Status.VERIFIED,
    )  # fmt: skip
    assert aws.role_for(tenant) == (TENANT_ROLE_ARN, account.external_id)
    assert aws.role_for(other_tenant) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)

    identity = aws.aws_client("sts", tenant=tenant, region=REGION).get_caller_identity()
    aws.aws_client("s3", tenant=other_tenant, region=REGION).list_buckets()

    assert identity["Account"] == "444455556666"  # the work happens in the tenant's own account
    own, platform = assume_role_calls
    assert (own["RoleArn"], own["ExternalId"]) == (TENANT_ROLE_ARN, account.external_id)
    assert (platform["RoleArn"], platform["ExternalId"]) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)


def test_registered_account_without_a_role_yet_uses_the_platform_role(tenant, owner, aws_env):
    TenantAwsAccount.objects.create(tenant=tenant, role_arn="", external_id=aws.generate_external_id())
    assert aws.role_for(tenant) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)


@pytest.mark.parametrize("status", ["not_set", "checking", "failed"])
def test_a_role_not_yet_connected_gets_no_new_stacks(tenant, aws_env, status):
    TenantAwsAccount.objects.create(
        tenant=tenant, role_arn=TENANT_ROLE_ARN, external_id=aws.generate_external_id(), status=status
    )
    assert aws.role_for(tenant) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)


def test_a_project_keeps_the_role_it_was_provisioned_with(tenant, owner, aws_env):
    project = make_project(tenant, owner)
    assert aws.project_role(project) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)
    project.aws_role_arn, project.aws_external_id = TENANT_ROLE_ARN, "their-external-id"
    TenantAwsAccount.objects.create(
        tenant=tenant, role_arn="arn:aws:iam::777788889999:role/Other", external_id="x", status="verified"
    )
    assert aws.project_role(project) == (TENANT_ROLE_ARN, "their-external-id")


def test_tenants_and_regions_get_their_own_sessions(tenant, other_tenant, assume_role_calls):
    us_calls = []
    aws._sts_client("us-east-1").meta.events.register(
        "before-parameter-build.sts.AssumeRole", lambda params, **kwargs: us_calls.append(dict(params))
    )
    aws.aws_client("s3", tenant=tenant, region=REGION).list_buckets()
    aws.aws_client("s3", tenant=other_tenant, region=REGION).list_buckets()
    aws.aws_client("s3", tenant=tenant, region="us-east-1").list_buckets()

    assert [dict(c["Tags"][0].items()) for c in assume_role_calls] == [
        {"Key": "TenantId", "Value": str(tenant.pk)},
        {"Key": "TenantId", "Value": str(other_tenant.pk)},
    ]
    assert len(us_calls) == 1
    assert aws.aws_client("s3", tenant=tenant, region=REGION) is not aws.aws_client(
        "s3", tenant=other_tenant, region=REGION
    )


def test_credentials_near_expiry_are_renewed_and_used_by_cached_clients(
    tenant, owner, assume_role_calls, monkeypatch
):
    issued = []
    aws._sts_client(REGION).meta.events.register(
        "after-call.sts.AssumeRole",
        lambda parsed, **kwargs: issued.append(parsed["Credentials"]["AccessKeyId"]),
    )
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk)
    signed_with = []
    s3.meta.events.register(
        "before-send.s3.ListBuckets",
        lambda request, **kwargs: signed_with.append(access_key_of(request.headers["Authorization"])),
    )
    real_now = aws._now

    s3.list_buckets()
    monkeypatch.setattr(aws, "_now", lambda: real_now() + dt.timedelta(minutes=30))
    s3.list_buckets()  # 30 minutes left: no renewal yet
    assert len(assume_role_calls) == 1

    monkeypatch.setattr(aws, "_now", lambda: real_now() + dt.timedelta(minutes=47))
    s3.list_buckets()  # 13 minutes left: inside botocore's 15-minute window, renewed before use

    assert len(assume_role_calls) == 2
    assert assume_role_calls[1] == assume_role_calls[0]  # same role, ExternalId, name and tags
    assert issued[0] != issued[1]
    assert signed_with == [issued[0], issued[0], issued[1]]
    assert aws.aws_client("s3", tenant=tenant, region=REGION, user_id=owner.pk) is s3


def test_expired_credentials_block_until_renewed(tenant, assume_role_calls, monkeypatch):
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION)
    s3.list_buckets()
    real_now = aws._now
    monkeypatch.setattr(aws, "_now", lambda: real_now() + dt.timedelta(minutes=55))
    s3.list_buckets()  # 5 minutes left: mandatory renewal
    assert len(assume_role_calls) == 2


def test_concurrent_first_use_assumes_the_role_once(tenant, assume_role_calls):
    clients, errors = [], []

    def work():
        try:
            client = aws.aws_client("s3", tenant=tenant, region=REGION)
            client.list_buckets()
            clients.append(client)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({id(c) for c in clients}) == 1
    assert len(assume_role_calls) == 1


def test_least_recently_used_sessions_are_dropped_past_the_limit(tenant, other_tenant, aws_env, monkeypatch):
    monkeypatch.setattr(aws, "MAX_SESSIONS", 2)
    first = aws.aws_client("s3", tenant=tenant, region=REGION)
    aws.aws_client("s3", tenant=other_tenant, region=REGION)
    aws.aws_client("s3", tenant=tenant, region=REGION)  # used again: now the most recent
    aws.aws_client("s3", tenant=tenant, region="us-east-1")  # drops other_tenant's session

    assert aws.aws_client("s3", tenant=tenant, region=REGION) is first
    assert len(aws._sessions) == 2
    assert {key[2] for key in aws._sessions} == {tenant.pk}
    assert all(key[0] in aws._sessions for key in aws._clients)


def test_clear_cache_forgets_sessions_and_clients(tenant, aws_env):
    before = aws.aws_client("s3", tenant=tenant, region=REGION)
    aws.clear_cache()
    assert aws.aws_client("s3", tenant=tenant, region=REGION) is not before


# --- client configuration and endpoint ---------------------------------------------------------


def test_clients_retry_adaptively_with_timeouts_and_use_aws_endpoints_by_default(tenant, aws_env):
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION)
    assert s3.meta.config.retries["mode"] == "adaptive"
    assert s3.meta.config.retries["total_max_attempts"] == 6  # botocore's count: 1 try + 5 retries
    assert (s3.meta.config.connect_timeout, s3.meta.config.read_timeout) == (5, 30)
    assert s3.meta.endpoint_url == f"https://s3.{REGION}.amazonaws.com"
    assert s3.meta.region_name == REGION


def test_endpoint_url_setting_is_honoured_by_every_client(tenant, aws_env, settings):
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5999"
    aws.clear_cache()
    for service in ("s3", "dynamodb", "lambda", "iam", "apigatewayv2", "resourcegroupstaggingapi"):
        assert (
            aws.aws_client(service, tenant=tenant, region=REGION).meta.endpoint_url == "http://127.0.0.1:5999"
        )
    assert aws._sts_client(REGION).meta.endpoint_url == "http://127.0.0.1:5999"
    assert aws.aws_client("s3", tenant=tenant, region=REGION).meta.config.s3["addressing_style"] == "path"


def test_changing_the_endpoint_setting_does_not_reuse_old_clients(tenant, aws_env, settings):
    aws_client = aws.aws_client("s3", tenant=tenant, region=REGION)
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5999"
    assert aws.aws_client("s3", tenant=tenant, region=REGION) is not aws_client


# --- tags --------------------------------------------------------------------------------------

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_resource_tags_name_tenant_user_project_platform_and_times(tenant, owner, settings):
    settings.TIJORI_ENVIRONMENT = "staging"
    settings.RESOURCE_TIMEOUT_MINUTES = 60
    project = make_project(tenant, owner)
    before = timezone.now().replace(microsecond=0)

    tags = aws.resource_tags(project)

    assert set(tags) == {
        "TenantId",
        "UserId",
        "ProjectId",
        "StackId",
        "ManagedBy",
        "Environment",
        "CreatedAt",
        "ExpiresAt",
    }
    assert all(isinstance(value, str) for value in tags.values())
    assert tags["TenantId"] == str(tenant.pk)
    assert tags["UserId"] == str(owner.pk)
    assert tags["ProjectId"] == str(project.pk)
    assert tags["StackId"] == f"tijori-staging-{project.key}"
    assert tags["ManagedBy"] == aws.PLATFORM_TAG == "tijori"
    assert tags["Environment"] == "staging"
    assert ISO_UTC.fullmatch(tags["CreatedAt"]) and ISO_UTC.fullmatch(tags["ExpiresAt"])
    assert tags["CreatedAt"] == project.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    expires = dt.datetime.strptime(tags["ExpiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert before + dt.timedelta(minutes=60) <= expires <= timezone.now() + dt.timedelta(minutes=60)


def test_resource_tags_use_the_project_expiry_and_the_acting_user(tenant, owner, admin_user):
    expires_at = dt.datetime(
        2026, 4, 1, 16, 0, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    project = make_project(tenant, owner, expires_at=expires_at)
    tags = aws.resource_tags(project, user_id=admin_user.pk)
    assert tags["ExpiresAt"] == "2026-04-01T10:30:30Z"
    assert tags["UserId"] == str(admin_user.pk)


def test_resource_tags_without_any_user_say_system(tenant, owner):
    project = make_project(tenant, owner, created_by=None)
    assert aws.resource_tags(project)["UserId"] == "system"


def test_tag_list_is_the_key_value_form():
    assert aws.tag_list({"A": "1", "B": "2"}) == [{"Key": "A", "Value": "1"}, {"Key": "B", "Value": "2"}]
    assert aws.tag_list({}) == []


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(aws.THROTTLING_CODES))
def test_throttling_is_transient_and_said_plainly(code):
    exc = client_error(code, status=429 if code == "TooManyRequestsException" else 400)
    assert aws.is_transient(exc)
    assert not aws.is_not_found(exc)
    assert aws.plain_error(exc) == "AWS is busy (throttling)."
    assert aws.error_code(exc) == code


@pytest.mark.parametrize(
    "exc",
    [
        EndpointConnectionError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
        ConnectionClosedError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
    ],
)
def test_network_failures_are_transient(exc):
    assert aws.is_transient(exc)
    assert aws.error_code(exc) == type(exc).__name__
    assert aws.plain_error(exc) == "AWS could not be reached (network or timeout)."


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_aws_server_errors_are_transient(status):
    exc = client_error("InternalError" if status == 500 else "ServiceUnavailable", status=status)
    assert aws.is_transient(exc)
    assert aws.plain_error(exc) == "AWS had an internal error."


@pytest.mark.parametrize(
    "exc",
    [
        client_error("AccessDeniedException", operation="CreateFunction"),
        client_error("BucketAlreadyExists", status=409),
        client_error("ValidationException"),
        client_error("ResourceNotFoundException", status=404),
        NoCredentialsError(),
        ParamValidationError(report="Missing required parameter"),
        KeyError("x"),
        ValueError("bad"),
    ],
)
def test_terminal_errors_are_not_transient(exc):
    assert not aws.is_transient(exc)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("NoSuchBucket", 404),
        ("ResourceNotFoundException", 400),
        ("NotFoundException", 404),
        ("NoSuchEntity", 404),
        ("404", 404),
        ("SomethingElse", 404),
    ],
)
def test_not_found_codes_and_404s_count_as_gone(code, status):
    assert aws.is_not_found(client_error(code, status=status, operation="DeleteBucket"))


@pytest.mark.parametrize("code", ["AccessDenied", "BucketNotEmpty", "ResourceInUseException", "Throttling"])
def test_other_errors_are_not_gone(code):
    assert not aws.is_not_found(client_error(code, status=409))


def test_not_found_answers_of_moto_for_each_service(tenant, aws_env):
    def raised(call):
        try:
            call()
        except Exception as exc:
            return exc
        raise AssertionError("expected an error")

    clients = {
        s: aws.aws_client(s, tenant=tenant, region=REGION) for s in ("s3", "iam", "lambda", "dynamodb")
    }
    for exc in [
        raised(lambda: clients["s3"].head_bucket(Bucket="tijori-test-missing")),
        raised(lambda: clients["s3"].delete_bucket(Bucket="tijori-test-missing")),
        raised(lambda: clients["iam"].get_role(RoleName="tijori-test-missing")),
        raised(lambda: clients["iam"].delete_role(RoleName="tijori-test-missing")),
        raised(lambda: clients["lambda"].delete_function(FunctionName="tijori-test-missing")),
        raised(lambda: clients["dynamodb"].describe_table(TableName="tijori-test-missing")),
        raised(lambda: clients["dynamodb"].delete_table(TableName="tijori-test-missing")),
    ]:
        assert aws.is_not_found(exc), repr(exc)
        assert not aws.is_transient(exc)


def test_moto_keyerror_on_a_second_rest_api_delete_counts_as_gone(tenant, aws_env):
    apigateway = aws.aws_client("apigateway", tenant=tenant, region=REGION)
    api_id = apigateway.create_rest_api(name="tijori-test-api")["id"]
    apigateway.delete_rest_api(restApiId=api_id)
    with pytest.raises(KeyError) as raised:
        apigateway.delete_rest_api(restApiId=api_id)
    assert aws.is_not_found(raised.value)
    assert aws.error_code(raised.value) == "KeyError"


def test_a_keyerror_of_our_own_is_not_taken_for_gone():
    try:
        {}["missing"]
    except KeyError as exc:
        assert not aws.is_not_found(exc)


def test_emulator_500_on_api_delete_counts_as_gone_only_with_an_emulator(settings):
    exc = client_error("500", status=500, operation="DeleteRestApi", message="<!doctype html>...")
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5000"
    assert aws.is_not_found(exc)
    assert not aws.is_not_found(client_error("500", status=500, operation="DeleteTable"))

    settings.AWS_ENDPOINT_URL = ""
    assert not aws.is_not_found(exc)  # on real AWS a 500 is a server error, retried
    assert aws.is_transient(exc)


def test_bucket_name_taken_by_another_account_is_said_plainly(tenant, aws_env):
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="tijori-test-taken", CreateBucketConfiguration={"LocationConstraint": REGION}
    )  # moto's default account, not the tenant's assumed role
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION)
    with pytest.raises(ClientError) as raised:
        s3.create_bucket(Bucket="tijori-test-taken", CreateBucketConfiguration={"LocationConstraint": REGION})
    assert aws.error_code(raised.value) == "BucketAlreadyExists"
    assert aws.plain_error(raised.value) == "The bucket name is taken by another AWS account."


def test_plain_error_says_what_aws_refused():
    exc = client_error("AccessDeniedException", operation="CreateFunction", message="not allowed\n  here")
    assert aws.plain_error(exc) == "AWS refused: AccessDeniedException: not allowed here"


def test_plain_error_on_a_refused_assume_role_points_at_trust_policy_and_external_id():
    exc = client_error(
        "AccessDenied", status=403, operation="AssumeRole", message="User: x is not authorized"
    )
    message = aws.plain_error(exc)
    assert "trust policy" in message and "ExternalId" in message


def test_plain_error_never_shows_credentials_or_tracebacks():
    leaky = client_error(
        "InvalidParameterValueException",
        message="Key ASIAQWERTYUIOPASDFGH with secret wJalrXUtnFEMI/K7MDENG was rejected",
    )
    assert "ASIAQWERTYUIOPASDFGH" not in aws.plain_error(leaky)
    assert "[access key]" in aws.plain_error(leaky)
    assert aws.plain_error(
        client_error("SignatureDoesNotMatch", status=403, message="StringToSign secret")
    ) == ("AWS did not accept Tijori's credentials; a platform administrator must check them.")
    unexpected = aws.plain_error(RuntimeError("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG"))
    assert unexpected == "Something unexpected went wrong (RuntimeError)."
    assert "Traceback" not in aws.plain_error(client_error("ValidationException", message="x" * 5000))
    assert len(aws.plain_error(client_error("ValidationException", message="x" * 5000))) < 400


def test_plain_error_for_missing_credentials_and_bad_requests():
    assert "no AWS credentials" in aws.plain_error(NoCredentialsError())
    assert "Tijori's side" in aws.plain_error(ParamValidationError(report="Missing required parameter"))


def test_error_code_of_a_client_error_without_code_falls_back_to_the_status():
    exc = ClientError({"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "HeadBucket")
    assert aws.error_code(exc) == "404"
    assert aws.is_not_found(exc)


# --- tenants' own accounts ---------------------------------------------------------------------


def test_generated_external_ids_are_long_random_and_url_safe():
    ids = {aws.generate_external_id() for _ in range(200)}
    assert len(ids) == 200
    field = TenantAwsAccount._meta.get_field("external_id")
    for external_id in ids:
        assert 32 <= len(external_id) <= field.max_length
        assert re.fullmatch(r"[A-Za-z0-9_-]+", external_id)  # also within STS's ExternalId characters


def test_trust_policy_trusts_the_platform_account_with_the_external_id(settings):
    settings.AWS_ROLE_ARN = "arn:aws:iam::123456789012:role/TijoriProvisioner"
    policy = aws.trust_policy("ext-abc")
    assert policy["Version"] == "2012-10-17"
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "ext-abc"}}


def test_trust_policy_keeps_the_partition_of_the_platform_role(settings):
    settings.AWS_ROLE_ARN = "arn:aws-cn:iam::123456789012:role/TijoriProvisioner"
    assert aws.trust_policy("e" * 43)["Statement"][0]["Principal"] == {
        "AWS": "arn:aws-cn:iam::123456789012:root"
    }


@pytest.mark.parametrize("arn", ["", "TijoriProvisioner", "arn:aws:s3:::bucket", "arn:aws:iam::12345:role/x"])
def test_trust_policy_refuses_a_platform_role_that_is_not_an_iam_role_arn(settings, arn):
    settings.AWS_ROLE_ARN = arn
    with pytest.raises(ImproperlyConfigured):
        aws.trust_policy("ext-abc")


def test_sessions_share_parsed_service_models_and_waiters_and_paginators_work(tenant, other_tenant, aws_env):
    one = aws.aws_session(tenant=tenant, region=REGION)
    two = aws.aws_session(tenant=other_tenant, region=REGION)
    assert one._session.get_component("data_loader") is two._session.get_component("data_loader")

    dynamodb = aws.aws_client("dynamodb", tenant=tenant, region=REGION)
    dynamodb.create_table(
        TableName="tijori-test-waiter",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.get_waiter("table_exists").wait(TableName="tijori-test-waiter", WaiterConfig={"Delay": 1})
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION)
    s3.create_bucket(Bucket="tijori-test-pages", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="tijori-test-pages", Key="index.html", Body=b"<h1>Hi</h1>")
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="tijori-test-pages"))
    assert [item["Key"] for page in pages for item in page.get("Contents", [])] == ["index.html"]
