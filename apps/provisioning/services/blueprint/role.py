"""The Lambda function's execution role: confined by the permissions boundary, allowed its own logs and table."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from apps.provisioning import aws, pricing
from apps.provisioning.exceptions import StepFailed
from apps.provisioning.models import Project, Resource
from apps.provisioning.services.blueprint.common import (
    ClientFor,
    Found,
    ResourceSpec,
    answers,
    client,
    delete_recorded,
    mark,
    resource_name,
    resource_row,
    tags,
)

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

KIND = Resource.Kind.ROLE
POLICY_NAME = "tijori-function"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _inline_policy(project: Project) -> dict:
    function = resource_name(project, Resource.Kind.FUNCTION)
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
                "Resource": f"arn:aws:dynamodb:{project.region}:*:table/{resource_name(project, Resource.Kind.TABLE)}",
            },
        ],
    }  # fmt: skip


def estimate_line(caps: pricing.TierCaps, price: dict[str, Decimal]) -> pricing.EstimateLine:
    return pricing.line(KIND, Decimal(0), "IAM roles cost nothing.")


def create(project: Project, operation: Operation) -> None:
    resource = resource_row(project, KIND, estimate_line=estimate_line)
    mark(resource, Resource.State.CREATING)
    iam = client(project, "iam", operation)
    try:
        arn = iam.create_role(
            RoleName=resource.name,
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
            Description=f"Lambda execution role of Tijori project {project.key}",
            PermissionsBoundary=execution_boundary(project),
            Tags=aws.tag_list(tags(project, operation)),
        )["Role"]["Arn"]
    except ClientError as exc:
        if aws.error_code(exc) == "NoSuchEntity":  # the role is new: what AWS could not find is the boundary
            raise StepFailed(_missing_boundary(project)) from exc
        if aws.error_code(exc) != "EntityAlreadyExists":
            raise
        role = iam.get_role(RoleName=resource.name)["Role"]
        require_boundary(project, role)
        arn = role["Arn"]
    # Its own log group and its own table, nothing else (put_role_policy replaces: idempotent).
    iam.put_role_policy(
        RoleName=resource.name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(_inline_policy(project))
    )
    mark(resource, Resource.State.CREATED, physical_id=arn)


def execution_boundary(project: Project) -> str:
    """The permissions boundary every execution role of the project carries, in the stack's account."""
    return aws.execution_boundary_arn(aws.project_role(project).arn)


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
        return (
            f"The permissions boundary policy {name} does not exist in your AWS account "
            f"{project.own_account_id}: create it as the AWS account page shows, then retry."
        )
    return (
        f"The permissions boundary policy {name} does not exist in Tijori's AWS account: "
        "a platform administrator must create it (docs/aws-iam.md)."
    )


def confirm(project: Project, operation: Operation) -> None:
    name = resource_name(project, KIND)
    require_boundary(project, client(project, "iam", operation).get_role(RoleName=name)["Role"])


def role_delete(iam, name: str) -> None:
    """A role can't be deleted while it has inline policies: those go first."""
    for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    iam.delete_role(RoleName=name)


def delete(project: Project, operation: Operation) -> None:
    delete_recorded(project, KIND, lambda r: role_delete(client(project, "iam", operation), r.name))


def exists(project: Project, operation: Operation | None, resource: Resource) -> bool:
    iam = client(project, "iam", operation)
    return answers(lambda: iam.get_role(RoleName=resource.name))


def list_tagged(client_for: ClientFor, region: str) -> list[Found]:
    """IAM is global: the execution roles named like ours, with their tags."""
    iam = client_for("iam", region)
    found = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            if name.startswith(aws.stack_prefix()):
                role_tags = aws.tag_dict(iam.list_role_tags(RoleName=name).get("Tags", []))
                found.append(Found(KIND, name, role_tags, lambda n=name: role_delete(iam, n)))
    return found


SPEC = ResourceSpec(
    kind=KIND,
    create_label="Execution role",
    delete_label="Execution role",
    create=create,
    delete=delete,
    exists=exists,
    confirm=confirm,
    list_tagged=list_tagged,
    estimate_line=estimate_line,
    regional=False,
)

__all__ = ["SPEC", "execution_boundary", "require_boundary", "role_delete"]
