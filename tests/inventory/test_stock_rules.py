"""Stock rules at their edges: stones may weigh as much as the article but not more; a zero gross weight
is one error; the under-2-gram exemption stops at 2.000 g; a making charge may be exactly the cap; a
number too large to hold is refused in words; an article left without an HSN code gets its category's."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.inventory.models import Purity, StockItem
from apps.inventory.services import stock_item_create

pytestmark = pytest.mark.django_db


def _create(tenant, owner, **values):
    purity = Purity.objects.get(metal="gold", karat="22K")
    return stock_item_create(tenant=tenant, actor=owner, name="Kundan set", purity=purity, **values)


def test_stones_weighing_the_whole_article_leave_a_net_weight_of_zero(tenant, owner):
    item = _create(tenant, owner, gross_weight="1.500", stone_weight="1.500")

    assert StockItem.objects.get(pk=item.pk).net_weight == Decimal("0.000")


@pytest.mark.parametrize(("gross", "stones"), [("1.500", "1.501"), ("0.500", "0.600")])
def test_stones_heavier_than_the_article_are_refused(tenant, owner, gross, stones):
    with pytest.raises(ValidationError) as caught:
        _create(tenant, owner, gross_weight=gross, stone_weight=stones)

    assert caught.value.message_dict == {
        "stone_weight": ["The stone weight can't be more than the gross weight."]
    }
    assert not StockItem.objects.for_tenant(tenant).exists()


def test_a_zero_gross_weight_is_one_error_on_the_gross_weight(tenant, owner):
    with pytest.raises(ValidationError) as caught:
        _create(tenant, owner, gross_weight="0", stone_weight="0.500")

    assert set(caught.value.message_dict) == {"gross_weight"}
    assert not StockItem.objects.for_tenant(tenant).exists()


@pytest.mark.parametrize(("grams", "allowed"), [("1.999", True), ("2.000", False)])
def test_the_under_2_gram_exemption_ends_at_2_grams(tenant, owner, grams, allowed):
    values = {"gross_weight": grams, "hallmark_status": "exempt", "exemption": "under_2g"}
    if allowed:
        assert _create(tenant, owner, **values).exemption == StockItem.Exemption.UNDER_2G
        return
    with pytest.raises(ValidationError) as caught:
        _create(tenant, owner, **values)
    assert caught.value.message_dict == {
        "exemption": ["The article weighs 2.000 g: the under-2-gram exemption does not apply."]
    }


def test_a_making_charge_of_exactly_the_per_gram_cap_is_accepted(tenant, owner):
    item = _create(
        tenant, owner, gross_weight="5", making_charge_type="per_gram", making_charge_value="10000"
    )

    assert StockItem.objects.get(pk=item.pk).making_charge_value == Decimal("10000.00")


def test_a_weight_too_large_to_hold_is_refused_in_words(tenant, owner):
    with pytest.raises(ValidationError) as caught:
        _create(tenant, owner, gross_weight="1e30")

    assert caught.value.message_dict == {"gross_weight": ["The weight in grams is far too large."]}
    assert not StockItem.objects.for_tenant(tenant).exists()


@pytest.mark.parametrize(
    ("metal", "fineness", "category", "hsn"),
    [
        ("gold", 916, "ring", "7113"),
        ("gold", 999, "coin", "7108"),
        ("gold", 999, "bar", "7108"),
        ("silver", 999, "coin", "7106"),
        ("silver", 999, "bar", "7106"),
        ("silver", 925, "bangle", "7113"),
    ],
)
def test_an_article_without_an_hsn_code_gets_its_categorys(tenant, owner, metal, fineness, category, hsn):
    purity = Purity.objects.get(metal=metal, fineness=fineness)

    item = stock_item_create(
        tenant=tenant, actor=owner, name="Article", purity=purity, gross_weight="10", category=category
    )

    assert StockItem.objects.get(pk=item.pk).hsn_code == hsn
