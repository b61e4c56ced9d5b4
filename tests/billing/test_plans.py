"""Plans as data: one default per kind (held by the database), moved only by giving it to another plan;
new prices apply from the next renewal; a contract's history can't be rewritten."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from apps.audit.models import AuditEvent
from apps.billing import services
from apps.billing.exceptions import ContractUnderpaid
from apps.billing.models import ContractEvent, ContractEventImmutable, Plan
from apps.core.rls import rls_bypass, tenant_scope
from tests.billing.conftest import PRICE, S, contract_of, put_in

pytestmark = pytest.mark.django_db

AMC_PLUS = {
    "code": "amc-plus", "name": "AMC Plus", "for_kind": "shop", "yearly_price": Decimal("15000"),
    "trial_days": 30, "grace_days": 20, "includes": "Everything in AMC\nE-invoicing", "is_default": False,
    "is_active": True,
}  # fmt: skip


def _values(plan: Plan, **changes) -> dict:
    fields = [
        "code",
        "name",
        "for_kind",
        "yearly_price",
        "trial_days",
        "grace_days",
        "includes",
        "is_default",
        "is_active",
    ]
    return {**{f: getattr(plan, f) for f in fields}, **changes}


def test_the_installation_starts_with_the_amc_and_the_free_personal_plan():
    amc, personal = Plan.objects.get(code="amc"), Plan.objects.get(code="personal")

    assert (amc.for_kind, amc.yearly_price, amc.trial_days, amc.grace_days, amc.is_default) == (
        "shop",
        Decimal("10000.00"),
        14,
        15,
        True,
    )
    assert (personal.for_kind, personal.is_free, personal.is_default) == ("personal", True, True)
    assert "provisioning quotas" in personal.includes


def test_the_database_holds_one_default_plan_per_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(**{**AMC_PLUS, "is_default": True})


def test_making_a_plan_the_default_takes_it_from_the_old_default(root):
    plus = services.plan_save(actor=root, plan=None, **{**AMC_PLUS, "is_default": True})

    assert Plan.objects.get(for_kind="shop", is_default=True) == plus
    assert Plan.objects.get(code="personal").is_default  # the other kind keeps its own
    summaries = list(
        AuditEvent.objects.filter(tenant=None, action__startswith="plan.").values_list("summary", flat=True)
    )
    assert "AMC plan AMC Plus added: ₹15,000.00 a year, 30-day trial, 20 days of grace" in summaries
    assert "AMC plan AMC is no longer the default: AMC Plus is" in summaries


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"is_default": False}, "is_default", "make another plan of this kind the default"),
        ({"is_active": False}, "is_active", "default plan must be offered"),
        ({"trial_days": 0}, "trial_days", "trial of at least one day"),
        ({"for_kind": "personal"}, "for_kind", "stays a plan for their kind"),
        ({"yearly_price": Decimal("0")}, "yearly_price", "a paid one free"),
    ],
)
def test_a_plan_change_that_would_strand_new_or_existing_workspaces_is_refused(
    tenant, root, changes, field, message
):
    amc = Plan.objects.get(code="amc")
    before = _values(amc)

    with pytest.raises(ValidationError) as refused:
        services.plan_save(actor=root, plan=amc, **_values(amc, **changes))

    assert message in " ".join(refused.value.message_dict[field])
    assert _values(Plan.objects.get(code="amc")) == before


def test_a_new_price_applies_from_each_contracts_next_renewal(tenant, other_tenant, owner, other_owner, root):
    paid, _ = put_in(other_tenant, S.ACTIVE, other_owner)
    amc = Plan.objects.get(code="amc")

    services.plan_save(actor=root, plan=amc, **_values(amc, yearly_price=Decimal("12000")))

    assert contract_of(other_tenant).period_price == PRICE  # the year already paid keeps its price
    trial = contract_of(tenant)
    day = trial.period_end
    with pytest.raises(ContractUnderpaid):
        services.contract_renew(
            contract=trial, paid_on=day, amount=PRICE, caused_by="payment pay_1", today=day
        )
    renewed = services.contract_renew(
        contract=trial, paid_on=day, amount="12000", caused_by="payment pay_1", today=day
    )
    assert renewed.period_price == Decimal("12000.00")
    assert paid.period_end > day + timedelta(days=300)


def test_a_contract_event_cannot_be_changed_or_deleted_through_the_orm(tenant):
    event = ContractEvent.objects.get(tenant=tenant)

    event.reason = "rewritten"
    with pytest.raises(ContractEventImmutable):
        event.save()
    with pytest.raises(ContractEventImmutable):
        event.delete()
    with pytest.raises(ContractEventImmutable):
        ContractEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(ContractEventImmutable):
        ContractEvent.objects.filter(pk=event.pk).delete()
    assert ContractEvent.objects.get(pk=event.pk).reason == ""


def _sql_error(sql: str, params=None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    return str(caught.value)


@pytest.mark.postgres
@pytest.mark.parametrize("as_platform", [False, True], ids=["app role", "platform role (bypassed)"])
def test_postgresql_keeps_a_contracts_history_as_written(tenant, as_platform):
    event = ContractEvent.objects.get(tenant=tenant)

    with rls_bypass() if as_platform else tenant_scope(tenant.pk):
        assert "cannot be changed" in _sql_error(
            "UPDATE billing_contractevent SET reason = 'x' WHERE id = %s", [event.pk]
        )
        assert "kept for 7 years" in _sql_error("DELETE FROM billing_contractevent WHERE id = %s", [event.pk])
        assert "permission denied" in _sql_error("TRUNCATE billing_contractevent")
        assert "must be owner" in _sql_error(
            "ALTER TABLE billing_contractevent DISABLE TRIGGER billing_contract_event_append_only"
        )

    assert ContractEvent.objects.get(pk=event.pk).reason == ""
