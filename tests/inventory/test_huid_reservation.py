"""Reserving an article for a customer is part of selling it: gold of 2 g or more needs its HUID first."""

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.models import Purity, StockItem
from apps.inventory.services import stock_item_create, stock_item_update

pytestmark = pytest.mark.django_db


def _gold_ring(tenant, owner, grams: str) -> StockItem:
    purity = Purity.objects.get(metal="gold", karat="22K")
    return stock_item_create(
        tenant=tenant, actor=owner, name="Gold ring", category="ring", purity=purity, gross_weight=grams
    )


def test_gold_of_2_grams_without_a_huid_cannot_be_reserved(tenant, owner):
    item = _gold_ring(tenant, owner, "2.000")

    with pytest.raises(ValidationError) as exc:
        stock_item_update(tenant=tenant, actor=owner, item=item, stock_status="reserved")

    assert "needs its HUID before it can be sold" in " ".join(exc.value.message_dict["huid"])
    item.refresh_from_db()
    assert item.stock_status == StockItem.StockStatus.IN_STOCK


def test_gold_of_2_grams_cannot_be_added_already_reserved_without_a_huid(tenant, owner):
    purity = Purity.objects.get(metal="gold", karat="22K")
    with pytest.raises(ValidationError) as exc:
        stock_item_create(
            tenant=tenant, actor=owner, name="Gold ring", category="ring", purity=purity,
            gross_weight="2.000", stock_status="reserved",
        )  # fmt: skip
    assert "huid" in exc.value.message_dict
    assert not StockItem.objects.for_tenant(tenant).exists()


def test_with_its_huid_the_same_article_can_be_reserved(tenant, owner):
    item = _gold_ring(tenant, owner, "2.000")
    item = stock_item_update(tenant=tenant, actor=owner, item=item, huid="HU1D23", stock_status="reserved")
    assert item.stock_status == StockItem.StockStatus.RESERVED


def test_gold_under_2_grams_can_be_reserved_without_a_huid(tenant, owner):
    item = _gold_ring(tenant, owner, "1.999")
    item = stock_item_update(tenant=tenant, actor=owner, item=item, stock_status="reserved")
    assert item.stock_status == StockItem.StockStatus.RESERVED and item.huid == ""
