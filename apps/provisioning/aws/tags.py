"""Names and tags of the resources Tijori creates: how the sweep and a person in the console tell them apart."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from apps.provisioning.models import Project

PLATFORM_TAG = "tijori"  # value of the ManagedBy tag on every resource Tijori creates


def stack_prefix() -> str:
    """`tijori-<environment>-`: the start of every resource name of this environment."""
    return f"tijori-{settings.TIJORI_ENVIRONMENT}-".lower()


def stack_id(project: Project) -> str:
    """The stack's name, `tijori-<environment>-<project key>`: the start of every resource's name."""
    return f"{stack_prefix()}{project.key}".lower()


def resource_tags(project: Project, *, user_id: int | None = None) -> dict[str, str]:
    """The tags on every resource of the project: who, which project, whose platform, until when."""
    user = project.created_by_id if user_id is None else user_id
    expires_at = project.expires_at or timezone.now() + dt.timedelta(
        minutes=settings.RESOURCE_TIMEOUT_MINUTES
    )
    return {
        "TenantId": str(project.tenant_id),
        "UserId": "system" if user in (None, "") else str(user),
        "ProjectId": str(project.pk),
        "StackId": stack_id(project),
        "ManagedBy": PLATFORM_TAG,
        "Environment": str(settings.TIJORI_ENVIRONMENT),
        "CreatedAt": _iso(project.created_at),
        "ExpiresAt": _iso(expires_at),
    }


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    """`{"k": "v"}` in the `[{"Key": "k", "Value": "v"}]` form most AWS APIs take."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tag_dict(tags: list[dict[str, str]]) -> dict[str, str]:
    """The `[{"Key": "k", "Value": "v"}]` form back into `{"k": "v"}`."""
    return {tag["Key"]: tag["Value"] for tag in tags}


def _iso(moment: dt.datetime) -> str:
    """ISO-8601 in UTC to the second, e.g. `2026-04-01T10:30:00Z` (tag values allow these characters)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
