"""The least-privilege policy shown to workspace owners and documented for the platform role.

moto enforces no IAM policy, so this checks the policy against what Tijori really calls: every AWS
operation made through a stack's whole life, the check of a workspace's role and an orphan sweep is
recorded at the botocore level, with the request context AWS evaluates for it (the region, the
permissions boundary the request sets or the role carries, the service a role is passed to); each is
mapped to the IAM actions and resources AWS authorises it as, and must be allowed by the policy. As in
AWS, an explicit Deny wins over any Allow, and conditions on those context keys are evaluated. Tag
conditions are not (docs/aws-iam.md explains them): in an Allow they count as met, and a Deny on a key
this check does not model fails the test, so that no Deny is ever silently skipped.
"""

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from apps.provisioning import aws
from apps.provisioning.models import Operation
from apps.provisioning.services import aws_account_connect, aws_account_start, orphans_sweep
from tests.provisioning.conftest import AWS_TEST_REGION, aws_of, create_execution_boundary, live_resources
from tests.provisioning.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

DOC = Path(__file__).resolve().parents[2] / "docs" / "aws-iam.md"
ACCOUNT, REGION, ENV = "444455556666", AWS_TEST_REGION, "test"
STACK = f"tijori-{ENV}-abcd1234"
BUCKET, ROLE_ARN = f"arn:aws:s3:::{STACK}-web", f"arn:aws:iam::{ACCOUNT}:role/{STACK}-lambda"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{STACK}"
APIS = f"arn:aws:apigateway:{REGION}::/apis"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/tijori-{ENV}-execution-boundary"
# Where the stacks live: the platform role's account, or a workspace's own; ACCOUNT either way.
PLATFORM_IN_ACCOUNT = f"arn:aws:iam::{ACCOUNT}:role/TijoriProvisioner"
OWN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/TijoriAccess"

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
    ("iam", "GetPolicy"): [("iam:GetPolicy", BOUNDARY)],
    ("iam", "PutRolePermissionsBoundary"): [("iam:PutRolePermissionsBoundary", ROLE_ARN)],
    ("iam", "DeleteRolePermissionsBoundary"): [("iam:DeleteRolePermissionsBoundary", ROLE_ARN)],
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


# The request context keys this check models; IAM and STS are global and answer from us-east-1.
MODELLED_KEYS = frozenset({"aws:RequestedRegion", "iam:PermissionsBoundary", "iam:PassedToService"})
OPERATORS = frozenset({"StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals",
                       "ArnNotEquals", "ArnLike", "ArnNotLike"})  # fmt: skip
GLOBAL_SERVICES = frozenset({"iam", "sts"})
Call = tuple[str, str, tuple[tuple[str, str], ...]]  # service, operation, request context


