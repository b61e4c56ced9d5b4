"""The IAM documents of a role Tijori assumes: ExternalIds, the trust policy, the account in an ARN."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.provisioning import aws
from apps.provisioning.models import Project, TenantAwsAccount


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


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        ("arn:aws:iam::444455556666:role/TijoriAccess", "444455556666"),
        ("arn:aws-cn:iam::123456789012:role/path/to/Role", "123456789012"),
        ("arn:aws:iam::123:role/x", ""),
        ("arn:aws:s3:::bucket", ""),
        ("", ""),
    ],
)
def test_the_account_of_a_role_arn_and_of_a_project_in_it(arn, account):
    assert aws.role_account(arn) == account
    assert Project(aws_role_arn=arn).own_account_id == account
