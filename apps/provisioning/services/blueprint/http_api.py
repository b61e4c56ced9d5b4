"""The API Gateway HTTP API in front of the function, throttled to the tier's rate.

API Gateway names are not unique, so the HTTP API is found by its ProjectId tag, both before one is
created and when checking it is gone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from apps.provisioning import aws, pricing
from apps.provisioning.models import Project, Resource
from apps.provisioning.services.blueprint.common import (
    ClientFor,
    Found,
    ResourceSpec,
    caps,
    client,
    delete_recorded,
    mark,
    resource_name,
    resource_row,
    tags,
)

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

KIND = Resource.Kind.HTTP_API


def estimate_line(caps: pricing.TierCaps, price: dict[str, Decimal]) -> pricing.EstimateLine:
    requests = caps.api_rate_limit_rps * Decimal(pricing.SECONDS_PER_MONTH)
    return pricing.line(
        KIND, requests / pricing.MILLION * price["http_api_requests_per_1m"],
        f"{requests:,.0f} requests: the rate limit of {caps.api_rate_limit_rps} a second, all month.",
    )  # fmt: skip


def api_find(project: Project, operation: Operation | None = None) -> dict | None:
    """The project's HTTP API, found by its tags (API names are not unique)."""
    api = client(project, "apigatewayv2", operation)
    token = None
    while True:
        page = api.get_apis(**({"NextToken": token} if token else {}))
        for item in page.get("Items", []):
            api_tags = item.get("Tags") or {}
            if api_tags.get("ProjectId") == str(project.pk) and api_tags.get("ManagedBy") == aws.PLATFORM_TAG:
                return item
        token = page.get("NextToken")
        if not token:
            return None


def create(project: Project, operation: Operation) -> None:
    resource = resource_row(project, KIND, estimate_line=estimate_line)
    mark(resource, Resource.State.CREATING)
    tier = caps(project)
    api = client(project, "apigatewayv2", operation)
    found = api_find(project, operation)
    api_id = (
        found["ApiId"]
        if found
        else api.create_api(Name=resource.name, ProtocolType="HTTP", Tags=tags(project, operation))["ApiId"]
    )
    mark(resource, Resource.State.CREATING, physical_id=api_id)  # known at once: a crash can't lose it
    function_arn = Resource.objects.present().get(project=project, kind=Resource.Kind.FUNCTION).physical_id
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
                "ThrottlingRateLimit": float(tier.api_rate_limit_rps),
                "ThrottlingBurstLimit": tier.api_burst_limit,
            },
        )
    lam = client(project, "lambda", operation)
    try:
        lam.add_permission(
            FunctionName=resource_name(project, Resource.Kind.FUNCTION),
            StatementId="tijori-http-api",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
        )
    except ClientError as exc:
        if aws.error_code(exc) != "ResourceConflictException":
            raise
    mark(resource, Resource.State.CREATED, physical_id=api_id)


def confirm(project: Project, operation: Operation) -> None:
    """The recorded API answers; its address is what the application's frontend calls."""
    api_id = Resource.objects.present().get(project=project, kind=KIND).physical_id
    endpoint = client(project, "apigatewayv2", operation).get_api(ApiId=api_id).get("ApiEndpoint", "")
    Project.objects.filter(pk=project.pk).update(api_url=endpoint)


def delete(project: Project, operation: Operation) -> None:
    def call(resource: Resource) -> None:
        api_id = resource.physical_id or (api_find(project, operation) or {}).get("ApiId")
        if api_id:
            client(project, "apigatewayv2", operation).delete_api(ApiId=api_id)

    delete_recorded(project, KIND, call)


def exists(project: Project, operation: Operation | None, resource: Resource) -> bool:
    return api_find(project, operation) is not None  # names aren't unique: by tag


def list_tagged(client_for: ClientFor, region: str) -> list[Found]:
    """Tagged as ours (API Gateway is missing from the resource tagging API in moto)."""
    api = client_for("apigatewayv2", region)
    found = []
    for item in api.get_apis().get("Items", []):
        api_tags = item.get("Tags") or {}
        if api_tags.get("ManagedBy") == aws.PLATFORM_TAG:
            found.append(
                Found(KIND, item["ApiId"], api_tags, lambda i=item["ApiId"]: api.delete_api(ApiId=i))
            )
    return found


SPEC = ResourceSpec(
    kind=KIND,
    create_label="API Gateway HTTP API",
    delete_label="API Gateway HTTP API",
    create=create,
    delete=delete,
    exists=exists,
    confirm=confirm,
    list_tagged=list_tagged,
    estimate_line=estimate_line,
)