def _listed(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _any(value: str, patterns, *, fold: bool = False) -> bool:
    if fold:
        return any(fnmatchcase(value.lower(), p.lower()) for p in _listed(patterns))
    return any(fnmatchcase(value, p) for p in _listed(patterns))


def _condition_holds(operator: str, key: str, expected, context: dict[str, str], effect: str) -> bool:
    if key not in MODELLED_KEYS:
        assert effect == "Allow", f"a Deny depends on {key}, which this check does not model: model it"
        return True  # a tag condition: not evaluated here
    base, if_exists = operator.removesuffix("IfExists"), operator.endswith("IfExists")
    assert base in OPERATORS, f"teach this check the condition operator {operator}"
    negated = "Not" in base
    if key not in context:  # AWS: a missing key fails a positive operator and meets a negated one
        return if_exists or negated
    value = context[key]
    hit = _any(value, expected) if base.endswith("Like") else value in _listed(expected)
    return hit != negated


def _applies(statement: dict, action: str, resource: str, context: dict[str, str]) -> bool:
    if "Action" in statement:
        if not _any(action, statement["Action"], fold=True):
            return False
    elif _any(action, statement["NotAction"], fold=True):
        return False
    if "Resource" in statement:
        if not _any(resource, statement["Resource"]):
            return False
    elif _any(resource, statement["NotResource"]):
        return False
    return all(
        _condition_holds(operator, key, expected, context, statement["Effect"])
        for operator, block in statement.get("Condition", {}).items()
        for key, expected in block.items()
    )


def allowed(policy: dict, action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    """AWS's evaluation of one identity policy: an explicit Deny wins, else an Allow is needed."""
    context = {"aws:RequestedRegion": REGION} if context is None else context
    applying = [s for s in policy["Statement"] if _applies(s, action, resource, context)]
    return not any(s["Effect"] == "Deny" for s in applying) and any(s["Effect"] == "Allow" for s in applying)


def _role_boundary(client, params: dict, real_call) -> str | None:
    """The boundary the role named in the request carries now (looked up without being recorded)."""
    try:
        role = real_call(client, "GetRole", {"RoleName": params["RoleName"]})["Role"]
    except ClientError:
        return None
    return (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")


def request_context(client, operation: str, params: dict, real_call) -> dict[str, str]:
    """The context keys AWS sets for the request, as far as this check models them."""
    service = client.meta.service_model.service_name
    context = {"aws:RequestedRegion": "us-east-1" if service in GLOBAL_SERVICES else client.meta.region_name}
    boundary = None
    if service == "iam" and operation in ("CreateRole", "PutRolePermissionsBoundary"):
        boundary = params.get("PermissionsBoundary")  # the boundary the request sets
    elif service == "iam" and "RoleName" in params and operation != "GetRole":
        boundary = _role_boundary(client, params, real_call)
    if boundary:
        context["iam:PermissionsBoundary"] = boundary
    if service == "lambda" and "Role" in params:
        context["iam:PassedToService"] = "lambda.amazonaws.com"
    return context


def record_calls(monkeypatch) -> set[Call]:
    """From now on, every AWS call made in this process, with its request context."""
    calls: set[Call] = set()
    real_call = BaseClient._make_api_call

    def recording_call(client, operation, params):
        context = request_context(client, operation, params, real_call)
        calls.add((client.meta.service_model.service_name, operation, tuple(sorted(context.items()))))
        return real_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording_call)
    return calls


def refused(policy: dict, calls: set[Call]) -> list[tuple[str, str, str, dict]]:
    """Each (call, IAM action, resource, context) of `calls` that the policy does not allow."""
    unmapped = sorted({(service, op) for service, op, _ in calls} - set(AUTHORISED_AS))
    assert not unmapped, f"map these calls to their IAM actions, and allow them in the policy: {unmapped}"
    return [
        (f"{service}.{op}", action, resource, dict(context))
        for service, op, context in sorted(calls)
        for action, resource in AUTHORISED_AS[(service, op)] or []
        if not allowed(policy, action, resource, dict(context))
    ]


def stack_account_policy() -> dict:
    return aws.permission_policy(account_id=ACCOUNT, environment=ENV)


@pytest.fixture
def stacks_in(request, settings, tenant, owner, django_capture_on_commit_callbacks):
    """Put the stacks in ACCOUNT: as the platform's account, or as the workspace's own, connected."""
    settings.TIJORI_ENVIRONMENT = ENV
    if request.param == "platform account":
        settings.AWS_ROLE_ARN = PLATFORM_IN_ACCOUNT
        return request.param
    create_execution_boundary(OWN_ROLE)
    aws_account_start(tenant=tenant, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        aws_account_connect(tenant=tenant, actor=owner, role_arn=OWN_ROLE)
    return request.param


ACCOUNTS = pytest.mark.parametrize("stacks_in", ["platform account", "own account"], indirect=True)


# --- what Tijori calls is allowed -----------------------------------------------------------------


@ACCOUNTS
def test_every_call_of_a_stack_s_life_and_of_the_sweep_is_allowed_by_the_policy(
    stacks_in, tenant, owner, run, monkeypatch, django_capture_on_commit_callbacks
):
    calls = record_calls(monkeypatch)
    if stacks_in == "own account":  # the role check runs with the same policy
        with django_capture_on_commit_callbacks(execute=True):
            aws_account_connect(tenant=tenant, actor=owner, role_arn=OWN_ROLE)
    project = ProjectFactory(tenant=tenant, actor=owner, name="Site", region=REGION)
    for action in ("provision", "deploy_app", "purge_app", "destroy"):
        assert run(project, action, owner).state == Operation.State.SUCCEEDED
    orphans_sweep()

    refusals = refused(stack_account_policy(), calls)
    assert not refusals, f"the policy refuses what Tijori calls: {refusals}"
    creates = [dict(c) for s, op, c in calls if (s, op) == ("iam", "CreateRole")]
    assert creates and all(c["iam:PermissionsBoundary"] == BOUNDARY for c in creates)


# --- what would escape the boundary is refused ----------------------------------------------------

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "lambda.amazonaws.com"}}]})  # fmt: skip
ADMIN = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
# Another policy on the same role that allowed every IAM action must not open a way around the boundary.
ALLOW_ALL_IAM = {"Sid": "SomeoneElsesPolicy", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}


def _role(iam, name: str, **extra) -> None:
    tags = [{"Key": "ManagedBy", "Value": "tijori"}, {"Key": "TenantId", "Value": "1"}]
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST, Tags=tags, **extra)


