"""The least-privilege policy shown to workspace owners and documented for the platform role.

moto enforces no IAM policy, so this checks the policy against what Tijori really calls: every AWS
operation made through a stack's whole life and an orphan sweep is recorded at the botocore level,
mapped to the IAM action and resource AWS authorises it as, and must be allowed by a statement of
the policy (tag conditions are not evaluated here; docs/aws-iam.md explains them).
"""

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from botocore.client import BaseClient

from apps.provisioning import aws
from apps.provisioning.models import Operation
from apps.provisioning.services import orphans_sweep, project_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

DOC = Path(__file__).resolve().parents[2] / "docs" / "aws-iam.md"
ACCOUNT, REGION, ENV = "444455556666", "ap-south-1", "test"
STACK = f"tijori-{ENV}-abcd1234"
BUCKET, ROLE_ARN = f"arn:aws:s3:::{STACK}-web", f"arn:aws:iam::{ACCOUNT}:role/{STACK}-lambda"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{STACK}"
APIS = f"arn:aws:apigateway:{REGION}::/apis"

# (service, operation) -> the IAM actions and resources AWS checks for it; None: no permission needed.
AUTHORISED_AS: dict[tuple[str, str], list[tuple[str, str]] | None] = {
    ("sts", "AssumeRole"): None,  # the workers' own role's permission, not this policy's
    ("sts", "GetCallerIdentity"): None,  # needs no permission
    ("s3", "CreateBucket"): [("s3:CreateBucket", BUCKET)],
    ("s3", "DeleteBucket"): [("s3:DeleteBucket", BUCKET)],
    ("s3", "HeadBucket"): [("s3:ListBucket", BUCKET)],
    ("s3", "ListObjectsV2"): [("s3:ListBucket", BUCKET)],
    ("s3", "GetBucketLocation"): [("s3:GetBucketLocation", BUCKET)],
    ("s3", "PutBucketTagging"): [("s3:PutBucketTagging", BUCKET)],
    ("s3", "GetBucketTagging"): [("s3:GetBucketTagging", BUCKET)],
    ("s3", "PutBucketWebsite"): [("s3:PutBucketWebsite", BUCKET)],
    ("s3", "PutObject"): [("s3:PutObject", f"{BUCKET}/index.html")],
    ("s3", "DeleteObjects"): [("s3:DeleteObject", f"{BUCKET}/index.html")],
    ("s3", "ListBuckets"): [("s3:ListAllMyBuckets", "*")],
    ("lambda", "CreateFunction"): [
        ("lambda:CreateFunction", FUNCTION),
        ("lambda:TagResource", FUNCTION),
        ("iam:PassRole", ROLE_ARN),
    ],
    ("lambda", "GetFunction"): [("lambda:GetFunction", FUNCTION)],
    ("lambda", "UpdateFunctionCode"): [("lambda:UpdateFunctionCode", FUNCTION)],
    ("lambda", "PutFunctionConcurrency"): [("lambda:PutFunctionConcurrency", FUNCTION)],
    ("lambda", "AddPermission"): [("lambda:AddPermission", FUNCTION)],
    ("lambda", "ListTags"): [("lambda:ListTags", FUNCTION)],
    ("lambda", "DeleteFunction"): [("lambda:DeleteFunction", FUNCTION)],
    ("lambda", "ListFunctions"): [("lambda:ListFunctions", "*")],
    ("dynamodb", "CreateTable"): [("dynamodb:CreateTable", TABLE), ("dynamodb:TagResource", TABLE)],
    ("dynamodb", "DescribeTable"): [("dynamodb:DescribeTable", TABLE)],
    ("dynamodb", "ListTagsOfResource"): [("dynamodb:ListTagsOfResource", TABLE)],
    ("dynamodb", "DeleteTable"): [("dynamodb:DeleteTable", TABLE)],
    ("dynamodb", "ListTables"): [("dynamodb:ListTables", "*")],
    ("iam", "CreateRole"): [("iam:CreateRole", ROLE_ARN), ("iam:TagRole", ROLE_ARN)],
    ("iam", "GetRole"): [("iam:GetRole", ROLE_ARN)],
    ("iam", "PutRolePolicy"): [("iam:PutRolePolicy", ROLE_ARN)],
    ("iam", "ListRolePolicies"): [("iam:ListRolePolicies", ROLE_ARN)],
    ("iam", "DeleteRolePolicy"): [("iam:DeleteRolePolicy", ROLE_ARN)],
    ("iam", "ListRoleTags"): [("iam:ListRoleTags", ROLE_ARN)],
    ("iam", "DeleteRole"): [("iam:DeleteRole", ROLE_ARN)],
    ("iam", "ListRoles"): [("iam:ListRoles", "*")],
    ("apigatewayv2", "CreateApi"): [("apigateway:POST", APIS)],
    ("apigatewayv2", "GetApis"): [("apigateway:GET", APIS)],
    ("apigatewayv2", "GetApi"): [("apigateway:GET", f"{APIS}/a1b2c3")],
    ("apigatewayv2", "DeleteApi"): [("apigateway:DELETE", f"{APIS}/a1b2c3")],
    ("apigatewayv2", "CreateIntegration"): [("apigateway:POST", f"{APIS}/a1b2c3/integrations")],
    ("apigatewayv2", "GetIntegrations"): [("apigateway:GET", f"{APIS}/a1b2c3/integrations")],
    ("apigatewayv2", "CreateRoute"): [("apigateway:POST", f"{APIS}/a1b2c3/routes")],
    ("apigatewayv2", "CreateStage"): [("apigateway:POST", f"{APIS}/a1b2c3/stages")],
    ("apigatewayv2", "GetStages"): [("apigateway:GET", f"{APIS}/a1b2c3/stages")],
}


