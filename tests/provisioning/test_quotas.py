"""Quotas: the limits that apply to a tenant, what counts against them, and each refusal's words."""

import secrets
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.provisioning.models import Project, TenantQuota
from apps.provisioning.services import (
    Limits,
    project_create,
    quota_check,
    quota_limits,
    quota_usage,
)
from tests.races import overlap

pytestmark = pytest.mark.django_db

Infra = Project.InfraState


def make_project(tenant, usd="1.00", *, state=Infra.NEW, tier="small", name=None) -> Project:
    return Project.objects.create(
        tenant=tenant,
        name=name or f"Project {secrets.token_hex(3)}",
        key=secrets.token_hex(4),
        region="ap-south-1",
        tier=tier,
        estimate_usd_month=Decimal(usd),
        infra_state=state,
    )


def refusal(tenant, add_usd_month, new_project=True) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        quota_check(tenant=tenant, add_usd_month=Decimal(add_usd_month), new_project=new_project)
    return caught.value.code, " ".join(caught.value.messages)


# --- limits ------------------------------------------------------------------------------------


def test_limits_are_the_settings_defaults_without_an_override(tenant, settings):
    assert quota_limits(tenant=tenant) == Limits(10, Decimal("50"), Decimal("100"))
    settings.PROVISIONING_MAX_PROJECTS = 4
    settings.PROVISIONING_MAX_PROJECT_USD_MONTH = Decimal("20")
    assert quota_limits(tenant=tenant) == Limits(4, Decimal("20"), Decimal("100"))


def test_an_override_replaces_only_the_fields_it_sets(tenant, other_tenant):
    TenantQuota.objects.create(tenant=tenant, max_projects=25, note="Agency plan")
    assert quota_limits(tenant=tenant) == Limits(25, Decimal("50"), Decimal("100"))
    TenantQuota.objects.filter(tenant=tenant).update(
        max_project_usd_month=Decimal("80.00"), max_tenant_usd_month=Decimal("400.00")
    )
    assert quota_limits(tenant=tenant) == Limits(25, Decimal("80.00"), Decimal("400.00"))
    assert quota_limits(tenant=other_tenant) == Limits(10, Decimal("50"), Decimal("100"))


def test_an_override_of_zero_is_a_limit_not_a_default(tenant):
    TenantQuota.objects.create(tenant=tenant, max_projects=0, max_tenant_usd_month=Decimal("0"))
    assert quota_limits(tenant=tenant) == Limits(0, Decimal("50"), Decimal("0"))
    assert refusal(tenant, "1.00") == (
        "quota_projects",
        "This workspace may not have projects. Ask Tijori to allow them.",
    )


# --- usage -------------------------------------------------------------------------------------


def test_usage_counts_live_projects_of_this_tenant_only(tenant, other_tenant, django_assert_num_queries):
    make_project(tenant, "17.57", state=Infra.DEPLOYED)
    make_project(tenant, "48.57", state=Infra.CLEANUP_FAILED)  # its resources may still cost money
    make_project(tenant, "17.57", state=Infra.NEW)
    make_project(tenant, "48.57", state=Infra.DESTROYED)
    make_project(other_tenant, "48.57", state=Infra.DEPLOYED)
    with django_assert_num_queries(2):
        usage = quota_usage(tenant=tenant)
    assert (usage.projects, usage.tenant_usd_month) == (3, Decimal("83.71"))
    assert usage.limits == Limits(10, Decimal("50"), Decimal("100"))


def test_usage_of_a_tenant_without_projects_is_zero(tenant):
    usage = quota_usage(tenant=tenant)
    assert (usage.projects, usage.tenant_usd_month) == (0, Decimal("0.00"))


# --- refusals ----------------------------------------------------------------------------------