ESCAPES = {
    "create an execution role without the boundary": (
        lambda iam: None,
        lambda iam: _role(iam, f"{STACK}-bare"),
    ),
    "put an inline policy on a role without the boundary": (
        lambda iam: _role(iam, f"{STACK}-bare"),
        lambda iam: iam.put_role_policy(RoleName=f"{STACK}-bare", PolicyName="all", PolicyDocument=ADMIN),
    ),
    "remove the boundary": (
        lambda iam: _role(iam, f"{STACK}-bound", PermissionsBoundary=BOUNDARY),
        lambda iam: iam.delete_role_permissions_boundary(RoleName=f"{STACK}-bound"),
    ),
    "replace the boundary": (
        lambda iam: _role(iam, f"{STACK}-bound", PermissionsBoundary=BOUNDARY),
        lambda iam: iam.put_role_permissions_boundary(
            RoleName=f"{STACK}-bound", PermissionsBoundary="arn:aws:iam::aws:policy/AdministratorAccess"
        ),
    ),
}


@pytest.mark.parametrize("escape", list(ESCAPES))
def test_role_changes_that_would_escape_the_boundary_are_refused_by_the_policy(
    escape, tenant, settings, monkeypatch
):
    settings.TIJORI_ENVIRONMENT, settings.AWS_ROLE_ARN = ENV, PLATFORM_IN_ACCOUNT
    iam = aws.aws_client("iam", tenant=tenant, region=REGION, role=aws.platform_role())
    prepare, attempt = ESCAPES[escape]
    prepare(iam)
    calls = record_calls(monkeypatch)
    attempt(iam)  # moto enforces no policy: the call goes through, and is then judged

    policy = stack_account_policy()
    assert [c[0] for c in refused(policy, calls)] == [f"iam.{_operation(calls)}"]
    broadened = {**policy, "Statement": [*policy["Statement"], ALLOW_ALL_IAM]}
    assert len(refused(broadened, calls)) == 1, "refused by an explicit Deny, not only for want of an Allow"


def _operation(calls: set[Call]) -> str:
    (operation,) = {op for service, op, _ in calls if service == "iam" and op not in ("GetRole",)}
    return operation


def test_the_same_role_changes_with_the_boundary_are_allowed(tenant, settings, monkeypatch):
    settings.TIJORI_ENVIRONMENT, settings.AWS_ROLE_ARN = ENV, PLATFORM_IN_ACCOUNT
    iam = aws.aws_client("iam", tenant=tenant, region=REGION, role=aws.platform_role())
    calls = record_calls(monkeypatch)
    _role(iam, f"{STACK}-bound", PermissionsBoundary=BOUNDARY)
    iam.put_role_policy(RoleName=f"{STACK}-bound", PolicyName="tijori-function", PolicyDocument=ADMIN)
    assert {op for _, op, _ in calls} == {"AssumeRole", "CreateRole", "PutRolePolicy"}
    assert not refused(stack_account_policy(), calls)


# --- every role a function can run as is confined by the boundary ---------------------------------


