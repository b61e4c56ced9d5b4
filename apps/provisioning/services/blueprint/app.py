"""The application on a stack: its code in the function, its files in the bucket, and their addresses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils import timezone

from apps.provisioning import aws
from apps.provisioning.models import Project, Resource
from apps.provisioning.services.blueprint import bucket
from apps.provisioning.services.blueprint.common import answers, client, resource_name
from apps.provisioning.services.bundles import (
    Bundle,
    bundle_read,
    content_type,
    placeholder_code,
    starter_bundle,
)

if TYPE_CHECKING:
    from apps.provisioning.models import Operation


def operation_bundle(operation: Operation) -> Bundle:
    """The bundle a deploy uploaded, or the built-in starter app."""
    if not operation.bundle:
        return starter_bundle()
    with operation.bundle.open("rb") as stored:
        return bundle_read(stored.read())


def deploy_code(project: Project, operation: Operation) -> None:
    lam = client(project, "lambda", operation)
    name = resource_name(project, Resource.Kind.FUNCTION)
    lam.update_function_code(FunctionName=name, ZipFile=operation_bundle(operation).code_zip, Publish=True)
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 30}
    )


def deploy_files(project: Project, operation: Operation) -> None:
    bundle = operation_bundle(operation)
    s3 = client(project, "s3", operation)
    name = resource_name(project, Resource.Kind.BUCKET)
    project.refresh_from_db(fields=["api_url"])
    bucket.bucket_empty(s3, name)  # a deploy replaces the site: the bucket holds one bundle only
    files = {**bundle.files, "config.js": f'window.TIJORI_API_URL = "{project.api_url}";\n'.encode()}
    for path, body in files.items():
        s3.put_object(Bucket=name, Key=path, Body=body, ContentType=bundle.content_type(path))


def site_url(project: Project) -> str:
    name = resource_name(project, Resource.Kind.BUCKET)
    endpoint = settings.AWS_ENDPOINT_URL.rstrip("/")
    if endpoint:  # the local emulator serves the bucket's files by path
        return f"{endpoint}/{name}/index.html"
    return f"http://{name}.s3-website.{project.region}.amazonaws.com/"


@dataclass(frozen=True)
class SiteFile:
    """One file of the deployed site, as the bucket holds it."""

    chunks: Iterator[bytes]
    content_type: str
    length: int | None


# S3's answer for an object stored without a type: the name says more.
UNTYPED = {"", "binary/octet-stream", "application/octet-stream"}


def site_file(project: Project, key: str, *, user_id: int | None = None) -> SiteFile | None:
    """The site's file at `key` in the project's bucket, read with the stack's own role, or None if the
    bucket has no such key (or no longer exists). Other AWS errors are raised."""
    s3 = client(project, "s3", user_id=user_id)
    try:
        found = s3.get_object(Bucket=resource_name(project, Resource.Kind.BUCKET), Key=key)
    except ClientError as exc:
        if aws.is_not_found(exc):
            return None
        raise
    stored = found.get("ContentType") or ""
    return SiteFile(
        chunks=found["Body"].iter_chunks(64 * 1024),
        content_type=content_type(key) if stored in UNTYPED else stored,
        length=found.get("ContentLength"),
    )


def site_has(project: Project, key: str, *, user_id: int | None = None) -> bool:
    """Whether the project's bucket holds `key`."""
    s3 = client(project, "s3", user_id=user_id)
    return answers(lambda: s3.head_object(Bucket=resource_name(project, Resource.Kind.BUCKET), Key=key))


def publish_urls(project: Project, operation: Operation) -> None:
    Project.objects.filter(pk=project.pk).update(site_url=site_url(project), updated_at=timezone.now())


def bucket_empty(project: Project, operation: Operation | None) -> None:
    """Take the application's files out of the project's bucket."""
    bucket.bucket_empty(client(project, "s3", operation), resource_name(project, Resource.Kind.BUCKET))


def reset_code(project: Project, operation: Operation | None) -> None:
    """Put the placeholder back in the function, and forget the site's address."""
    lam = client(project, "lambda", operation)
    lam.update_function_code(
        FunctionName=resource_name(project, Resource.Kind.FUNCTION), ZipFile=placeholder_code()
    )
    Project.objects.filter(pk=project.pk).update(site_url="", updated_at=timezone.now())


def purge(project: Project, operation: Operation) -> None:
    """Before a forced destroy of a stack with an application: its files and code go first."""
    bucket_empty(project, operation)
    reset_code(project, operation)
