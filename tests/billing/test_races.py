"""Two moves of one contract at the same moment (PostgreSQL): the second waits for the first's row lock
and starts from what the first committed, so no paid year is lost and no move is recorded twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.billing import services
from apps.billing.models import Contract
from tests.billing.conftest import PRICE, A, S, contract_of, events_of
from tests.races import overlap

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_renewals_at_once_add_two_years(tenant):
    contract = contract_of(tenant)
    trial_end, day = contract.period_end, contract.period_start

    def renew(payment: str):
        return lambda: services.contract_renew(
            contract=contract, paid_on=day, amount=PRICE, caused_by=f"payment {payment}", today=day
        )

    race = overlap(tenant, renew("pay_a"), renew("pay_b"))

    assert isinstance(race.first, Contract) and isinstance(race.second, Contract), (race.first, race.second)
    assert race.second_waited  # the second really ran while the first's year was uncommitted
    first_year_end = services.year_from(trial_end + timedelta(days=1))
    assert race.first.period_end == first_year_end
    assert contract_of(tenant).period_end == services.year_from(first_year_end + timedelta(days=1))
    assert [e[0] for e in events_of(tenant)] == [A.TRIAL_STARTED, A.RENEWED, A.RENEWED]


def test_two_lifecycle_jobs_at_once_record_one_move(tenant):
    day = contract_of(tenant).period_end + timedelta(days=1)

    race = overlap(
        tenant,
        lambda: services.contracts_lifecycle_advance(today=day),
        lambda: services.contracts_lifecycle_advance(today=day),
    )

    assert race.second_waited
    assert (race.first.grace_started, race.second.grace_started, race.second.failed) == (1, 0, [])
    assert contract_of(tenant).state == S.GRACE
    assert [e[0] for e in events_of(tenant)] == [A.TRIAL_STARTED, A.GRACE_STARTED]


def test_a_payment_arriving_while_the_job_starts_grace_still_follows_on_from_the_period(tenant):
    contract = contract_of(tenant)
    end = contract.period_end
    day = end + timedelta(days=1)

    race = overlap(
        tenant,
        lambda: services.contracts_lifecycle_advance(today=day),
        lambda: services.contract_renew(
            contract=contract, paid_on=day, amount=PRICE, caused_by="payment pay_c", today=day
        ),
    )

    assert race.second_waited and isinstance(race.second, Contract), race.second
    contract = contract_of(tenant)
    assert (contract.state, contract.period_start) == (S.ACTIVE, end + timedelta(days=1))
    assert events_of(tenant)[1:] == [(A.GRACE_STARTED, S.TRIALING, S.GRACE), (A.RENEWED, S.GRACE, S.ACTIVE)]
