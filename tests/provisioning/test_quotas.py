"""Quotas (services/quotas.py): the limits that apply to a tenant, what counts against them, each
refusal's words and code, and a super admin's overrides."""

import secrets
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.provisioning.exceptions import QuotaExceeded
from apps.provisioning.models import Project, Resource, TenantQuota
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
from apps.provisioning.services.projects import operation_request
from tests.races import overlap

pytestmark = pytest.mark.django_db

Infra = Project.InfraState


def make_project(tenant, usd="1.00", *, state=Infra.NEW, tier="small", name=None, left=None) -> Project:
    """A project in `state`; `left` is the state of one resource of it in the ledger (none if None)."""
    project = Project.objects.create(
        tenant=tenant,
        name=name or f"Project {secrets.token_hex(3)}",
        key=secrets.token_hex(4),
        region="ap-south-1",
        tier=tier,
        estimate_usd_month=Decimal(usd),
        infra_state=state,
    )
    if left is not None:
        Resource.objects.create(
            tenant=tenant, project=project, kind="bucket", name=f"tijori-test-{project.key}-web",
            region="ap-south-1", state=left,
        )  # fmt: skip
    return project


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
    make_project(tenant, "46.16", state=Infra.CLEANUP_FAILED, left="deleting")  # may still cost money
    make_project(tenant, "48.57", state=Infra.NEW)  # a draft: a project, but no spend
    make_project(tenant, "48.57", state=Infra.DESTROYED, left="deleted")
    make_project(tenant, "48.57", state=Infra.DELETED)
    make_project(other_tenant, "48.57", state=Infra.DEPLOYED)
    with django_assert_num_queries(2):
        usage = quota_usage(tenant=tenant)
    assert (usage.projects, usage.tenant_usd_month) == (3, Decimal("63.73"))
    assert usage.limits == Limits(10, Decimal("50"), Decimal("100"))


# Whether a project's estimate counts against the spend quota, by state and by what the ledger says
# may still be in AWS: only a stack holding resources, or about to, counts.
SPENDS = [
    (Infra.NEW, None, False),
    (Infra.PENDING, None, True),
    (Infra.PROVISIONING, None, True),
    (Infra.PROVISIONING, "creating", True),
    (Infra.DEPLOYED, "created", True),
    (Infra.DESTROYING, "deleting", True),
    (Infra.DESTROYING, "deleted", False),
    (Infra.FAILED, "created", True),  # before its roll-back
    (Infra.FAILED, "failed", True),
    (Infra.FAILED, "deleted", False),  # rolled back
    (Infra.FAILED, "planned", False),  # failed before anything was created
    (Infra.CLEANUP_FAILED, "deleting", True),
    (Infra.CLEANUP_FAILED, "deleted", False),
    (Infra.DESTROYED, "deleted", False),
    (Infra.DELETED, None, False),
]


@pytest.mark.parametrize(("state", "left", "spends"), SPENDS)
def test_only_projects_holding_resources_or_about_to_count_their_estimate(tenant, state, left, spends):
    project = make_project(tenant, "17.57", state=state, left=left)
    assert quota_usage(tenant=tenant).tenant_usd_month == (Decimal("17.57") if spends else Decimal("0.00"))
    assert Project.objects.spending().filter(pk=project.pk).exists() is spends


def test_every_state_has_its_spend_rule():
    assert {state for state, _, _ in SPENDS} == set(Infra)


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
        "Delete or destroy one first, or ask Tijori to raise the limit.",
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
        "Delete or destroy some first, or ask Tijori to raise the limit."
    )


