"""Stock services (`services/stock.py`): articles validated as a whole, unique per shop, audited.

Stock rules at their edges: stones may weigh as much as the article but not more; a zero gross weight
is one error; the under-2-gram exemption stops at 2.000 g; a making charge may be exactly the cap; a
number too large to hold is refused in words; an article left without an HSN code gets its category's.
Reserving an article is part of selling it: gold of 2 g or more needs its HUID first."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.inventory.models import Purity, StockItem
from apps.inventory.services import (
    stock_item_create,
    stock_item_update,
)

pytestmark = pytest.mark.django_db


def gold(karat="22K") -> Purity:
    return Purity.objects.get(metal="gold", karat=karat)


def silver() -> Purity:
    return Purity.objects.get(metal="silver", fineness=925)


def make(tenant, owner, **values):
    defaults = {"name": "Gold ring", "category": "ring", "purity": gold(), "gross_weight": "5.250"}
    return stock_item_create(tenant=tenant, actor=owner, **{**defaults, **values})


def _create(tenant, owner, **values):
    purity = Purity.objects.get(metal="gold", karat="22K")
    return stock_item_create(tenant=tenant, actor=owner, name="Kundan set", purity=purity, **values)


def _gold_ring(tenant, owner, grams: str) -> StockItem:
    purity = Purity.objects.get(metal="gold", karat="22K")
    return stock_item_create(
        tenant=tenant, actor=owner, name="Gold ring", category="ring", purity=purity, gross_weight=grams
    )


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def test_purity_table_is_seeded_with_the_bis_grades():
    labels = {p.label for p in Purity.objects.all()}
    assert {
        "24K999",
        "22K916",
        "18K750",
        "14K585",
        "9K375",
        "Silver 999",
        "Silver 925",
        "Platinum 950",
    } <= labels


def test_create_computes_net_weight_sku_and_hsn(tenant, owner):
    item = make(tenant, owner, gross_weight="10.5", stone_weight="1.2345")
    assert item.net_weight == Decimal("9.265")  # 10.500 - 1.235 (grams kept to 3 places, half up)
    assert item.sku.startswith("TJ-") and item.hsn_code == "7113"
    assert make(tenant, owner, category="coin").hsn_code == "7108"
    assert make(tenant, owner, category="bar", purity=silver()).hsn_code == "7106"
    assert AuditEvent.objects.filter(tenant=tenant, action="stock.create").count() == 3


@pytest.mark.parametrize("huid", ["ab12cd", " AB12CD ", "AB12CD"])
def test_huid_is_stored_upper_case(tenant, owner, huid):
    assert make(tenant, owner, huid=huid).huid == "AB12CD"


@pytest.mark.parametrize("huid", ["AB12C", "AB12CDE", "AB-2CD", "ÄB12CD", "AB 2CD"])
def test_bad_huid_is_refused_and_nothing_is_saved(tenant, owner, huid):
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, huid=huid)
    assert "6 letters or digits" in str(exc.value.message_dict["huid"])
    assert not StockItem.objects.exists()
    assert not AuditEvent.objects.filter(action="stock.create").exists()


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"gross_weight": "0"}, "gross_weight", "greater than or equal to 0.001"),
        ({"gross_weight": "-1"}, "gross_weight", "greater than or equal to 0.001"),
        ({"gross_weight": "abc"}, "gross_weight", "as a number"),
        ({"gross_weight": "NaN"}, "gross_weight", "as a number"),
        ({"gross_weight": "2.000", "stone_weight": "2.5"}, "stone_weight", "more than the gross weight"),
        ({"making_charge_value": "-5"}, "making_charge_value", "greater than or equal to 0"),
        ({"purity": 999999}, "purity", "Choose a purity"),
    ],
)
def test_bad_weights_and_money_are_refused(tenant, owner, values, field, message):
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, **values)
    assert message in " ".join(exc.value.message_dict[field])
    assert not StockItem.objects.exists()


def test_huid_and_sku_are_unique_per_tenant_only(tenant, owner, other_tenant, other_owner):
    make(tenant, owner, sku="R-1", huid="AAA111")
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, sku="R-2", huid="aaa111")
    assert "already on another article" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, sku="R-1")
    assert "already used" in str(exc.value)
    other = make(other_tenant, other_owner, sku="R-1", huid="AAA111")  # another shop may
    assert other.pk
    assert StockItem.objects.for_tenant(tenant).count() == 1


def test_no_huid_no_sale_for_gold_of_2_grams_or_more(tenant, owner):
    item = make(tenant, owner, gross_weight="2.000")
    with pytest.raises(ValidationError) as exc:
        stock_item_update(tenant=tenant, actor=owner, item=item, ready_for_sale=True)
    assert "needs its HUID before it can be sold" in str(exc.value)
    with pytest.raises(ValidationError):
        stock_item_update(tenant=tenant, actor=owner, item=item, stock_status="sold")
    item.refresh_from_db()
    assert not item.ready_for_sale and item.stock_status == "in_stock"
    item = stock_item_update(tenant=tenant, actor=owner, item=item, huid="HU1D23", ready_for_sale=True)
    assert item.ready_for_sale and item.hallmark_status == "hallmarked"


@pytest.mark.parametrize(
    "values",
    [
        {"gross_weight": "1.999"},  # under 2 g
        {"purity": "silver"},  # not gold
        {"hallmark_status": "exempt", "exemption": "kundan_polki_jadau"},
    ],
)
def test_exemptions_from_the_huid_rule(tenant, owner, values):
    if values.get("purity") == "silver":
        values = {**values, "purity": silver()}
    item = make(tenant, owner, ready_for_sale=True, **values)
    assert item.ready_for_sale and item.huid == ""


def test_exemption_needs_a_reason_that_fits(tenant, owner):
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, hallmark_status="exempt")
    assert "Say why" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, hallmark_status="exempt", exemption="under_2g", gross_weight="3")
    assert "does not apply" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, hallmark_status="exempt", exemption="kundan_polki_jadau", huid="AB12CD")
    assert "exempt article has no HUID" in str(exc.value)
    assert not StockItem.objects.exists()


def test_huid_and_status_changes_are_audited(tenant, owner):
    item = make(tenant, owner)
    stock_item_update(tenant=tenant, actor=owner, item=item, hallmark_status="at_centre")
    stock_item_update(tenant=tenant, actor=owner, item=item, huid="ZZ9ZZ9")
    stock_item_update(tenant=tenant, actor=owner, item=item, huid="YY8YY8")
    stock_item_update(tenant=tenant, actor=owner, item=item, stock_status="reserved")
    summaries = list(
        AuditEvent.objects.filter(tenant=tenant, action__startswith="stock.")
        .exclude(action="stock.create")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    sku = item.sku
    assert summaries == [
        f"{sku}: hallmark status Pending → At hallmarking centre",
        f"{sku}: HUID ZZ9ZZ9 assigned",
        f"{sku}: hallmark status At hallmarking centre → Hallmarked",
        f"{sku}: HUID changed from ZZ9ZZ9 to YY8YY8",
        f"{sku}: stock status In stock → Reserved",
    ]


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
        _create(tenant, owner, gross_weight="1" + "0" * 30)

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


def test_a_nose_pin_under_a_gram_gets_its_net_weight(tenant, owner):
    item = make(tenant, owner, gross_weight="0.450", stone_weight="0.050")
    assert item.net_weight == Decimal("0.400")


def test_a_weightless_article_is_refused_on_its_gross_weight_only(tenant, owner):
    with pytest.raises(ValidationError) as exc:
        make(tenant, owner, gross_weight="0")
    assert set(exc.value.message_dict) == {"gross_weight"}


def test_weights_charges_and_names_changed_by_hand_are_on_the_trail_old_to_new(tenant, owner):
    """A gram taken off an article's weight is a change an owner must be able to find later."""
    item = make(tenant, owner, gross_weight="5.000", making_charge_value="450")
    old_name = item.name
    stock_item_update(tenant=tenant, actor=owner, item=item, gross_weight="4.250", making_charge_value="500",
                      name="Plain ring")  # fmt: skip
    stock_item_update(tenant=tenant, actor=owner, item=item, gross_weight="4.250")  # nothing changes

    summaries = AuditEvent.objects.filter(tenant=tenant, action="stock.update").values_list(
        "summary", flat=True
    )
    assert list(summaries) == [
        f"{item.sku}: name {old_name} → Plain ring; gross weight (g) 5.000 → 4.250; "
        "making charge value 450.00 → 500.00"
    ]
