"""The registry of resource kinds: every kind has a spec, every list of steps comes from it, and every
AWS call a spec makes is allowed by the IAM policy shown to workspace owners."""

from __future__ import annotations

import pytest

from apps.provisioning import pricing
from apps.provisioning.models import Operation, Project, Resource
from apps.provisioning.services import blueprint, operation_request
from tests.provisioning.conftest import AWS_TEST_REGION, create_execution_boundary
from tests.provisioning.factories import ProjectFactory
from tests.provisioning.test_iam_policy import (
    ENV,
    PLATFORM_IN_ACCOUNT,
    record_calls,
    refused,
    stack_account_policy,
)

pytestmark = pytest.mark.django_db


def test_every_resource_kind_has_exactly_one_spec():
    assert sorted(spec.kind for spec in blueprint.RESOURCES) == sorted(Resource.Kind.values)
    assert len(blueprint.BY_KIND) == len(blueprint.RESOURCES)
    for spec in blueprint.RESOURCES:
        assert spec.label == Resource.Kind(spec.kind).label and spec.create_label and spec.delete_label


def test_provision_creates_in_registry_order_and_destroy_removes_in_reverse():
    kinds = [spec.kind for spec in blueprint.RESOURCES]
    provision = [step.name for step in blueprint.STEPS[Operation.Action.PROVISION]]
    destroy = [step.name for step in blueprint.STEPS[Operation.Action.DESTROY]]
    assert provision == [*kinds, "verify"]
    assert destroy == ["purge", *reversed(kinds), "verify"]


def test_the_estimate_has_one_line_per_spec():
    estimate = blueprint.estimate(tier="small", region="ap-south-1")
    assert [line.kind for line in estimate.lines] == [spec.kind for spec in reversed(blueprint.RESOURCES)]
    caps, prices = pricing.TIERS["small"], pricing.PRICES["ap-south-1"]
    assert estimate.lines == [spec.estimate_line(caps, prices) for spec in reversed(blueprint.RESOURCES)]


@pytest.mark.parametrize("app_state", [Project.AppState.NONE, Project.AppState.DEPLOYED])
def test_the_progress_list_shows_exactly_the_steps_the_runner_takes(
    tenant, owner, app_state, django_capture_on_commit_callbacks
):
    project = ProjectFactory(tenant=tenant, actor=owner)
    Project.objects.filter(pk=project.pk).update(infra_state=Project.InfraState.DEPLOYED, app_state=app_state)
    project.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        operation = operation_request(
            tenant=tenant, actor=None, project=project, action="destroy", trigger="ttl"
        )

    listed = [(entry["step"], entry["label"]) for entry in operation.steps]
    assert listed == [(step.name, step.label) for step in blueprint.steps_of(operation)]
    has_purge = listed[0] == ("purge", "Empty the bucket and reset the function")
    assert has_purge == (app_state == Project.AppState.DEPLOYED)


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize("spec", blueprint.RESOURCES, ids=lambda spec: spec.kind)
def test_each_spec_s_aws_calls_are_allowed_by_the_policy(spec, tenant, owner, settings, monkeypatch):
    """Create (after the kinds it needs), check, list for the sweep and delete one kind, recording its calls."""
    settings.TIJORI_ENVIRONMENT, settings.AWS_ROLE_ARN = ENV, PLATFORM_IN_ACCOUNT
    create_execution_boundary(PLATFORM_IN_ACCOUNT)
    project = ProjectFactory(tenant=tenant, actor=owner, region=AWS_TEST_REGION)
    operation = Operation(tenant=tenant, project=project, action="provision", requested_by=owner)
    for needed in blueprint.RESOURCES[: blueprint.RESOURCES.index(spec)]:
        needed.create(project, operation)

    calls = record_calls(monkeypatch)
    spec.create(project, operation)
    resource = Resource.objects.get(project=project, kind=spec.kind)
    assert spec.exists(project, operation, resource)
    assert [
        found.kind
        for found in spec.list_tagged(lambda service, region: _client(project, service), AWS_TEST_REGION)
    ] == [spec.kind]
    spec.delete(project, operation)
    assert not spec.exists(project, operation, Resource.objects.get(pk=resource.pk))

    assert calls, "a spec that makes no AWS call is not a resource"
    assert not refused(stack_account_policy(), calls), f"the policy refuses what {spec.kind} calls"


def _client(project, service):
    return blueprint.common.client(project, service)
