"""The Lambda function running the application's backend, with a cap on copies running at once."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from apps.provisioning import aws, pricing
from apps.provisioning.exceptions import IamNotReady
from apps.provisioning.models import Project, Resource
from apps.provisioning.services.blueprint.common import (
    ClientFor,
    Found,
    ResourceSpec,
    answers,
    caps,
    client,
    delete_recorded,
    mark,
    resource_name,
    resource_row,
    tags,
    tags_of,
)
from apps.provisioning.services.bundles import HANDLER, placeholder_code

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

KIND = Resource.Kind.FUNCTION
ROUNDING_S = Decimal("0.001")  # Lambda bills each request's duration rounded up to 1 ms


def estimate_line(caps: pricing.TierCaps, price: dict[str, Decimal]) -> pricing.EstimateLine:
    """Requests reach the function only through the HTTP API, so at most its rate limit; reserved
    concurrency c runs at most c copies at once, each request's duration rounded up by 1 ms at most."""
    seconds = Decimal(pricing.SECONDS_PER_MONTH)
    requests = caps.api_rate_limit_rps * seconds
    memory_gb = Decimal(caps.lambda_memory_mb) / 1024
    gb_seconds = (caps.lambda_reserved_concurrency * seconds + requests * ROUNDING_S) * memory_gb
    amount = (
        requests / pricing.MILLION * price["lambda_requests_per_1m"] + gb_seconds * price["lambda_gb_second"]
    )
    return pricing.line(
        KIND, amount,
        f"{pricing.count(caps.lambda_reserved_concurrency, 'run')} of {caps.lambda_memory_mb} MB at a time "
        f"all month, and {requests:,.0f} calls at {caps.api_rate_limit_rps} a second.",
    )  # fmt: skip


def create(project: Project, operation: Operation) -> None:
    resource = resource_row(project, KIND, estimate_line=estimate_line)
    mark(resource, Resource.State.CREATING)
    tier = caps(project)
    role_arn = Resource.objects.present().get(project=project, kind=Resource.Kind.ROLE).physical_id
    lam = client(project, "lambda", operation)
    try:
        arn = lam.create_function(
            FunctionName=resource.name,
            Runtime="python3.12",
            Role=role_arn,
            Handler=HANDLER,
            Code={"ZipFile": placeholder_code()},
            MemorySize=tier.lambda_memory_mb,
            Timeout=tier.lambda_timeout_s,
            Environment={"Variables": {"TABLE_NAME": resource_name(project, Resource.Kind.TABLE)}},
            Tags=tags(project, operation),
        )["FunctionArn"]
    except ClientError as exc:
        if aws.error_code(exc) == "InvalidParameterValueException" and "cannot be assumed" in str(exc):
            raise IamNotReady("The new execution role is not visible to Lambda yet.") from exc
        if aws.error_code(exc) != "ResourceConflictException":
            raise
        arn = lam.get_function(FunctionName=resource.name)["Configuration"]["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=resource.name, WaiterConfig={"Delay": 2, "MaxAttempts": 30}
    )
    lam.put_function_concurrency(
        FunctionName=resource.name, ReservedConcurrentExecutions=tier.lambda_reserved_concurrency
    )
    mark(resource, Resource.State.CREATED, physical_id=arn)


def delete(project: Project, operation: Operation) -> None:
    delete_recorded(
        project, KIND, lambda r: client(project, "lambda", operation).delete_function(FunctionName=r.name)
    )


def exists(project: Project, operation: Operation | None, resource: Resource) -> bool:
    lam = client(project, "lambda", operation)
    return answers(lambda: lam.get_function(FunctionName=resource.name))


def list_tagged(client_for: ClientFor, region: str) -> list[Found]:
    lam = client_for("lambda", region)
    found = []
    for function in lam.list_functions().get("Functions", []):
        name = function["FunctionName"]
        if name.startswith(aws.stack_prefix()):
            function_tags = tags_of(lambda a=function["FunctionArn"]: lam.list_tags(Resource=a))
            found.append(Found(KIND, name, function_tags, lambda n=name: lam.delete_function(FunctionName=n)))
    return found


SPEC = ResourceSpec(
    kind=KIND,
    create_label="Lambda function",
    delete_label="Lambda function",
    create=create,
    delete=delete,
    exists=exists,
    list_tagged=list_tagged,
    estimate_line=estimate_line,
)
