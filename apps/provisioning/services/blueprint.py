"""The "serverless web app" blueprint on AWS, one idempotent step at a time.

Every create step writes its ledger row as `creating` before the AWS call and treats "already
exists" (with our name in our account) as done, so a step run twice, or after a crash, converges
instead of duplicating. API Gateway names are not unique, so the HTTP API is looked up by its
ProjectId tag before one is created. Every delete treats "not found" as done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils import timezone

from apps.provisioning import aws, pricing
from apps.provisioning.models import Project, Resource
from apps.provisioning.services.bundles import HANDLER, Bundle, placeholder_code

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

Kind = Resource.Kind
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


ROLE_POLICY_NAME = "tijori-function"


def _role_policy(project: Project) -> dict:
    function = resource_name(project, Kind.FUNCTION)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{project.region}:*:log-group:/aws/lambda/{function}:*",
            },
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                           "dynamodb:Query"],
                "Resource": f"arn:aws:dynamodb:{project.region}:*:table/{resource_name(project, Kind.TABLE)}",
            },
        ],
    }  # fmt: skip


class IamNotReady(Exception):
    """Lambda can't assume a role IAM has only just created (eventual consistency): retry shortly."""


class StepFailed(Exception):
    """A step found something it can't fix by retrying (a name taken by another account, say)."""


def base_name(project: Project) -> str:
    return aws.stack_id(project)


def resource_name(project: Project, kind: str) -> str:
    """Deterministic names: the same project always asks AWS for the same ones."""
    base = base_name(project)
    return {Kind.ROLE: f"{base}-lambda", Kind.BUCKET: f"{base}-web"}.get(kind, base)


def client(project: Project, service: str, operation: Operation | None = None):
    user_id = operation.requested_by_id if operation else None
    return aws.aws_client(
        service, tenant=project.tenant, region=project.region, user_id=user_id, role=aws.project_role(project)
    )


def _tags(project: Project, operation: Operation | None) -> dict[str, str]:
    return aws.resource_tags(project, user_id=operation.requested_by_id if operation else None)


def ledger(project: Project, kind: str) -> Resource:
    """The resource's row, made (planned) on first use with its deterministic name and estimate."""
    estimates = {
        line.kind: line.usd_month for line in pricing.estimate(tier=project.tier, region=project.region).lines
    }
    resource, _ = Resource.objects.get_or_create(
        project=project,
        kind=kind,
        defaults={
            "tenant_id": project.tenant_id,
            "name": resource_name(project, kind),
            "region": project.region,
            "estimate_usd_month": estimates.get(kind, 0),
        },
    )
    return resource


def _mark(resource: Resource, state: str, *, physical_id: str | None = None, error: str = "") -> None:
    resource.state = state
    if physical_id is not None:
        resource.physical_id = physical_id
    resource.last_error = error
    resource.save(update_fields=["state", "physical_id", "last_error", "updated_at"])


def _code(exc: BaseException) -> str:
    return aws.error_code(exc)


# --- create ------------------------------------------------------------------------------------


def create_role(project: Project, operation: Operation) -> None:
    resource = ledger(project, Kind.ROLE)
    _mark(resource, Resource.State.CREATING)
    iam = client(project, "iam", operation)
    try:
        arn = iam.create_role(
            RoleName=resource.name,
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
            Description=f"Lambda execution role of Tijori project {project.key}",
            PermissionsBoundary=execution_boundary(project),
            Tags=aws.tag_list(_tags(project, operation)),
        )["Role"]["Arn"]
    except ClientError as exc:
        if _code(exc) == "NoSuchEntity":  # the role is new: what AWS could not find is the boundary
            raise StepFailed(_missing_boundary(project)) from exc
        if _code(exc) != "EntityAlreadyExists":
            raise
        role = iam.get_role(RoleName=resource.name)["Role"]
        require_boundary(project, role)
        arn = role["Arn"]
    # Its own log group and its own table, nothing else (put_role_policy replaces: idempotent).
    iam.put_role_policy(
        RoleName=resource.name, PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(_role_policy(project))
    )
    _mark(resource, Resource.State.CREATED, physical_id=arn)


def execution_boundary(project: Project) -> str:
    """The permissions boundary every execution role of the project carries, in the stack's account."""
    return aws.execution_boundary_arn(aws.project_role(project)[0])