def _listed(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _matches(statement: dict, action: str, resource: str) -> bool:
    actions = [a.lower() for a in _listed(statement.get("Action", []))]
    resources = _listed(statement.get("Resource", "*"))
    return any(fnmatchcase(action.lower(), a) for a in actions) and any(
        fnmatchcase(resource, r) for r in resources
    )


def allowed(policy: dict, action: str, resource: str) -> bool:
    statements = policy["Statement"]
    denied = any(
        s["Effect"] == "Deny" and "Action" in s and _matches(s, action, resource) for s in statements
    )
    return not denied and any(s["Effect"] == "Allow" and _matches(s, action, resource) for s in statements)


def test_every_call_of_a_stack_s_life_and_of_the_sweep_is_allowed_by_the_policy(
    tenant,
    owner,
    run,
    settings,
    monkeypatch,
):
    settings.TIJORI_ENVIRONMENT = ENV
    calls: set[tuple[str, str]] = set()
    real_call = BaseClient._make_api_call

    def recording_call(client, operation, params):
        calls.add((client.meta.service_model.service_name, operation))
        return real_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording_call)
    project = project_create(tenant=tenant, actor=owner, name="Site", region=REGION, tier="small")
    for action in ("provision", "deploy_app", "purge_app", "destroy"):
        assert run(project, action, owner).state == Operation.State.SUCCEEDED
    orphans_sweep()

    unmapped = sorted(calls - set(AUTHORISED_AS))
    assert not unmapped, f"map these calls to their IAM actions, and allow them in the policy: {unmapped}"
    policy = aws.permission_policy(account_id=ACCOUNT)
    refused = [
        (call, action, resource)
        for call in sorted(calls)
        for action, resource in AUTHORISED_AS[call] or []
        if not allowed(policy, action, resource)
    ]
    assert not refused, f"the policy refuses what Tijori calls: {refused}"


def test_the_policy_allows_nothing_outside_tijori_s_names_or_regions():
    policy = aws.permission_policy(account_id=ACCOUNT, environment="prod", regions=["ap-south-1"])
    assert not allowed(policy, "s3:DeleteBucket", "arn:aws:s3:::someone-elses-bucket")
    assert not allowed(policy, "s3:DeleteBucket", "arn:aws:s3:::tijori-staging-abcd1234-web")
    assert not allowed(policy, "lambda:DeleteFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:payroll")
    assert not allowed(policy, "s3:PutBucketVersioning", "arn:aws:s3:::tijori-prod-abcd1234-web")
    assert not allowed(policy, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin")
    (regions,) = [s for s in policy["Statement"] if s["Sid"] == "OnlyAllowedRegions"]
    assert regions["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["ap-south-1"]
    text = json.dumps(policy)
    assert "<ACCOUNT>" not in text and "<ENV>" not in text and "<REGIONS>" not in text
    assert len(json.dumps(policy, separators=(",", ":"))) < 6144  # fits an IAM managed policy


def test_the_documented_policy_is_the_one_in_the_code():
    section = DOC.read_text().split("## 1. Permission policy", 1)[1].split("## 2.", 1)[0]
    documented = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    assert documented == aws.permission_policy(
        account_id="<ACCOUNT>", environment="<ENV>", regions=["ap-south-1", "us-east-1"]
    )
