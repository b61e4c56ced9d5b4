"""Reads of stock (`apps/inventory/selectors.py`): always one shop's, whatever the others hold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.inventory import selectors
from apps.inventory.models import Purity
from apps.inventory.services import (
    metal_rate_set,
    stock_item_create,
)

pytestmark = pytest.mark.django_db


def test_another_shops_newer_rate_leaves_this_shops_latest_rate_and_valuation_alone(
    tenant, owner, other_tenant, other_owner
):
    p22 = Purity.objects.get(metal="gold", karat="22K")
    today = timezone.localdate()
    mine, _created = metal_rate_set(
        tenant=tenant, actor=owner, purity=p22, rate_per_gram="6500", effective_on=today - timedelta(days=1)
    )
    metal_rate_set(tenant=other_tenant, actor=other_owner, purity=p22, rate_per_gram="7100")  # newer, theirs
    stock_item_create(
        tenant=tenant, actor=owner, name="Chain", category="chain", purity=p22, gross_weight="10"
    )
    stock_item_create(
        tenant=other_tenant, actor=other_owner, name="Chain", category="chain", purity=p22, gross_weight="1"
    )

    latest = selectors.metal_rate_latest(tenant=tenant)
    valuation = selectors.stock_valuation(tenant=tenant)

    assert {purity_id: rate.pk for purity_id, rate in latest.items()} == {p22.pk: mine.pk}
    assert valuation["unvalued"] == []
    assert valuation["total"] == Decimal("65000.00")  # 10 g x 6,500, not left out nor at the other's 7,100
    assert selectors.stock_valuation(tenant=other_tenant)["total"] == Decimal("7100.00")
