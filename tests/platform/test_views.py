"""/admin/stats/: the platform's figures, for super admins only (apps/platform/views.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.provisioning.models import Project
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(**flags) -> Client:
    client = Client()
    client.force_login(UserFactory(**flags))
    return client


def test_super_admins_see_the_figures_of_every_workspace(tenant, other_tenant):
    for shop, usd in [(tenant, "17.57"), (other_tenant, "48.57")]:
        Project.objects.create(
            tenant=shop, name="Site", key=f"k{shop.pk:07d}", region="ap-south-1", tier="small",
            estimate_usd_month=usd, infra_state=Project.InfraState.DEPLOYED,
        )  # fmt: skip
    assert reverse("admin-stats") == "/admin/stats/"

    response = _client(is_staff=True, is_superuser=True).get("/admin/stats/")

    html = response.content.decode()
    assert response.status_code == 200 and "Provisioning statistics" in html
    assert "2 deployed stack(s)" in html and "Shop A Jewellers" in html and "Shop B Gold" in html


def test_staff_who_are_not_super_admins_are_refused():
    assert _client(is_staff=True).get("/admin/stats/").status_code == 403


def test_members_of_a_workspace_are_sent_to_the_admin_login(owner_client):
    response = owner_client.get("/admin/stats/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
