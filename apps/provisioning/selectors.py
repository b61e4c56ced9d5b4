"""Reads of projects, operations and resources, always for one tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.provisioning.models import Operation, Project, Resource

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def project_list(*, tenant: Tenant) -> QuerySet[Project]:
    return Project.objects.for_tenant(tenant).order_by("-created_at", "-id")


def project_get(*, tenant: Tenant, project_id: int) -> Project:
    return get_object_or_404(Project.objects.for_tenant(tenant).select_related("tenant"), pk=project_id)


def resource_list(*, project: Project) -> QuerySet[Resource]:
    return Resource.objects.filter(project=project).order_by("id")


def operation_list(*, project: Project) -> QuerySet[Operation]:
    return Operation.objects.filter(project=project).select_related("requested_by").order_by("-created_at")


def operation_latest(*, project: Project) -> Operation | None:
    return operation_list(project=project).first()


def operation_get(*, tenant: Tenant, operation_id) -> Operation:
    return get_object_or_404(Operation.objects.for_tenant(tenant).select_related("project"), pk=operation_id)
