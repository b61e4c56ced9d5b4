"""Provisioning in Django admin: every page opens for a super admin, read-only where state is kept."""

import secrets
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount, TenantQuota
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def provisioned(tenant, owner):
    """A deployed project with its whole ledger, twelve finished operations, a quota and an AWS account."""
    project = Project.objects.create(
        tenant=tenant, name="Catalogue site", key=secrets.token_hex(4), region="ap-south-1", tier="small",
        estimate_usd_month=Decimal("17.57"), infra_state=Project.InfraState.DEPLOYED, created_by=owner,
    )  # fmt: skip
    for kind in Resource.Kind.values:
        Resource.objects.create(
            tenant=tenant, project=project, kind=kind, name=f"tijori-test-{project.key}-{kind}",
            physical_id=f"arn:aws:test:::{kind}", region="ap-south-1", state=Resource.State.CREATED,
        )  # fmt: skip
    for n in range(12):
        Operation.objects.create(
            tenant=tenant, project=project, action=Operation.Action.DEPLOY_APP,
            state=Operation.State.SUCCEEDED, attempts=1, error=f"run {n}",
        )  # fmt: skip
    TenantQuota.objects.create(tenant=tenant, max_projects=3, note="Pilot")
    TenantAwsAccount.objects.create(
        tenant=tenant, role_arn="arn:aws:iam::123456789012:role/Tijori", external_id=secrets.token_hex(16)
    )
    return project


MODELS = ["project", "operation", "resource", "tenantquota", "tenantawsaccount"]


@pytest.mark.parametrize("model", MODELS)
def test_super_admin_opens_each_changelist_search_and_change_page(superuser_client, provisioned, model):
    changelist = reverse(f"admin:provisioning_{model}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    assert superuser_client.get(changelist, {"q": "catalogue"}).status_code == 200
    obj = {
        "project": provisioned,
        "operation": provisioned.operations.first(),
        "resource": provisioned.resources.first(),
        "tenantquota": TenantQuota.objects.get(),
        "tenantawsaccount": TenantAwsAccount.objects.get(),
    }[model]
    page = superuser_client.get(reverse(f"admin:provisioning_{model}_change", args=[obj.pk]))
    assert page.status_code == 200


def test_project_page_shows_its_resources_and_only_the_latest_operations(superuser_client, provisioned):
    body = superuser_client.get(
        reverse("admin:provisioning_project_change", args=[provisioned.pk])
    ).content.decode()
    assert all(f"arn:aws:test:::{kind}" in body for kind in Resource.Kind.values)
    shown = [n for n in range(12) if f"run {n}<" in body]
    assert shown == list(range(2, 12))  # the ten newest
    assert f"?project__id__exact={provisioned.pk}" in body
    assert 'name="_save"' not in body  # read-only


def test_state_is_not_editable_or_deletable_in_admin(superuser_client, provisioned):
    for model in ["project", "operation", "resource", "tenantawsaccount"]:
        assert superuser_client.get(reverse(f"admin:provisioning_{model}_add")).status_code == 403
    url = reverse("admin:provisioning_project_change", args=[provisioned.pk])
    response = superuser_client.post(url, {"infra_state": "destroyed"})
    assert response.status_code == 403
    provisioned.refresh_from_db()
    assert provisioned.infra_state == Project.InfraState.DEPLOYED


def test_super_admin_overrides_a_quota_and_it_is_audited(superuser_client, tenant, other_tenant):
    add = reverse("admin:provisioning_tenantquota_add")
    response = superuser_client.post(
        add,
        {"tenant": other_tenant.pk, "max_projects": "20", "max_project_usd_month": "",
         "max_tenant_usd_month": "250.00", "note": "Agency"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    quota = TenantQuota.objects.get(tenant=other_tenant)
    assert (quota.max_projects, quota.max_project_usd_month, quota.max_tenant_usd_month) == (
        20, None, Decimal("250.00"),
    )  # fmt: skip
    event = AuditEvent.objects.get(action="tenant_quota.set")
    assert event.tenant == other_tenant and event.actor.email == "root@tijori.in"
    assert "20 projects" in event.summary and "50 (default)" in event.summary

    listing = superuser_client.get(reverse("admin:provisioning_tenantquota_changelist")).content.decode()
    assert "50 (default)" in listing and "250.00" in listing


def test_a_negative_quota_is_refused(superuser_client, tenant):
    response = superuser_client.post(
        reverse("admin:provisioning_tenantquota_add"),
        {"tenant": tenant.pk, "max_projects": "", "max_project_usd_month": "-1", "max_tenant_usd_month": ""},
    )
    assert response.status_code == 200
    assert "A limit can&#x27;t be negative." in response.content.decode()
    assert not TenantQuota.objects.exists() and not AuditEvent.objects.filter(
        action__startswith="tenant_quota"
    )


def test_changing_a_quota_keeps_its_workspace_and_is_audited(superuser_client, tenant, other_tenant):
    quota = TenantQuota.objects.create(tenant=tenant, max_projects=3, note="Pilot")
    url = reverse("admin:provisioning_tenantquota_change", args=[quota.pk])
    response = superuser_client.post(
        url,
        {"tenant": other_tenant.pk, "max_projects": "", "max_project_usd_month": "12.00",
         "max_tenant_usd_month": "", "note": "Pilot, smaller"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    quota.refresh_from_db()
    assert (quota.tenant, quota.max_projects, quota.max_project_usd_month) == (tenant, None, Decimal("12.00"))
    event = AuditEvent.objects.get(action="tenant_quota.set")
    assert event.tenant == tenant and "10 (default) projects, $12.00 a project" in event.summary


def test_deleting_a_quota_brings_back_the_defaults_and_is_audited(superuser_client, tenant, other_tenant):
    mine = TenantQuota.objects.create(tenant=tenant, max_projects=3)
    theirs = TenantQuota.objects.create(tenant=other_tenant, max_projects=4)
    response = superuser_client.post(
        reverse("admin:provisioning_tenantquota_delete", args=[mine.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    changelist = reverse("admin:provisioning_tenantquota_changelist")
    superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"}
    )
    assert not TenantQuota.objects.exists()
    events = AuditEvent.objects.filter(action="tenant_quota.reset")
    assert {event.tenant for event in events} == {tenant, other_tenant}
    assert all(event.actor.email == "root@tijori.in" for event in events)
