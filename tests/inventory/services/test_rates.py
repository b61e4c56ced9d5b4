"""Rate services (`services/rates.py`): one rate per purity per day, history kept, each shop its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory import selectors
from apps.inventory.models import MetalRate, Purity
from apps.inventory.services import (
    metal_rate_set,
    stock_item_create,
)

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def p18():
    return Purity.objects.get(metal="gold", karat="18K")


def item(tenant, owner, grams="10.000", purity=None, **kw):
    return stock_item_create(
        tenant=tenant,
        actor=owner,
        name="Chain",
        category="chain",
        purity=purity or p22(),
        gross_weight=grams,
        **kw,
    )


def test_rates_keep_history_and_the_latest_values_stock(tenant, owner):
    today = timezone.localdate()
    metal_rate_set(
        tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500", effective_on=today - timedelta(days=1)
    )
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6,612.50")
    metal_rate_set(
        tenant=tenant,
        actor=owner,
        purity=p18(),
        rate_per_gram="5400.00",
        effective_on=today - timedelta(days=3),
    )
    item(tenant, owner, "10.000")
    item(tenant, owner, "2.345", stone_weight="0.345")
    item(tenant, owner, "1.000", purity=p18())
    item(tenant, owner, "5.000", stock_status="returned")  # not in hand
    latest = selectors.metal_rate_latest(tenant=tenant)
    assert latest[p22().pk].rate_per_gram == Decimal("6612.50") and latest[p18().pk].rate_per_gram == Decimal(
        "5400.00"
    )
    valuation = selectors.stock_valuation(tenant=tenant)
    # 22K: (10.000 + 2.000) g x 6,612.50 = 79,350.00; 18K: 1.000 g x 5,400.00; the returned piece is not counted
    assert valuation["total"] == Decimal("84750.00")
    assert MetalRate.objects.for_tenant(tenant).count() == 3


def test_correcting_todays_rate_replaces_it_and_is_audited(tenant, owner):
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500")
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6550")
    assert MetalRate.objects.for_tenant(tenant).get().rate_per_gram == Decimal("6550.00")
    assert (
        "corrected from ₹6,500.00 to ₹6,550.00/g"
        in AuditEvent.objects.filter(action="rate.set").first().summary
    )


@pytest.mark.parametrize(
    "rate, message", [("0", "more than zero"), ("-1", "more than zero"), ("x", "as a number")]
)
def test_bad_rates_are_refused(tenant, owner, rate, message):
    with pytest.raises(ValidationError) as exc:
        metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram=rate)
    assert message in str(exc.value)
    assert not MetalRate.objects.exists()


def test_future_rates_are_refused(tenant, owner):
    with pytest.raises(ValidationError):
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=p22(),
            rate_per_gram="1",
            effective_on=timezone.localdate() + timedelta(days=1),
        )


def test_unrated_purity_is_listed_not_valued_at_zero(tenant, owner):
    item(tenant, owner, purity=p18())
    valuation = selectors.stock_valuation(tenant=tenant)
    assert valuation["total"] == Decimal("0.00") and valuation["unvalued"] == [p18()]
    assert selectors.metal_rate_missing_today(tenant=tenant)


def test_setting_a_rate_says_whether_the_day_had_one(tenant, owner):
    purity = Purity.objects.get(metal="gold", karat="22K")
    first, created = metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram="6500")
    assert created
    again, created = metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram="6550")
    assert not created and again.pk == first.pk and again.rate_per_gram == Decimal("6550.00")