def require_boundary(project: Project, role: dict) -> None:
    """A role without the boundary (made before Tijori set one) may not be used: the policy can't fix it."""
    if (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") != execution_boundary(project):
        raise StepFailed(
            f"The execution role {role['RoleName']} lacks the permissions boundary "
            f"{aws.execution_boundary_name()}, and Tijori may not add one to an existing role. "
            "Destroy the stack (or delete the role in AWS) and provision it again."
        )


def _missing_boundary(project: Project) -> str:
    name = aws.execution_boundary_name()
    if project.aws_role_arn:
        account = aws.role_account(project.aws_role_arn)
        return (
            f"The permissions boundary policy {name} does not exist in your AWS account {account}: "
            "create it as the AWS account page shows, then retry."
        )
    return (
        f"The permissions boundary policy {name} does not exist in Tijori's AWS account: "
        "a platform administrator must create it (docs/aws-iam.md)."
    )


def create_bucket(project: Project, operation: Operation) -> None:
    resource = ledger(project, Kind.BUCKET)
    _mark(resource, Resource.State.CREATING)
    s3 = client(project, "s3", operation)
    params = {"Bucket": resource.name}
    if project.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": project.region}
    try:
        s3.create_bucket(**params)
    except ClientError as exc:
        if _code(exc) == "BucketAlreadyExists":
            raise StepFailed(f"The bucket name {resource.name} is taken by another AWS account.") from exc
        if _code(exc) != "BucketAlreadyOwnedByYou":
            raise
    s3.put_bucket_tagging(Bucket=resource.name, Tagging={"TagSet": aws.tag_list(_tags(project, operation))})
    s3.put_bucket_website(
        Bucket=resource.name,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "index.html"},
        },
    )
    _mark(resource, Resource.State.CREATED, physical_id=f"arn:aws:s3:::{resource.name}")


def create_table(project: Project, operation: Operation) -> None:
    resource = ledger(project, Kind.TABLE)
    _mark(resource, Resource.State.CREATING)
    caps = pricing.TIERS[project.tier]
    dynamodb = client(project, "dynamodb", operation)
    try:
        arn = dynamodb.create_table(
            TableName=resource.name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            OnDemandThroughput={
                "MaxReadRequestUnits": caps.dynamodb_max_read_units,
                "MaxWriteRequestUnits": caps.dynamodb_max_write_units,
            },
            Tags=aws.tag_list(_tags(project, operation)),
        )["TableDescription"]["TableArn"]
    except ClientError as exc:
        if _code(exc) != "ResourceInUseException":
            raise
        arn = dynamodb.describe_table(TableName=resource.name)["Table"]["TableArn"]
    dynamodb.get_waiter("table_exists").wait(
        TableName=resource.name, WaiterConfig={"Delay": 2, "MaxAttempts": 30}
    )
    _mark(resource, Resource.State.CREATED, physical_id=arn)


def create_function(project: Project, operation: Operation) -> None:
    resource = ledger(project, Kind.FUNCTION)
    _mark(resource, Resource.State.CREATING)
    caps = pricing.TIERS[project.tier]
    role_arn = ledger(project, Kind.ROLE).physical_id
    table = ledger(project, Kind.TABLE).name
    lam = client(project, "lambda", operation)
    try:
        arn = lam.create_function(
            FunctionName=resource.name,
            Runtime="python3.12",
            Role=role_arn,
            Handler=HANDLER,
            Code={"ZipFile": placeholder_code()},
            MemorySize=caps.lambda_memory_mb,
            Timeout=caps.lambda_timeout_s,
            Environment={"Variables": {"TABLE_NAME": table}},
            Tags=_tags(project, operation),
        )["FunctionArn"]
    except ClientError as exc:
        if _code(exc) == "InvalidParameterValueException" and "cannot be assumed" in str(exc):
            raise IamNotReady("The new execution role is not visible to Lambda yet.") from exc
        if _code(exc) != "ResourceConflictException":
            raise
        arn = lam.get_function(FunctionName=resource.name)["Configuration"]["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=resource.name, WaiterConfig={"Delay": 2, "MaxAttempts": 30}
    )
    lam.put_function_concurrency(
        FunctionName=resource.name, ReservedConcurrentExecutions=caps.lambda_reserved_concurrency
    )
    _mark(resource, Resource.State.CREATED, physical_id=arn)