@ACCOUNTS
def test_every_function_tijori_runs_has_an_execution_role_confined_by_the_boundary(
    stacks_in, tenant, owner, run
):
    project = ProjectFactory(tenant=tenant, actor=owner, name="Site", region=REGION)
    assert run(project, "provision", owner).state == Operation.State.SUCCEEDED
    iam, lam = aws_of(project, "iam"), aws_of(project, "lambda")
    roles = [iam.get_role(RoleName=name)["Role"] for name in live_resources(project)["roles"]]
    for function in live_resources(project)["functions"]:
        role_arn = lam.get_function(FunctionName=function)["Configuration"]["Role"]
        assert role_arn in {role["Arn"] for role in roles}
    assert roles and all(r["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY for r in roles)

    # What the boundary lets the function's code do: its own logs and its own table, nothing else.
    boundary = aws.execution_boundary_policy(account_id=ACCOUNT, environment=ENV)
    stack = aws.stack_id(project)
    log_group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{stack}:*"
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{stack}"
    inline = iam.get_role_policy(RoleName=roles[0]["RoleName"], PolicyName="tijori-function")[
        "PolicyDocument"
    ]
    granted = [a for statement in inline["Statement"] for a in _listed(statement["Action"])]
    for action in granted:
        assert allowed(boundary, action, log_group if action.startswith("logs:") else table)
    for action, resource in [
        ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/intruder"),
        ("iam:PutRolePolicy", roles[0]["Arn"]),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/Admin"),
        ("s3:GetObject", "arn:aws:s3:::payroll/salaries.csv"),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/customers"),
        ("dynamodb:DeleteTable", table),
        ("lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{stack}"),
    ]:
        assert not allowed(boundary, action, resource), action


def test_provisioning_without_the_boundary_policy_fails_in_words_and_leaves_nothing(
    tenant, owner, run, settings
):
    settings.TIJORI_ENVIRONMENT = ENV
    project = ProjectFactory(tenant=tenant, actor=owner, name="Site", region=REGION)

    def missing_boundary(**kwargs):  # what AWS answers when the boundary policy does not exist
        raise ClientError({"Error": {"Code": "NoSuchEntity", "Message": "Scope ARN does not exist"},
                           "ResponseMetadata": {"HTTPStatusCode": 404}}, "CreateRole")  # fmt: skip

    iam = aws_of(project, "iam")
    iam.meta.events.register("before-call.iam.CreateRole", missing_boundary)
    operation = run(project, Operation.Action.PROVISION, owner)
    assert operation.state == "failed"
    assert operation.error == (
        f"The permissions boundary policy tijori-{ENV}-execution-boundary does not exist in Tijori's AWS "
        "account: a platform administrator must create it (docs/aws-iam.md)."
    )
    assert project.infra_state == "failed"
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}


def test_an_existing_role_without_the_boundary_is_not_used_and_a_retry_makes_it_with_one(
    tenant, owner, run, settings
):
    settings.TIJORI_ENVIRONMENT = ENV
    project = ProjectFactory(tenant=tenant, actor=owner, name="Site", region=REGION)
    iam = aws_of(project, "iam")
    _role(iam, f"{aws.stack_id(project)}-lambda")  # made before Tijori set a boundary
    operation = run(project, Operation.Action.PROVISION, owner)
    assert operation.state == "failed" and "lacks the permissions boundary" in operation.error
    assert live_resources(project)["roles"] == []  # the rollback removed it

    assert run(project, Operation.Action.PROVISION, owner).state == "succeeded"
    (name,) = live_resources(project)["roles"]
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == (
        aws.execution_boundary_arn(aws.project_role(project).arn)
    )


# --- the policy itself ----------------------------------------------------------------------------


def test_the_policy_allows_nothing_outside_tijori_s_names_or_regions():
    policy = aws.permission_policy(account_id=ACCOUNT, environment="prod", regions=["ap-south-1"])
    assert not allowed(policy, "s3:DeleteBucket", "arn:aws:s3:::someone-elses-bucket")
    assert not allowed(policy, "s3:DeleteBucket", "arn:aws:s3:::tijori-staging-abcd1234-web")
    assert not allowed(policy, "lambda:DeleteFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:payroll")
    assert not allowed(policy, "s3:PutBucketVersioning", "arn:aws:s3:::tijori-prod-abcd1234-web")
    assert not allowed(policy, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin")
    assert allowed(policy, "s3:CreateBucket", "arn:aws:s3:::tijori-prod-abcd1234-web")
    assert not allowed(policy, "s3:CreateBucket", "arn:aws:s3:::tijori-prod-abcd1234-web",
                       {"aws:RequestedRegion": "eu-west-1"})  # fmt: skip
    (regions,) = [s for s in policy["Statement"] if s["Sid"] == "OnlyAllowedRegions"]
    assert regions["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["ap-south-1"]
    text = json.dumps(policy)
    assert "<ACCOUNT>" not in text and "<ENV>" not in text and "<REGIONS>" not in text
    assert len(json.dumps(policy, separators=(",", ":"))) < 6144  # fits an IAM managed policy


def test_the_policy_gives_no_other_way_to_change_what_a_function_runs_as():
    policy = stack_account_policy()
    role, function = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-lambda", FUNCTION
    with_boundary = {"aws:RequestedRegion": "us-east-1", "iam:PermissionsBoundary": BOUNDARY}
    for action, resource in [
        ("lambda:UpdateFunctionConfiguration", function),  # would give a function another role
        ("iam:UpdateAssumeRolePolicy", role),  # would let someone else assume the role
        ("iam:AttachRolePolicy", role),
        ("iam:CreatePolicyVersion", BOUNDARY),  # would widen the boundary itself
        ("iam:SetDefaultPolicyVersion", BOUNDARY),
        ("iam:DeletePolicy", BOUNDARY),
        ("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/tijori-{ENV}-anything"),
    ]:
        assert not allowed(policy, action, resource, with_boundary), action
    assert allowed(policy, "iam:GetPolicy", BOUNDARY, with_boundary)  # the role check reads it


def test_the_documented_policies_are_the_ones_in_the_code():
    text = DOC.read_text()
    section = text.split("## 1. Permission policy", 1)[1].split("## 2.", 1)[0]
    documented = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    assert documented == aws.permission_policy(
        account_id="<ACCOUNT>", environment="<ENV>", regions=["ap-south-1", "us-east-1"]
    )
    section = text.split("## 1a. Permissions boundary", 1)[1].split("## 2.", 1)[0]
    documented = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    assert documented == aws.execution_boundary_policy(account_id="<ACCOUNT>", environment="<ENV>")
