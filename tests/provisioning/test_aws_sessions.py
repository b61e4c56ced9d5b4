"""Assumed-role sessions and their cache, what is sent to STS, and the clients made on them.

moto accepts any ExternalId, session name or duration, so what Tijori sends to STS is read off the
request itself with botocore event hooks, not inferred from moto answering.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from urllib.parse import parse_qs

import pytest

from apps.provisioning import aws
from apps.provisioning.aws import sessions
from apps.provisioning.models import TenantAwsAccount
from tests.provisioning.conftest import AWS_TEST_REGION, PLATFORM_EXTERNAL_ID, PLATFORM_ROLE_ARN
from tests.provisioning.factories import ProjectFactory

pytestmark = pytest.mark.django_db

REGION = AWS_TEST_REGION
TENANT_ROLE_ARN = "arn:aws:iam::444455556666:role/ShopOwnRole"
PLATFORM = aws.AssumableRole(PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)


def client(service: str, **kwargs):
    """A client as the services make them, on the platform role unless told otherwise."""
    return aws.aws_client(service, **{"role": PLATFORM, **kwargs})


session = functools.partial(aws.aws_session, role=PLATFORM)


def access_key_of(authorization: bytes | str) -> str:
    """The access key id in a SigV4 Authorization header."""
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    return re.search(r"Credential=([^/]+)/", text).group(1)


def test_several_clients_share_one_assume_role(tenant, owner, assume_role_calls):
    s3 = client("s3", tenant=tenant, region=REGION, user_id=owner.pk)
    dynamodb = client("dynamodb", tenant=tenant, region=REGION, user_id=owner.pk)
    lam = client("lambda", tenant=tenant, region=REGION, user_id=owner.pk)
    assert assume_role_calls == []  # nothing is assumed until the first real call

    s3.list_buckets()
    dynamodb.list_tables()
    lam.list_functions()
    client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()

    assert len(assume_role_calls) == 1
    assert client("s3", tenant=tenant, region=REGION, user_id=owner.pk) is s3
    assert session(tenant=tenant, region=REGION) is session(tenant=tenant, region=REGION)


def test_each_member_gets_a_session_named_and_tagged_for_them(tenant, owner, admin_user, assume_role_calls):
    """CloudTrail must name whoever the work is for, even while another member's session is cached."""
    client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()
    client("s3", tenant=tenant, region=REGION, user_id=admin_user.pk).list_buckets()
    client("s3", tenant=tenant, region=REGION).list_buckets()
    client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()  # cached

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
    aws.sts_client(REGION).meta.events.register(
        "before-send.sts.AssumeRole", lambda request, **kwargs: sent.append(request.body)
    )
    client("s3", tenant=tenant, region=REGION, user_id=owner.pk).list_buckets()

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
    client("s3", tenant=tenant, region=REGION).list_buckets()
    (params,) = assume_role_calls
    assert params["RoleSessionName"] == f"tijori-t{tenant.pk}"
    assert {"Key": "UserId", "Value": "system"} in params["Tags"]


def test_session_name_is_valid_for_sts_whatever_the_ids():
    name = aws.session_name(tenant_id=10**40, user_id=10**40)
    assert 2 <= len(name) <= 64
    assert re.fullmatch(r"[\w+=,.@-]+", name)


def test_calls_really_run_as_the_assumed_role(tenant, owner, aws_env):
    identity = client("sts", tenant=tenant, region=REGION, user_id=owner.pk).get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert identity["Arn"].endswith(f":assumed-role/TijoriProvisioner/tijori-t{tenant.pk}-u{owner.pk}")