def find_api(project: Project, operation: Operation | None = None) -> dict | None:
    """The project's HTTP API, found by its tags (API names are not unique)."""
    api = client(project, "apigatewayv2", operation)
    token = None
    while True:
        page = api.get_apis(**({"NextToken": token} if token else {}))
        for item in page.get("Items", []):
            tags = item.get("Tags") or {}
            if tags.get("ProjectId") == str(project.pk) and tags.get("ManagedBy") == aws.PLATFORM_TAG:
                return item
        token = page.get("NextToken")
        if not token:
            return None


def create_http_api(project: Project, operation: Operation) -> None:
    resource = ledger(project, Kind.HTTP_API)
    _mark(resource, Resource.State.CREATING)
    caps = pricing.TIERS[project.tier]
    api = client(project, "apigatewayv2", operation)
    found = find_api(project, operation)
    api_id = (
        found["ApiId"]
        if found
        else api.create_api(Name=resource.name, ProtocolType="HTTP", Tags=_tags(project, operation))["ApiId"]
    )
    _mark(resource, Resource.State.CREATING, physical_id=api_id)  # known at once: a crash can't lose it
    function_arn = ledger(project, Kind.FUNCTION).physical_id
    if not api.get_integrations(ApiId=api_id).get("Items"):
        integration = api.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn, PayloadFormatVersion="2.0"
        )["IntegrationId"]
        api.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integration}")
    if not api.get_stages(ApiId=api_id).get("Items"):
        api.create_stage(
            ApiId=api_id,
            StageName="$default",
            AutoDeploy=True,
            DefaultRouteSettings={
                "ThrottlingRateLimit": float(caps.api_rate_limit_rps),
                "ThrottlingBurstLimit": caps.api_burst_limit,
            },
        )
    lam = client(project, "lambda", operation)
    try:
        lam.add_permission(
            FunctionName=ledger(project, Kind.FUNCTION).name,
            StatementId="tijori-http-api",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
        )
    except ClientError as exc:
        if _code(exc) != "ResourceConflictException":
            raise
    _mark(resource, Resource.State.CREATED, physical_id=api_id)


def verify_created(project: Project, operation: Operation) -> None:
    """Every resource answers: a provisioning that says 'deployed' really is."""
    names = {kind: ledger(project, kind) for kind in Kind.values}
    require_boundary(
        project, client(project, "iam", operation).get_role(RoleName=names[Kind.ROLE].name)["Role"]
    )
    client(project, "s3", operation).head_bucket(Bucket=names[Kind.BUCKET].name)
    client(project, "dynamodb", operation).describe_table(TableName=names[Kind.TABLE].name)
    client(project, "lambda", operation).get_function(FunctionName=names[Kind.FUNCTION].name)
    api = client(project, "apigatewayv2", operation).get_api(ApiId=names[Kind.HTTP_API].physical_id)
    Project.objects.filter(pk=project.pk).update(api_url=api.get("ApiEndpoint", ""))


# --- delete ------------------------------------------------------------------------------------


def _delete(project: Project, kind: str, call: Callable[[Resource], None]) -> None:
    resource = Resource.objects.filter(project=project, kind=kind).first()
    if resource is None or resource.state == Resource.State.DELETED:
        return
    _mark(resource, Resource.State.DELETING)
    try:
        call(resource)
    except Exception as exc:
        if not aws.is_not_found(exc):
            _mark(resource, Resource.State.DELETING, error=aws.plain_error(exc))
            raise
    _mark(resource, Resource.State.DELETED)


def delete_http_api(project: Project, operation: Operation) -> None:
    def call(resource: Resource) -> None:
        api_id = resource.physical_id or (find_api(project, operation) or {}).get("ApiId")
        if api_id:
            client(project, "apigatewayv2", operation).delete_api(ApiId=api_id)

    _delete(project, Kind.HTTP_API, call)


def delete_function(project: Project, operation: Operation) -> None:
    _delete(
        project,
        Kind.FUNCTION,
        lambda r: client(project, "lambda", operation).delete_function(FunctionName=r.name),
    )


