"""Extending a stack from its Infrastructure page: moved within the cap, refused in words beyond it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from tests.provisioning.conftest import deployed_project

pytestmark = pytest.mark.django_db


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