def test_a_role_in_a_tenant_s_own_account_is_assumed_with_its_external_id(
    tenant, owner, other_tenant, assume_role_calls
):
    own = aws.AssumableRole(TENANT_ROLE_ARN, aws.generate_external_id())

    identity = client("sts", tenant=tenant, region=REGION, role=own).get_caller_identity()
    client("s3", tenant=other_tenant, region=REGION).list_buckets()

    assert identity["Account"] == "444455556666"  # the work happens in the tenant's own account
    mine, platform = assume_role_calls
    assert (mine["RoleArn"], mine["ExternalId"]) == (TENANT_ROLE_ARN, own.external_id)
    assert (platform["RoleArn"], platform["ExternalId"]) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)


def test_the_role_is_a_required_argument_of_every_session_and_client(tenant, aws_env):
    with pytest.raises(TypeError, match="role"):
        aws.aws_client("s3", tenant=tenant, region=REGION)  # no silent default: services choose the role
    with pytest.raises(TypeError, match="role"):
        aws.aws_session(tenant=tenant, region=REGION)


def test_a_project_keeps_the_role_it_was_provisioned_with(tenant, owner, aws_env):
    project = ProjectFactory(tenant=tenant, actor=owner)
    assert aws.project_role(project) == (PLATFORM_ROLE_ARN, PLATFORM_EXTERNAL_ID)
    project.aws_role_arn, project.aws_external_id = TENANT_ROLE_ARN, "their-external-id"
    TenantAwsAccount.objects.create(
        tenant=tenant, role_arn="arn:aws:iam::777788889999:role/Other", external_id="x", status="verified"
    )
    assert aws.project_role(project) == aws.AssumableRole(
        arn=TENANT_ROLE_ARN, external_id="their-external-id"
    )


def test_tenants_and_regions_get_their_own_sessions(tenant, other_tenant, assume_role_calls):
    us_calls = []
    aws.sts_client("us-east-1").meta.events.register(
        "before-parameter-build.sts.AssumeRole", lambda params, **kwargs: us_calls.append(dict(params))
    )
    client("s3", tenant=tenant, region=REGION).list_buckets()
    client("s3", tenant=other_tenant, region=REGION).list_buckets()
    client("s3", tenant=tenant, region="us-east-1").list_buckets()

    assert [dict(c["Tags"][0].items()) for c in assume_role_calls] == [
        {"Key": "TenantId", "Value": str(tenant.pk)},
        {"Key": "TenantId", "Value": str(other_tenant.pk)},
    ]
    assert len(us_calls) == 1
    assert client("s3", tenant=tenant, region=REGION) is not client("s3", tenant=other_tenant, region=REGION)


def test_credentials_near_expiry_are_renewed_and_used_by_cached_clients(
    tenant, owner, assume_role_calls, monkeypatch
):
    issued = []
    aws.sts_client(REGION).meta.events.register(
        "after-call.sts.AssumeRole",
        lambda parsed, **kwargs: issued.append(parsed["Credentials"]["AccessKeyId"]),
    )
    s3 = client("s3", tenant=tenant, region=REGION, user_id=owner.pk)
    signed_with = []
    s3.meta.events.register(
        "before-send.s3.ListBuckets",
        lambda request, **kwargs: signed_with.append(access_key_of(request.headers["Authorization"])),
    )
    real_now = sessions._now

    s3.list_buckets()
    monkeypatch.setattr(sessions, "_now", lambda: real_now() + dt.timedelta(minutes=30))
    s3.list_buckets()  # 30 minutes left: no renewal yet
    assert len(assume_role_calls) == 1

    monkeypatch.setattr(sessions, "_now", lambda: real_now() + dt.timedelta(minutes=47))
    s3.list_buckets()  # 13 minutes left: inside botocore's 15-minute window, renewed before use

    assert len(assume_role_calls) == 2
    assert assume_role_calls[1] == assume_role_calls[0]  # same role, ExternalId, name and tags
    assert issued[0] != issued[1]
    assert signed_with == [issued[0], issued[0], issued[1]]
    assert client("s3", tenant=tenant, region=REGION, user_id=owner.pk) is s3


