"""`project_extend`: a deployed stack's expiry can be pushed back, but never past its maximum lifetime
after deployment. (Through the API: test_api; through the page: test_views.)"""

from datetime import timedelta

import pytest

from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.services import project_extend
from tests.provisioning.conftest import deployed_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed(tenant, owner, settings):
    """A stack deployed 7 hours ago (of an 8-hour maximum) that expires in 30 minutes."""
    settings.RESOURCE_MAX_LIFETIME_MINUTES = 8 * 60
    return deployed_project(tenant, owner, deployed_ago=timedelta(hours=7), expires_in=timedelta(minutes=30))


def test_a_stack_at_its_maximum_lifetime_is_refused_and_keeps_its_expiry(tenant, owner, deployed):
    latest = deployed.deployed_at + timedelta(hours=8)
    project_extend(tenant=tenant, actor=owner, project=deployed, minutes=60)  # 30 min left, capped at 8 h

    with pytest.raises(TransitionRefused, match="already lives the longest allowed"):
        project_extend(tenant=tenant, actor=owner, project=deployed, minutes=1)

    deployed.refresh_from_db()
    assert deployed.expires_at == latest


def test_a_short_extension_adds_its_minutes_to_the_current_expiry(tenant, owner, deployed):
    before = deployed.expires_at
    project = project_extend(tenant=tenant, actor=owner, project=deployed, minutes=15)
    assert project.expires_at == before + timedelta(minutes=15)