def delete_table(project: Project, operation: Operation) -> None:
    def call(resource: Resource) -> None:
        dynamodb = client(project, "dynamodb", operation)
        dynamodb.delete_table(TableName=resource.name)
        dynamodb.get_waiter("table_not_exists").wait(
            TableName=resource.name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )

    _delete(project, Kind.TABLE, call)


def purge_bucket(s3, name: str) -> int:
    """Delete every object of a bucket (tenant buckets have no versioning); returns how many."""
    removed = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def remove_bucket(s3, name: str) -> None:
    purge_bucket(s3, name)
    s3.delete_bucket(Bucket=name)


def remove_role(iam, name: str) -> None:
    """A role can't be deleted while it has inline policies: those go first."""
    for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    iam.delete_role(RoleName=name)


def empty_bucket(project: Project, operation: Operation | None, name: str) -> int:
    return purge_bucket(client(project, "s3", operation), name)


def delete_bucket(project: Project, operation: Operation) -> None:
    _delete(project, Kind.BUCKET, lambda r: remove_bucket(client(project, "s3", operation), r.name))


def delete_role(project: Project, operation: Operation) -> None:
    _delete(project, Kind.ROLE, lambda r: remove_role(client(project, "iam", operation), r.name))


def _exists(call: Callable[[], object]) -> bool:
    try:
        call()
    except Exception as exc:
        if aws.is_not_found(exc):
            return False
        raise
    return True


def verify_deleted(project: Project, operation: Operation) -> None:
    """Each resource of the ledger is really gone; one that still answers fails the destroy."""
    iam, s3 = client(project, "iam", operation), client(project, "s3", operation)
    dynamodb, lam = client(project, "dynamodb", operation), client(project, "lambda", operation)
    present = {
        Kind.ROLE: lambda r: _exists(lambda: iam.get_role(RoleName=r.name)),
        Kind.BUCKET: lambda r: _exists(lambda: s3.head_bucket(Bucket=r.name)),
        Kind.TABLE: lambda r: _exists(lambda: dynamodb.describe_table(TableName=r.name)),
        Kind.FUNCTION: lambda r: _exists(lambda: lam.get_function(FunctionName=r.name)),
        Kind.HTTP_API: lambda r: find_api(project, operation) is not None,  # names aren't unique: by tag
    }
    left = [r.get_kind_display() for r in Resource.objects.filter(project=project) if present[r.kind](r)]
    if left:
        raise StepFailed(f"Still present after deletion: {', '.join(left)}.")


# --- application -------------------------------------------------------------------------------


def deploy_code(project: Project, operation: Operation, bundle: Bundle) -> None:
    lam = client(project, "lambda", operation)
    name = ledger(project, Kind.FUNCTION).name
    lam.update_function_code(FunctionName=name, ZipFile=bundle.code_zip, Publish=True)
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 30}
    )


def deploy_files(project: Project, operation: Operation, bundle: Bundle) -> None:
    s3 = client(project, "s3", operation)
    bucket = ledger(project, Kind.BUCKET).name
    project.refresh_from_db(fields=["api_url"])
    empty_bucket(project, operation, bucket)  # a deploy replaces the site: the bucket holds one bundle only
    files = {**bundle.files, "config.js": f'window.TIJORI_API_URL = "{project.api_url}";\n'.encode()}
    for path, body in files.items():
        s3.put_object(Bucket=bucket, Key=path, Body=body, ContentType=bundle.content_type(path))


def site_url(project: Project) -> str:
    bucket = ledger(project, Kind.BUCKET).name
    endpoint = settings.AWS_ENDPOINT_URL.rstrip("/")
    if endpoint:  # the local emulator serves the bucket's files by path
        return f"{endpoint}/{bucket}/index.html"
    return f"http://{bucket}.s3-website.{project.region}.amazonaws.com/"


def publish_urls(project: Project, operation: Operation, bundle: Bundle) -> None:
    Project.objects.filter(pk=project.pk).update(site_url=site_url(project), updated_at=timezone.now())


def purge_files(project: Project, operation: Operation | None) -> None:
    empty_bucket(project, operation, ledger(project, Kind.BUCKET).name)


def reset_code(project: Project, operation: Operation | None) -> None:
    lam = client(project, "lambda", operation)
    lam.update_function_code(FunctionName=ledger(project, Kind.FUNCTION).name, ZipFile=placeholder_code())
    Project.objects.filter(pk=project.pk).update(site_url="", updated_at=timezone.now())