def test_a_workspace_limited_to_one_project_is_told_it_has_1_project(tenant):
    make_project(tenant, "10.00", tier="medium", state=Infra.DEPLOYED)
    TenantQuota.objects.create(tenant=tenant, max_projects=1)
    assert refusal(tenant, "1.00") == (
        "quota_projects",
        "This workspace already has 1 project, the most it may have. "
        "Delete or destroy one first, or ask Tijori to raise the limit.",
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
    make_project(tenant, "46.16", tier="medium", state=Infra.FAILED, left="created")
    make_project(tenant, "48.57", tier="medium", state=Infra.DESTROYED, left="deleted")
    make_project(tenant, "48.57", tier="medium", state=Infra.NEW)
    assert refusal(tenant, "17.57") == (
        "quota_tenant_usd",
        "This project would bring the workspace to $112.30 a month, over its limit of $100.00.",
    )
    quota_check(tenant=tenant, add_usd_month=Decimal("5.27"), new_project=True)  # exactly $100.00


def test_an_override_lets_a_tenant_past_the_defaults(tenant):
    for _ in range(10):
        make_project(tenant, "14.00", state=Infra.DEPLOYED)
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


# --- drafts are checked when they are provisioned ----------------------------------------------


def _provision(project):
    return operation_request(tenant=project.tenant, actor=None, project=project, action="provision")


def test_a_draft_costs_nothing_until_it_is_provisioned(
    tenant, owner, settings, django_capture_on_commit_callbacks
):
    settings.PROVISIONING_MAX_TENANT_USD_MONTH = Decimal("30.00")  # one small stack fits, not two
    first = project_create(tenant=tenant, actor=owner, name="First", region="ap-south-1", tier="small")
    second = project_create(tenant=tenant, actor=owner, name="Second", region="ap-south-1", tier="small")
    assert quota_usage(tenant=tenant).tenant_usd_month == Decimal("0.00")

    with django_capture_on_commit_callbacks(execute=False):
        _provision(first)
        with pytest.raises(QuotaExceeded) as refused:
            _provision(second)

    assert refused.value.code == "quota_tenant_usd"
    assert refused.value.message == (
        f"This project would bring the workspace to ${first.estimate_usd_month + second.estimate_usd_month} "
        "a month, over its limit of $30.00."
    )
    second.refresh_from_db()
    assert second.infra_state == Infra.NEW and not second.operations.exists()
    assert quota_usage(tenant=tenant).tenant_usd_month == first.estimate_usd_month


def test_a_draft_over_the_per_project_limit_is_refused_at_creation(tenant, owner, settings):
    settings.PROVISIONING_MAX_PROJECT_USD_MONTH = Decimal("20")
    with pytest.raises(QuotaExceeded) as refused:
        project_create(tenant=tenant, actor=owner, name="Big", region="ap-south-1", tier="medium")
    assert refused.value.code == "quota_project_usd" and not Project.objects.exists()


def test_a_failed_project_still_holding_resources_adds_nothing_when_retried(tenant, owner):
    make_project(tenant, "48.57", tier="medium", state=Infra.DEPLOYED)
    failed = make_project(tenant, "46.16", tier="medium", state=Infra.FAILED, left="created")
    _provision(failed)  # $94.73 already counted: no more is added
    failed.refresh_from_db()
    assert failed.infra_state == Infra.PENDING


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
        "Delete or destroy one first, or ask Tijori to raise the limit."
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_provisionings_at_the_last_free_dollars_let_exactly_one_in(tenant, owner, settings, aws_env):
    """Two drafts provisioned at once when only one fits: the second waits on the tenant's row, then
    counts the first as spending and is refused (the first's stack is then built, on moto)."""
    settings.PROVISIONING_MAX_TENANT_USD_MONTH = Decimal("30.00")
    first = project_create(tenant=tenant, actor=owner, name="First", region="ap-south-1", tier="small")
    second = project_create(tenant=tenant, actor=owner, name="Second", region="ap-south-1", tier="small")

    race = overlap(tenant, lambda: _provision(first), lambda: _provision(second))

    assert race.first.action == "provision", race.first
    assert race.second_waited
    assert isinstance(race.second, QuotaExceeded) and race.second.code == "quota_tenant_usd", race.second
    second.refresh_from_db()
    assert second.infra_state == Infra.NEW and not second.operations.exists()
    assert first.operations.count() == 1
