"""The names and tags every resource of a stack carries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.provisioning import aws
from tests.provisioning.factories import ProjectFactory

pytestmark = pytest.mark.django_db


ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_resource_tags_name_tenant_user_project_platform_and_times(tenant, owner, settings):
    settings.TIJORI_ENVIRONMENT = "staging"
    settings.RESOURCE_TIMEOUT_MINUTES = 60
    project = ProjectFactory(tenant=tenant, actor=owner)
    before = timezone.now().replace(microsecond=0)

    tags = aws.resource_tags(project)

    assert set(tags) == {
        "TenantId",
        "UserId",
        "ProjectId",
        "StackId",
        "ManagedBy",
        "Environment",
        "CreatedAt",
        "ExpiresAt",
    }
    assert all(isinstance(value, str) for value in tags.values())
    assert tags["TenantId"] == str(tenant.pk)
    assert tags["UserId"] == str(owner.pk)
    assert tags["ProjectId"] == str(project.pk)
    assert tags["StackId"] == f"tijori-staging-{project.key}"
    assert tags["ManagedBy"] == aws.PLATFORM_TAG == "tijori"
    assert tags["Environment"] == "staging"
    assert ISO_UTC.fullmatch(tags["CreatedAt"]) and ISO_UTC.fullmatch(tags["ExpiresAt"])
    assert tags["CreatedAt"] == project.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    expires = dt.datetime.strptime(tags["ExpiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert before + dt.timedelta(minutes=60) <= expires <= timezone.now() + dt.timedelta(minutes=60)


def test_resource_tags_use_the_project_expiry_and_the_acting_user(tenant, owner, admin_user):
    expires_at = dt.datetime(
        2026, 4, 1, 16, 0, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    project = ProjectFactory(tenant=tenant, actor=owner)
    project.expires_at = expires_at
    tags = aws.resource_tags(project, user_id=admin_user.pk)
    assert tags["ExpiresAt"] == "2026-04-01T10:30:30Z"
    assert tags["UserId"] == str(admin_user.pk)


def test_resource_tags_without_any_user_say_system(tenant, owner):
    project = ProjectFactory(tenant=tenant, actor=None)
    assert aws.resource_tags(project)["UserId"] == "system"


def test_tag_list_is_the_key_value_form():
    assert aws.tag_list({"A": "1", "B": "2"}) == [{"Key": "A", "Value": "1"}, {"Key": "B", "Value": "2"}]
    assert aws.tag_list({}) == []


def test_tag_dict_undoes_tag_list():
    assert aws.tag_dict(aws.tag_list({"A": "1", "B": "2"})) == {"A": "1", "B": "2"}


def test_every_resource_name_of_an_environment_starts_with_its_prefix(tenant, owner, settings):
    settings.TIJORI_ENVIRONMENT = "Staging"
    project = ProjectFactory(tenant=tenant, actor=owner)
    assert aws.stack_prefix() == "tijori-staging-"
    assert aws.stack_id(project) == f"tijori-staging-{project.key}"
