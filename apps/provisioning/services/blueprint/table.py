"""The DynamoDB table of the application, on demand with a cap on reads and writes a second."""

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
    answers,
    caps,
    client,
    delete_recorded,
    mark,
    resource_row,
    tags,
    tags_of,
)

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

KIND = Resource.Kind.TABLE
BYTES_PER_WRITE_UNIT = 1024 + 100  # 1 KB per write unit + 100 bytes of overhead per item


def estimate_line(caps: pricing.TierCaps, price: dict[str, Decimal]) -> pricing.EstimateLine:
    """Every read and write unit of the caps, all month, and all the data those writes can store."""
    seconds = Decimal(pricing.SECONDS_PER_MONTH)
    reads = caps.dynamodb_max_read_units * seconds
    writes = caps.dynamodb_max_write_units * seconds
    amount = (
        reads / pricing.MILLION * price["dynamodb_read_units_per_1m"]
        + writes / pricing.MILLION * price["dynamodb_write_units_per_1m"]
        + writes * BYTES_PER_WRITE_UNIT / pricing.GB_BYTES * price["dynamodb_storage_gb_month"]
    )
    return pricing.line(
        KIND, amount,
        f"{pricing.count(caps.dynamodb_max_read_units, 'read')} and "
        f"{pricing.count(caps.dynamodb_max_write_units, 'write')} a second all month, and all the data "
        "those writes can store.",
    )  # fmt: skip


def create(project: Project, operation: Operation) -> None:
    resource = resource_row(project, KIND, estimate_line=estimate_line)
    mark(resource, Resource.State.CREATING)
    tier = caps(project)
    dynamodb = client(project, "dynamodb", operation)
    try:
        arn = dynamodb.create_table(
            TableName=resource.name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            OnDemandThroughput={
                "MaxReadRequestUnits": tier.dynamodb_max_read_units,
                "MaxWriteRequestUnits": tier.dynamodb_max_write_units,
            },
            Tags=aws.tag_list(tags(project, operation)),
        )["TableDescription"]["TableArn"]
    except ClientError as exc:
        if aws.error_code(exc) != "ResourceInUseException":
            raise
        arn = dynamodb.describe_table(TableName=resource.name)["Table"]["TableArn"]
    dynamodb.get_waiter("table_exists").wait(
        TableName=resource.name, WaiterConfig={"Delay": 2, "MaxAttempts": 30}
    )
    mark(resource, Resource.State.CREATED, physical_id=arn)


def delete(project: Project, operation: Operation) -> None:
    def call(resource: Resource) -> None:
        dynamodb = client(project, "dynamodb", operation)
        dynamodb.delete_table(TableName=resource.name)
        dynamodb.get_waiter("table_not_exists").wait(
            TableName=resource.name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )

    delete_recorded(project, KIND, call)


def exists(project: Project, operation: Operation | None, resource: Resource) -> bool:
    dynamodb = client(project, "dynamodb", operation)
    return answers(lambda: dynamodb.describe_table(TableName=resource.name))


def list_tagged(client_for: ClientFor, region: str) -> list[Found]:
    dynamodb = client_for("dynamodb", region)
    found = []
    for name in dynamodb.list_tables().get("TableNames", []):
        if name.startswith(aws.stack_prefix()):
            arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
            table_tags = tags_of(lambda a=arn: dynamodb.list_tags_of_resource(ResourceArn=a), key="Tags")
            found.append(Found(KIND, name, table_tags, lambda n=name: dynamodb.delete_table(TableName=n)))
    return found


SPEC = ResourceSpec(
    kind=KIND,
    create_label="DynamoDB table",
    delete_label="DynamoDB table",
    create=create,
    delete=delete,
    exists=exists,
    list_tagged=list_tagged,
    estimate_line=estimate_line,
)
