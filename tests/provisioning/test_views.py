"""The project pages (apps/provisioning/views.py), with the worker's tasks run eagerly against moto."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.provisioning.models import Operation, Project
from tests.provisioning.conftest import deployed_project
from tests.provisioning.uploads import bundle_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

NEW_PROJECT = {"name": "Catalogue", "region": "ap-south-1", "tier": "small"}


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_project_pages_from_creation_to_a_deployed_starter_app(
    owner_client, tenant, django_capture_on_commit_callbacks
):
    listing = owner_client.get(reverse("provisioning:project_list"))
    assert listing.status_code == 200 and "0 of 10" in listing.content.decode()
    created = owner_client.post(reverse("provisioning:project_create"), NEW_PROJECT)
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


def test_the_new_project_form_posts_to_its_own_address(owner_client):
    page = owner_client.get(reverse("provisioning:project_list")).content.decode()
    assert f'action="{reverse("provisioning:project_create")}"' in page
    # Reloading the address the form was posted to goes back to the list.
    reload = owner_client.get(reverse("provisioning:project_create"))
    assert reload.status_code == 302 and reload["Location"] == reverse("provisioning:project_list")


def test_a_refused_project_shows_the_reason_on_the_form(owner_client, tenant, settings):
    settings.PROVISIONING_MAX_PROJECT_USD_MONTH = 20
    response = owner_client.post(reverse("provisioning:project_create"), {**NEW_PROJECT, "tier": "medium"})
    assert response.status_code == 422
    assert "over the limit of $20.00 a project" in response.content.decode()
    assert not Project.objects.exists()


def test_a_bad_bundle_is_refused_and_nothing_is_queued(owner_client, tenant, owner):
    project = Project.objects.create(
        tenant=tenant, name="P", key="abcd1234", region="ap-south-1", tier="small", estimate_usd_month=10,
        infra_state="deployed",
    )  # fmt: skip
    response = owner_client.post(
        reverse("provisioning:deploy", args=[project.pk]),
        {"source": "bundle", "bundle": bundle_upload({"frontend/index.html": "<h1>hi</h1>"})},
        follow=True,
    )
    assert "backend/app.py" in response.content.decode()
    assert not Operation.objects.exists()


def test_staff_see_projects_but_cannot_act(make_client, staff_user, tenant):
    staff = make_client(staff_user, tenant)
    listing = staff.get(reverse("provisioning:project_list"))
    assert listing.status_code == 200 and "Create project" not in listing.content.decode()
    response = staff.post(reverse("provisioning:project_create"), NEW_PROJECT)
    assert response.status_code == 403 and not Project.objects.exists()


@pytest.mark.parametrize("tab", ["infrastructure", "application"])
def test_a_tabs_htmx_poll_gets_only_its_live_part(owner_client, tenant, owner, tab):
    project = deployed_project(tenant, owner, deployed_ago=timedelta(hours=1), expires_in=timedelta(hours=1))
    url = reverse(f"provisioning:{tab}", args=[project.pk])

    page = owner_client.get(url)
    poll = owner_client.get(url, headers={"HX-Request": "true"})

    assert "<html" in page.content.decode() and "HX-Request" in page["Vary"]
    body = poll.content.decode()
    assert body.startswith('<div id="project-status"') and "<html" not in body
    assert f'hx-get="{url}"' in body and "HX-Request" in poll["Vary"]
    status = owner_client.get(
        reverse("provisioning:status", args=[project.pk]), {"tab": tab}
    ).content.decode()
    assert _without_tokens(status) == _without_tokens(body)  # /status/ serves the same live part


@pytest.mark.parametrize(
    ("expires_in", "warned"), [(timedelta(minutes=9), True), (timedelta(minutes=11), False)]
)
def test_a_stack_due_within_ten_minutes_is_flagged(owner_client, tenant, owner, expires_in, warned):
    project = deployed_project(tenant, owner, deployed_ago=timedelta(hours=1), expires_in=expires_in)
    page = owner_client.get(reverse("provisioning:infrastructure", args=[project.pk])).content.decode()
    assert ("This stack expires in less than 10 minutes." in page) is warned


# --- extending a stack from its Infrastructure tab ------------------------------------------------


@pytest.fixture
def deployed(tenant, owner, settings):
    """Deployed 7 h 15 min ago, of an 8-hour maximum lifetime; due to expire in 10 minutes."""
    settings.RESOURCE_MAX_LIFETIME_MINUTES = 8 * 60
    return deployed_project(
        tenant, owner, deployed_ago=timedelta(hours=7, minutes=15), expires_in=timedelta(minutes=10)
    )


def _extend(client, project, minutes):
    return client.post(reverse("provisioning:extend", args=[project.pk]), {"minutes": minutes}, follow=True)


def test_the_page_extends_a_stack_by_the_chosen_time_and_says_so(owner_client, deployed):
    before = deployed.expires_at

    response = _extend(owner_client, deployed, 30)

    assert response.redirect_chain[-1][0] == reverse("provisioning:infrastructure", args=[deployed.pk])
    assert "The stack&#x27;s expiry has been extended." in response.content.decode()
    deployed.refresh_from_db()
    assert deployed.expires_at == before + timedelta(minutes=30)
    assert AuditEvent.objects.filter(action="project.extend", target_id=str(deployed.pk)).count() == 1


def test_the_page_caps_an_extension_at_the_maximum_lifetime_then_refuses_more_in_words(
    owner_client, deployed, settings
):
    latest = deployed.deployed_at + timedelta(minutes=settings.RESOURCE_MAX_LIFETIME_MINUTES)

    _extend(owner_client, deployed, 120)  # 45 minutes of lifetime were left: capped there
    deployed.refresh_from_db()
    assert deployed.expires_at == latest

    response = _extend(owner_client, deployed, 30)

    assert (
        "This stack already lives the longest allowed (8 hours after deployment)."
        in response.content.decode()
    )
    deployed.refresh_from_db()
    assert deployed.expires_at == latest
    assert AuditEvent.objects.filter(action="project.extend").count() == 1


def test_a_choice_the_page_does_not_offer_changes_nothing(owner_client, deployed):
    before = deployed.expires_at
    _extend(owner_client, deployed, 10_000)
    deployed.refresh_from_db()
    assert deployed.expires_at == before


def test_a_destroyed_projects_page_offers_to_provision_again_then_lists_the_new_stack_only(
    owner_client, tenant, owner, run, django_capture_on_commit_callbacks
):
    from tests.provisioning.factories import ProjectFactory

    project = ProjectFactory(tenant=tenant, actor=owner, name="Festive site")
    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DESTROY, owner)
    url = reverse("provisioning:infrastructure", args=[project.pk])
    page = owner_client.get(url).content.decode()
    assert "This stack was destroyed on" in page and "Provision again (at most $" in page
    assert "Delete project" in page and page.count('data-label="Resource"') == 5

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("provisioning:provision", args=[project.pk]))

    project.refresh_from_db()
    page = owner_client.get(url).content.decode()
    assert project.infra_state == "deployed" and "Delete project" not in page
    assert page.count('data-label="Resource"') == 5 and page.count(f"-{project.key}") >= 5
    assert page.count(">Deleted</span>") == 0  # the first life's rows are in the admin, not here
