"""The S3 bucket serving the frontend as a website; emptied before it is deleted."""

from __future__ import annotations

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
    resource_row,
    tags,
    tags_of,
)

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

KIND = Resource.Kind.BUCKET
# Budgeted, not enforced (S3 has no request cap): 200 deploys of the largest bundle (500 files) and
# a million page-file downloads a month.
PUT_REQUESTS_MONTH = 100_000
GET_REQUESTS_MONTH = 1_000_000


def estimate_line(caps: pricing.TierCaps, price: dict[str, Decimal]) -> pricing.EstimateLine:
    """`s3_max_gb` stored (the deploy keeps the bucket within it) and the budgeted requests."""
    amount = (
        caps.s3_max_gb * price["s3_storage_gb_month"]
        + PUT_REQUESTS_MONTH / pricing.THOUSAND * price["s3_put_per_1k"]
        + GET_REQUESTS_MONTH / pricing.THOUSAND * price["s3_get_per_1k"]
    )
    return pricing.line(
        KIND, amount,
        f"{caps.s3_max_gb} GB of files, with {PUT_REQUESTS_MONTH:,} uploads and "
        f"{GET_REQUESTS_MONTH:,} downloads a month allowed for.",
    )  # fmt: skip


def create(project: Project, operation: Operation) -> None:
    resource = resource_row(project, KIND, estimate_line=estimate_line)
    mark(resource, Resource.State.CREATING)
    s3 = client(project, "s3", operation)
    params = {"Bucket": resource.name}
    if project.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": project.region}
    try:
        s3.create_bucket(**params)
    except ClientError as exc:
        if aws.error_code(exc) == "BucketAlreadyExists":
            raise StepFailed(f"The bucket name {resource.name} is taken by another AWS account.") from exc
        if aws.error_code(exc) != "BucketAlreadyOwnedByYou":
            raise
    s3.put_bucket_tagging(Bucket=resource.name, Tagging={"TagSet": aws.tag_list(tags(project, operation))})
    s3.put_bucket_website(
        Bucket=resource.name,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "index.html"},
        },
    )
    mark(resource, Resource.State.CREATED, physical_id=f"arn:aws:s3:::{resource.name}")


def bucket_empty(s3, name: str) -> int:
    """Delete every object of a bucket (tenant buckets have no versioning); returns how many."""
    removed = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def bucket_delete(s3, name: str) -> None:
    """Empty the bucket, then delete it (S3 refuses to delete a bucket that holds objects)."""
    bucket_empty(s3, name)
    s3.delete_bucket(Bucket=name)


def delete(project: Project, operation: Operation) -> None:
    delete_recorded(project, KIND, lambda r: bucket_delete(client(project, "s3", operation), r.name))


def exists(project: Project, operation: Operation | None, resource: Resource) -> bool:
    s3 = client(project, "s3", operation)
    return answers(lambda: s3.head_bucket(Bucket=resource.name))


def list_tagged(client_for: ClientFor, region: str) -> list[Found]:
    """The buckets named like ours in `region` (S3 lists every region's: each is asked where it is)."""
    s3 = client_for("s3", region)
    found = []
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        if name.startswith(aws.stack_prefix()):
            region_of = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
            if region_of == region:
                bucket_tags = tags_of(lambda n=name: s3.get_bucket_tagging(Bucket=n))
                found.append(Found(KIND, name, bucket_tags, lambda n=name: bucket_delete(s3, n)))
    return found


SPEC = ResourceSpec(
    kind=KIND,
    create_label="S3 bucket for the frontend",
    delete_label="S3 bucket",
    create=create,
    delete=delete,
    exists=exists,
    list_tagged=list_tagged,
    estimate_line=estimate_line,
)
