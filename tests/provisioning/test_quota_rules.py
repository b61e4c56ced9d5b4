"""A workspace already over a lowered dollar limit may still make changes that add no cost; a refusal
counts projects in words ("1 project")."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.provisioning.models import Project, TenantQuota
from apps.provisioning.services import quota_check

pytestmark = pytest.mark.django_db


def _project(tenant, usd: str) -> Project:
    return Project.objects.create(
        tenant=tenant,
        name=f"Shop site {usd}",
        key=f"site{usd.replace('.', '')}",
        region="ap-south-1",
        tier="medium",
        estimate_usd_month=Decimal(usd),
        infra_state=Project.InfraState.DEPLOYED,
    )


def test_a_change_adding_nothing_passes_when_over_a_lowered_dollar_limit(tenant):
    _project(tenant, "48.57")
    TenantQuota.objects.create(tenant=tenant, max_tenant_usd_month=Decimal("20"))

    quota_check(tenant=tenant, add_usd_month=Decimal("0"), new_project=False)  # e.g. a re-deploy

    with pytest.raises(ValidationError) as caught:
        quota_check(tenant=tenant, add_usd_month=Decimal("0.01"), new_project=False)
    assert caught.value.code == "quota_tenant_usd"


def test_a_workspace_limited_to_one_project_is_told_it_has_1_project(tenant):
    _project(tenant, "10.00")
    TenantQuota.objects.create(tenant=tenant, max_projects=1)

    with pytest.raises(ValidationError) as caught:
        quota_check(tenant=tenant, add_usd_month=Decimal("1.00"), new_project=True)

    assert caught.value.messages == [
        "This workspace already has 1 project, the most it may have. "
        "Destroy one first, or ask Tijori to raise the limit."
    ]
