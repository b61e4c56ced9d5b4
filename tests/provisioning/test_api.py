"""Projects and operations over the REST API (apps/provisioning/api.py), the worker's tasks run eagerly
against moto. The AWS-account endpoints are tested with the rest of the account in test_accounts."""

import re
from datetime import timedelta

import pytest
from django.test.client import MULTIPART_CONTENT
from django.utils.dateparse import parse_datetime

from apps.provisioning.models import Operation, Project
from tests.provisioning.conftest import deployed_project
from tests.provisioning.uploads import bundle_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]


def test_api_project_lifecycle_with_409_for_refused_transitions(
    api, tenant, django_capture_on_commit_callbacks
):
    created = api.post("/api/v1/projects", {"name": "Api site", "region": "ap-south-1", "tier": "small"})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api.post(f"/api/v1/projects/{pk}/deploy", {}, content_type=MULTIPART_CONTENT).status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        provision = api.post(f"/api/v1/projects/{pk}/provision", HTTP_IDEMPOTENCY_KEY="prov-1")
    assert provision.status_code == 202 and provision.json()["action"] == "provision"
    operation = api.get(f"/api/v1/operations/{provision.json()['id']}").json()
    assert operation["state"] == "succeeded" and [s["state"] for s in operation["steps"]] == ["done"] * 6
    replay = api.post(f"/api/v1/projects/{pk}/provision", HTTP_IDEMPOTENCY_KEY="prov-1")
    assert replay.status_code == 202 and replay["Idempotent-Replayed"] == "true"

    bundle = bundle_upload(
        {"backend/app.py": "def handler(e, c):\n    return {}\n", "frontend/index.html": "<h1>Hi</h1>"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        deploy = api.post(f"/api/v1/projects/{pk}/deploy", {"bundle": bundle}, content_type=MULTIPART_CONTENT)
    assert deploy.status_code == 202, deploy.json()
    detail = api.get(f"/api/v1/projects/{pk}").json()
    assert detail["app_state"] == "deployed" and len(detail["resources"]) == 5

    refused = api.post(f"/api/v1/projects/{pk}/destroy")
    assert refused.status_code == 409 and refused.json()["code"] == "transition_refused"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/projects/{pk}/purge").status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/projects/{pk}/destroy").status_code == 202
    assert api.get(f"/api/v1/projects/{pk}").json()["infra_state"] == "destroyed"


def test_api_quota_refusal_is_a_409_with_its_own_code(api, tenant, settings):
    """A limit of the workspace's plan, told apart from bad input (400) by status and code."""
    settings.PROVISIONING_MAX_PROJECT_USD_MONTH = 20
    response = api.post("/api/v1/projects", {"name": "Big", "region": "ap-south-1", "tier": "medium"})
    assert response.status_code == 409
    assert response.json() == {
        "code": "quota_project_usd",
        "message": "The project's estimate of $48.57 a month is over the limit of $20.00 a project.",
        "fields": {},
    }
    assert not Project.objects.exists()


def test_api_project_count_refusal_has_its_code(api, tenant, settings):
    settings.PROVISIONING_MAX_PROJECTS = 0
    response = api.post("/api/v1/projects", {"name": "None", "region": "ap-south-1", "tier": "small"})
    assert response.status_code == 409 and response.json()["code"] == "quota_projects"


def test_expensive_actions_have_a_stricter_rate_limit(
    api, tenant, monkeypatch, django_capture_on_commit_callbacks
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "expensive", "2/hour")
    pk = api.post("/api/v1/projects", {"name": "Limited", "region": "ap-south-1", "tier": "small"}).json()[
        "id"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/projects/{pk}/provision").status_code == 202
    assert api.post(f"/api/v1/projects/{pk}/purge").status_code == 409  # counted, though refused
    limited = api.post(f"/api/v1/projects/{pk}/destroy")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert api.get(f"/api/v1/projects/{pk}").status_code == 200  # reading is not an expensive operation


def test_an_uploaded_bundle_is_stored_under_a_name_of_ours(api, tenant, django_capture_on_commit_callbacks):
    pk = api.post("/api/v1/projects", {"name": "Named", "region": "ap-south-1", "tier": "small"}).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/projects/{pk}/provision").status_code == 202
    bundle = bundle_upload(
        {"backend/app.py": "def handler(e, c):\n    return {}\n", "frontend/index.html": "hi"}
    )
    bundle.name = "poc.html"
    with django_capture_on_commit_callbacks(execute=False):  # the deploy (which deletes it) is not run
        deploy = api.post(f"/api/v1/projects/{pk}/deploy", {"bundle": bundle}, content_type=MULTIPART_CONTENT)
    assert deploy.status_code == 202, deploy.json()
    stored = Operation.objects.get(pk=deploy.json()["id"]).bundle.name
    assert re.fullmatch(rf"bundles/t{tenant.pk}/[0-9a-f]{{32}}\.zip", stored)


def test_an_operation_is_read_by_its_uuid_and_only_in_its_workspace(api, tenant, other_tenant):
    def operation(of_tenant):
        project = Project.objects.create(
            tenant=of_tenant, name="P", key=f"k{of_tenant.pk:07d}", region="ap-south-1", tier="small",
            estimate_usd_month=10,
        )  # fmt: skip
        return Operation.objects.create(tenant=of_tenant, project=project, action="provision", state="failed")

    mine, theirs = operation(tenant), operation(other_tenant)
    assert api.get(f"/api/v1/operations/{mine.pk}").json()["id"] == str(mine.pk)
    assert api.get(f"/api/v1/operations/{theirs.pk}").json() == {
        "code": "not_found", "message": "Not found.", "fields": {},
    }  # fmt: skip
    assert api.get("/api/v1/operations/12").status_code == 404  # not a uuid: no route


def test_extending_stops_at_the_maximum_lifetime_after_deployment(api, tenant, owner, settings):
    settings.RESOURCE_MAX_LIFETIME_MINUTES = 8 * 60
    deployed = deployed_project(
        tenant, owner, deployed_ago=timedelta(hours=7), expires_in=timedelta(minutes=30)
    )
    latest = deployed.deployed_at + timedelta(hours=8)

    response = api.post(f"/api/v1/projects/{deployed.pk}/extend", {"minutes": 600})

    assert response.status_code == 200, response.content
    assert parse_datetime(response.json()["expires_at"]) == latest
    deployed.refresh_from_db()
    assert deployed.expires_at == latest