def test_expired_credentials_block_until_renewed(tenant, assume_role_calls, monkeypatch):
    s3 = client("s3", tenant=tenant, region=REGION)
    s3.list_buckets()
    real_now = sessions._now
    monkeypatch.setattr(sessions, "_now", lambda: real_now() + dt.timedelta(minutes=55))
    s3.list_buckets()  # 5 minutes left: mandatory renewal
    assert len(assume_role_calls) == 2


def test_concurrent_first_use_assumes_the_role_once(tenant, assume_role_calls):
    clients, errors = [], []

    def work():
        try:
            s3 = client("s3", tenant=tenant, region=REGION)
            s3.list_buckets()
            clients.append(s3)
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
    monkeypatch.setattr(sessions, "MAX_SESSIONS", 2)
    first = client("s3", tenant=tenant, region=REGION)
    client("s3", tenant=other_tenant, region=REGION)
    client("s3", tenant=tenant, region=REGION)  # used again: now the most recent
    client("s3", tenant=tenant, region="us-east-1")  # drops other_tenant's session

    assert client("s3", tenant=tenant, region=REGION) is first
    assert len(sessions._sessions) == 2
    assert {key[2] for key in sessions._sessions} == {tenant.pk}
    assert all(key[0] in sessions._sessions for key in sessions._clients)


def test_clear_cache_forgets_sessions_and_clients(tenant, aws_env):
    before = client("s3", tenant=tenant, region=REGION)
    aws.clear_cache()
    assert client("s3", tenant=tenant, region=REGION) is not before


# --- client configuration and endpoint ---------------------------------------------------------


def test_clients_retry_adaptively_with_timeouts_and_use_aws_endpoints_by_default(tenant, aws_env):
    s3 = client("s3", tenant=tenant, region=REGION)
    assert s3.meta.config.retries["mode"] == "adaptive"
    assert s3.meta.config.retries["total_max_attempts"] == 6  # botocore's count: 1 try + 5 retries
    assert (s3.meta.config.connect_timeout, s3.meta.config.read_timeout) == (5, 30)
    assert s3.meta.endpoint_url == f"https://s3.{REGION}.amazonaws.com"
    assert s3.meta.region_name == REGION


def test_endpoint_url_setting_is_honoured_by_every_client(tenant, aws_env, settings):
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5999"
    aws.clear_cache()
    for service in ("s3", "dynamodb", "lambda", "iam", "apigatewayv2", "resourcegroupstaggingapi"):
        assert client(service, tenant=tenant, region=REGION).meta.endpoint_url == "http://127.0.0.1:5999"
    assert aws.sts_client(REGION).meta.endpoint_url == "http://127.0.0.1:5999"
    assert client("s3", tenant=tenant, region=REGION).meta.config.s3["addressing_style"] == "path"


def test_changing_the_endpoint_setting_does_not_reuse_old_clients(tenant, aws_env, settings):
    before = client("s3", tenant=tenant, region=REGION)
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5999"
    assert client("s3", tenant=tenant, region=REGION) is not before


def test_sessions_share_parsed_service_models_and_waiters_and_paginators_work(tenant, other_tenant, aws_env):
    one = session(tenant=tenant, region=REGION)
    two = session(tenant=other_tenant, region=REGION)
    assert one._session.get_component("data_loader") is two._session.get_component("data_loader")

    dynamodb = client("dynamodb", tenant=tenant, region=REGION)
    dynamodb.create_table(
        TableName="tijori-test-waiter",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.get_waiter("table_exists").wait(TableName="tijori-test-waiter", WaiterConfig={"Delay": 1})
    s3 = client("s3", tenant=tenant, region=REGION)
    s3.create_bucket(Bucket="tijori-test-pages", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="tijori-test-pages", Key="index.html", Body=b"<h1>Hi</h1>")
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="tijori-test-pages"))
    assert [item["Key"] for page in pages for item in page.get("Contents", [])] == ["index.html"]
