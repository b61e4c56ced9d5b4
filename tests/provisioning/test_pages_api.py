"""Projects through the pages and the REST API, with the worker's tasks run eagerly against moto."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse

from apps.provisioning.models import Operation, Project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]


def _bundle(files: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return SimpleUploadedFile("site.zip", buffer.getvalue(), "application/zip")


def test_project_pages_from_creation_to_a_deployed_starter_app(
    owner_client, tenant, django_capture_on_commit_callbacks
):
    listing = owner_client.get(reverse("provisioning:project_list"))
    assert listing.status_code == 200 and "0 of 10" in listing.content.decode()
    created = owner_client.post(
        reverse("provisioning:project_list"), {"name": "Catalogue", "region": "ap-south-1", "tier": "small"}
    )
    project = Project.objects.for_tenant(tenant).get()
    assert created["Location"] == reverse("provisioning:infrastructure", args=[project.pk])
    page = owner_client.get(created["Location"]).content.decode()
    assert "Provision (at most $" in page and "Cost, at most" in page

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("provisioning:provision", args=[project.pk]))
    project.refresh_from_db()
    assert project.infra_state == "deployed"
    status = owner_client.get(reverse("provisioning:status", args=[project.pk])).content.decode()
    assert "Destroyed automatically at" in status and 'hx-trigger="none"' in status

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("provisioning:deploy", args=[project.pk]), {"source": "starter"})
    project.refresh_from_db()
    assert project.app_state == "deployed" and project.site_url
    infra = owner_client.get(reverse("provisioning:infrastructure", args=[project.pk])).content.decode()
    assert "Purge application first" in infra
    refused = owner_client.post(reverse("provisioning:destroy", args=[project.pk]), follow=True)
    assert "purge the application first" in refused.content.decode()


def test_a_bad_bundle_is_refused_and_nothing_is_queued(owner_client, tenant, owner):
    project = Project.objects.create(
        tenant=tenant, name="P", key="abcd1234", region="ap-south-1", tier="small", estimate_usd_month=10,
        infra_state="deployed",
    )  # fmt: skip
    response = owner_client.post(
        reverse("provisioning:deploy", args=[project.pk]),
        {"source": "bundle", "bundle": _bundle({"frontend/index.html": "<h1>hi</h1>"})},
        follow=True,
    )
    assert "backend/app.py" in response.content.decode()
    assert not Operation.objects.exists()


def test_staff_see_projects_but_cannot_act(make_client, staff_user, tenant):
    staff = make_client(staff_user, tenant)
    assert staff.get(reverse("provisioning:project_list")).status_code == 200
    response = staff.post(
        reverse("provisioning:project_list"), {"name": "X", "region": "ap-south-1", "tier": "small"}
    )
    assert response.status_code == 403 and not Project.objects.exists()


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

    bundle = _bundle(
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


def test_api_quota_refusal_is_a_clear_400(api, tenant, settings):
    settings.PROVISIONING_MAX_PROJECT_USD_MONTH = 20
    response = api.post("/api/v1/projects", {"name": "Big", "region": "ap-south-1", "tier": "medium"})
    assert response.status_code == 400
    assert "over the limit of $20.00 a project" in str(response.json())
    assert not Project.objects.exists()


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
    bundle = _bundle({"backend/app.py": "def handler(e, c):\n    return {}\n", "frontend/index.html": "hi"})
    bundle.name = "poc.html"
    with django_capture_on_commit_callbacks(execute=False):  # the deploy (which deletes it) is not run
        deploy = api.post(f"/api/v1/projects/{pk}/deploy", {"bundle": bundle}, content_type=MULTIPART_CONTENT)
    assert deploy.status_code == 202, deploy.json()
    stored = Operation.objects.get(pk=deploy.json()["id"]).bundle.name
    assert re.fullmatch(rf"bundles/t{tenant.pk}/[0-9a-f]{{32}}\.zip", stored)