def test_the_eleventh_project_is_refused_with_the_count(tenant):
    for _ in range(10):
        make_project(tenant, "1.00")
    assert refusal(tenant, "1.00") == (
        "quota_projects",
        "This workspace already has 10 projects, the most it may have. "
        "Destroy one first, or ask Tijori to raise the limit.",
    )
    assert Project.objects.for_tenant(tenant).count() == 10
    # Not a new project (a re-estimate of one already counted): the count doesn't apply.
    quota_check(tenant=tenant, add_usd_month=Decimal("0"), new_project=False)


def test_a_lowered_limit_names_both_numbers(tenant):
    for _ in range(3):
        make_project(tenant, "1.00")
    TenantQuota.objects.create(tenant=tenant, max_projects=1)
    assert refusal(tenant, "1.00")[1] == (
        "This workspace already has 3 projects, more than its limit of 1. "
        "Destroy some first, or ask Tijori to raise the limit."
    )


def test_destroyed_projects_free_their_slot_and_their_dollars(tenant):
    for _ in range(9):
        make_project(tenant, "10.00")
    make_project(tenant, "10.00", state=Infra.DESTROYED)
    quota_check(tenant=tenant, add_usd_month=Decimal("10.00"), new_project=True)  # 9 + 1, $90 + $10


def test_an_estimate_over_the_project_limit_is_refused(tenant):
    assert refusal(tenant, "63.40") == (
        "quota_project_usd",
        "The project's estimate of $63.40 a month is over the limit of $50.00 a project.",
    )
    quota_check(tenant=tenant, add_usd_month=Decimal("50.00"), new_project=True)  # the limit itself is fine


def test_an_estimate_over_what_is_left_of_the_tenant_limit_is_refused(tenant):
    make_project(tenant, "48.57", tier="medium", state=Infra.DEPLOYED)
    make_project(tenant, "46.16", tier="medium", state=Infra.FAILED)
    make_project(tenant, "48.57", tier="medium", state=Infra.DESTROYED)
    assert refusal(tenant, "17.57") == (
        "quota_tenant_usd",
        "This project would bring the workspace to $112.30 a month, over its limit of $100.00.",
    )
    quota_check(tenant=tenant, add_usd_month=Decimal("5.27"), new_project=True)  # exactly $100.00


def test_an_override_lets_a_tenant_past_the_defaults(tenant):
    for _ in range(10):
        make_project(tenant, "14.00")
    TenantQuota.objects.create(
        tenant=tenant,
        max_projects=12,
        max_project_usd_month=Decimal("70"),
        max_tenant_usd_month=Decimal("200"),
    )
    quota_check(tenant=tenant, add_usd_month=Decimal("60.00"), new_project=True)  # 11th, $140 + $60 = $200
    assert refusal(tenant, "70.01") == (
        "quota_project_usd",
        "The project's estimate of $70.01 a month is over the limit of $70.00 a project.",
    )
    assert refusal(tenant, "63.40") == (
        "quota_tenant_usd",
        "This project would bring the workspace to $203.40 a month, over its limit of $200.00.",
    )


# --- two creations at once (PostgreSQL) ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_creations_at_the_last_free_slot_let_exactly_one_in(tenant, owner):
    """The second creation, started while the first's project is still uncommitted, waits on the
    tenant's row (`quota_lock`) and then counts the first's project: it is refused, not let in."""
    for _ in range(9):
        make_project(tenant, "1.00")

    def create(name: str):
        return lambda: project_create(
            tenant=tenant, actor=owner, name=name, region="ap-south-1", tier="small"
        )

    race = overlap(tenant, create("First"), create("Second"))

    assert isinstance(race.first, Project) and race.first.name == "First", race.first
    assert race.second_waited  # held at the quota lock while the first's transaction was open
    assert isinstance(race.second, ValidationError), race.second
    assert race.second.messages == [
        "This workspace already has 10 projects, the most it may have. "
        "Destroy one first, or ask Tijori to raise the limit."
    ]
    assert Project.objects.for_tenant(tenant).count() == 10
    assert Project.objects.for_tenant(tenant).filter(name="Second").exists() is False
