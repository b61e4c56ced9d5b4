"""Deleting a project (services.project_delete, its page's button and the API): only once nothing of it
can be in AWS, and never at the cost of its history."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import Operation, Project, Resource
from apps.provisioning.services import project_delete, quota_usage
from tests.provisioning.conftest import live_resources
from tests.provisioning.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

Infra = Project.InfraState


def _infrastructure(client, project) -> str:
    return client.get(reverse("provisioning:infrastructure", args=[project.pk])).content.decode()


def test_a_never_provisioned_project_is_deleted_from_its_page_and_leaves_the_lists(
    owner_client, api, tenant, owner
):
    project = ProjectFactory(tenant=tenant, actor=owner, name="Typo site")
    assert "Delete project" in _infrastructure(owner_client, project)
    assert quota_usage(tenant=tenant).projects == 1

    response = owner_client.post(reverse("provisioning:delete", args=[project.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("provisioning:project_list")
    page = response.content.decode()
    assert "Project Typo site was deleted." in page and "Typo site</a>" not in page
    assert owner_client.get(reverse("provisioning:infrastructure", args=[project.pk])).status_code == 404
    assert owner_client.get(reverse("provisioning:application", args=[project.pk])).status_code == 404
    assert api.get("/api/v1/projects").json()["results"] == []
    assert api.get(f"/api/v1/projects/{project.pk}").status_code == 404
    project.refresh_from_db()  # the row stays, for the admin and the audit trail
    assert project.infra_state == Infra.DELETED
    event = AuditEvent.objects.get(action="project.delete")
    assert (event.tenant, event.actor, event.target_id) == (tenant, owner, str(project.pk))
    assert "Typo site (not provisioned)" in event.summary
    assert quota_usage(tenant=tenant).projects == 0
    # Its name is free again.
    assert ProjectFactory(tenant=tenant, actor=owner, name="Typo site").pk != project.pk


def test_a_destroyed_project_is_deleted_and_its_ledger_operations_and_audit_survive(
    tenant, owner, run, settings, client
):
    from apps.accounts.models import User

    settings.TIJORI_ENVIRONMENT = "test"
    project = ProjectFactory(tenant=tenant, actor=owner, name="Old site")
    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DESTROY, owner)
    assert project.infra_state == Infra.DESTROYED
    ledger = list(Resource.objects.filter(project=project).values_list("pk", "physical_id"))
    assert len(ledger) == 5 and all(physical_id for _, physical_id in ledger)

    project_delete(tenant=tenant, actor=owner, project=project)

    project.refresh_from_db()
    assert project.infra_state == Infra.DELETED
    assert list(Resource.objects.filter(project=project).values_list("pk", "physical_id")) == ledger
    assert Operation.objects.filter(project=project).count() == 2
    trail = set(
        AuditEvent.objects.filter(tenant=tenant, target_id=str(project.pk)).values_list("action", flat=True)
    )
    assert {"project.create", "project.provision", "project.destroy", "project.delete"} <= trail
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    # A super admin still reads the whole story in the admin.
    client.force_login(User.objects.create_superuser("root@tijori.local", "pw-123456789", full_name="Root"))
    page = client.get(reverse("admin:provisioning_project_change", args=[project.pk])).content.decode()
    assert "Deleted" in page and ledger[0][1] in page


def test_a_rolled_back_failed_project_can_be_deleted(tenant, owner):
    project = ProjectFactory(tenant=tenant, actor=owner)
    Project.objects.filter(pk=project.pk).update(infra_state=Infra.FAILED)
    Resource.objects.create(
        tenant=tenant, project=project, kind="bucket", name="b", region="ap-south-1", state="deleted"
    )
    project_delete(tenant=tenant, actor=owner, project=project)
    project.refresh_from_db()
    assert project.infra_state == Infra.DELETED


@pytest.mark.parametrize(
    ("state", "left", "active", "reason"),
    [
        (Infra.NEW, None, True, "still running"),  # a provisioning just queued
        (Infra.PENDING, None, False, "still running"),
        (Infra.PROVISIONING, "creating", True, "still running"),
        (Infra.DEPLOYED, "created", False, "deployed and may hold resources in AWS: destroy it first"),
        (Infra.DESTROYING, "deleting", True, "still running"),
        (Infra.FAILED, "created", False, "failed and may hold resources in AWS"),
        (Infra.CLEANUP_FAILED, "deleting", False, "clean-up failed and may hold resources in AWS"),
        (Infra.DESTROYED, "failed", False, "destroyed and may hold resources in AWS"),
    ],
)
def test_delete_is_refused_while_the_project_works_or_may_hold_resources(
    owner_client, tenant, owner, state, left, active, reason
):
    project = ProjectFactory(tenant=tenant, actor=owner)
    Project.objects.filter(pk=project.pk).update(infra_state=state)
    if left:
        Resource.objects.create(
            tenant=tenant, project=project, kind="bucket", name="b", region="ap-south-1", state=left
        )
    if active:
        Operation.objects.create(tenant=tenant, project=project, action="provision", state="queued")
    project.refresh_from_db()
    assert "Delete project" not in _infrastructure(owner_client, project)

    with pytest.raises(TransitionRefused, match=reason):
        project_delete(tenant=tenant, actor=owner, project=project)
    response = owner_client.post(reverse("provisioning:delete", args=[project.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("provisioning:infrastructure", args=[project.pk])
    assert reason in response.content.decode()
    project.refresh_from_db()
    assert project.infra_state == state
    assert not AuditEvent.objects.filter(action="project.delete").exists()


def test_a_deleted_project_cannot_be_deleted_again(tenant, owner):
    project = ProjectFactory(tenant=tenant, actor=owner)
    project_delete(tenant=tenant, actor=owner, project=project)
    with pytest.raises(TransitionRefused, match="already been deleted"):
        project_delete(tenant=tenant, actor=owner, project=project)
    assert AuditEvent.objects.filter(action="project.delete").count() == 1


def test_staff_see_no_delete_button_and_are_refused(make_client, staff_user, tenant, owner):
    project = ProjectFactory(tenant=tenant, actor=owner)
    staff = make_client(staff_user, tenant)
    assert "Delete project" not in _infrastructure(staff, project)
    assert staff.post(reverse("provisioning:delete", args=[project.pk])).status_code == 403
    project.refresh_from_db()
    assert project.infra_state == Infra.NEW


def test_api_deletes_a_draft_and_answers_409_for_a_deployed_stack(api, tenant, owner):
    from tests.provisioning.factories import DeployedProjectFactory

    draft = ProjectFactory(tenant=tenant, actor=owner)
    deployed = DeployedProjectFactory(tenant=tenant, actor=owner)

    assert api.delete(f"/api/v1/projects/{draft.pk}").status_code == 204
    refused = api.delete(f"/api/v1/projects/{deployed.pk}")

    assert api.get(f"/api/v1/projects/{draft.pk}").status_code == 404
    assert refused.status_code == 409 and refused.json()["code"] == "transition_refused"
    assert "destroy it first" in refused.json()["message"]
    deployed.refresh_from_db()
    assert deployed.infra_state == Infra.DEPLOYED
