"""Quotas (services/quotas.py): the limits that apply to a tenant, what counts against them, each
refusal's words and code, and a super admin's overrides."""

import secrets
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.provisioning.exceptions import QuotaExceeded
from apps.provisioning.models import Project, TenantQuota
from apps.provisioning.services import (
    Limits,
    project_create,
    quota_check,
    quota_limit_label,
    quota_limits,
    quota_usage,
    tenant_quota_reset,
    tenant_quota_set,
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
    with pytest.raises(QuotaExceeded) as caught:
        quota_check(tenant=tenant, add_usd_month=Decimal(add_usd_month), new_project=new_project)
    return caught.value.code, caught.value.message


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


def test_a_workspace_limited_to_one_project_is_told_it_has_1_project(tenant):
    make_project(tenant, "10.00", tier="medium", state=Infra.DEPLOYED)
    TenantQuota.objects.create(tenant=tenant, max_projects=1)
    assert refusal(tenant, "1.00") == (
        "quota_projects",
        "This workspace already has 1 project, the most it may have. "
        "Destroy one first, or ask Tijori to raise the limit.",
    )


def test_a_change_adding_nothing_passes_when_over_a_lowered_dollar_limit(tenant):
    make_project(tenant, "48.57", tier="medium", state=Infra.DEPLOYED)
    TenantQuota.objects.create(tenant=tenant, max_tenant_usd_month=Decimal("20"))

    quota_check(tenant=tenant, add_usd_month=Decimal("0"), new_project=False)  # e.g. a re-deploy

    assert refusal(tenant, "0.01", new_project=False)[0] == "quota_tenant_usd"


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
    assert isinstance(race.second, QuotaExceeded), race.second
    assert race.second.message == (
        "This workspace already has 10 projects, the most it may have. "
        "Destroy one first, or ask Tijori to raise the limit."
    )
    assert Project.objects.for_tenant(tenant).count() == 10
    assert Project.objects.for_tenant(tenant).filter(name="Second").exists() is False


# --- a super admin's overrides ---------------------------------------------------------------


def test_setting_a_quota_overrides_the_limits_and_is_audited(tenant, owner):
    quota = tenant_quota_set(
        tenant=tenant, actor=owner, max_projects=20, max_project_usd_month=None,
        max_tenant_usd_month=Decimal("250.00"), note="Agency",
    )  # fmt: skip
    assert quota_limits(tenant=tenant) == Limits(20, Decimal("50"), Decimal("250.00"))
    event = AuditEvent.objects.get(action="tenant_quota.set")
    assert (event.tenant, event.actor, event.target_id) == (tenant, owner, str(quota.pk))
    assert event.summary == (
        "Provisioning quota set by a super admin: 20 projects, $50 (default) a project, $250.00 the workspace"
    )

    again = tenant_quota_set(
        tenant=tenant, actor=owner, max_projects=None, max_project_usd_month=Decimal("5"),
        max_tenant_usd_month=None,
    )  # fmt: skip
    assert again.pk == quota.pk and TenantQuota.objects.count() == 1 and again.note == ""
    assert quota_limits(tenant=tenant) == Limits(10, Decimal("5"), Decimal("100"))


def test_a_negative_limit_is_refused_by_field_and_nothing_changes(tenant, owner):
    with pytest.raises(ValidationError) as caught:
        tenant_quota_set(
            tenant=tenant, actor=owner, max_projects=None, max_project_usd_month=Decimal("-1"),
            max_tenant_usd_month=Decimal("-0.01"),
        )  # fmt: skip
    assert caught.value.message_dict == {
        "max_project_usd_month": ["A limit can't be negative."],
        "max_tenant_usd_month": ["A limit can't be negative."],
    }
    assert not TenantQuota.objects.exists() and not AuditEvent.objects.filter(
        action__startswith="tenant_quota"
    )


def test_resetting_a_quota_brings_back_the_defaults_and_is_audited(tenant, other_tenant, owner):
    TenantQuota.objects.create(tenant=tenant, max_projects=1)
    TenantQuota.objects.create(tenant=other_tenant, max_projects=2)

    tenant_quota_reset(tenant=tenant, actor=owner)

    assert quota_limits(tenant=tenant) == Limits(10, Decimal("50"), Decimal("100"))
    assert quota_limits(tenant=other_tenant).max_projects == 2
    event = AuditEvent.objects.get(action="tenant_quota.reset")
    assert event.tenant == tenant and "platform defaults apply" in event.summary
    tenant_quota_reset(tenant=tenant, actor=owner)  # nothing left to reset: nothing happens
    assert AuditEvent.objects.filter(action="tenant_quota.reset").count() == 1


def test_a_limit_label_marks_the_defaults(tenant, settings):
    settings.PROVISIONING_MAX_PROJECTS = 7
    quota = TenantQuota(tenant=tenant, max_projects=0, max_tenant_usd_month=Decimal("12.50"))
    assert quota_limit_label(quota, "max_projects") == "0"  # zero is a limit, not the default
    assert quota_limit_label(quota, "max_project_usd_month") == "50 (default)"
    assert quota_limit_label(quota, "max_tenant_usd_month") == "12.50"
    assert quota_limit_label(None, "max_projects") == "7 (default)"


def test_a_limit_of_zero_closes_the_workspace_to_new_projects(tenant, owner):
    tenant_quota_set(
        tenant=tenant, actor=owner, max_projects=0, max_project_usd_month=Decimal("0"), max_tenant_usd_month=Decimal("0.50"),
    )  # fmt: skip
    assert quota_limits(tenant=tenant) == Limits(0, Decimal("0"), Decimal("0.50"))
