"""The HUID requirement (`apps/inventory/hallmarking.py`): its Python and SQL forms agree on every article,
in a shop that must hallmark and in one exempt for its small turnover."""

import itertools
from decimal import Decimal

import pytest

from apps.inventory.hallmarking import MISSING_REQUIRED_HUID, huid_normalise, huid_required
from apps.inventory.models import Purity, StockItem
from apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db

METALS = [("gold", 916), ("gold", 750), ("silver", 925), ("platinum", 950)]
WEIGHTS = [Decimal(grams) for grams in ("0.500", "1.999", "2.000", "2.001", "25.000")]
CATEGORIES = [StockItem.Category.RING, StockItem.Category.COIN, StockItem.Category.BAR]
# Every hallmark state an article can be in, with the exemption it then carries.
HALLMARKS = [
    (StockItem.HallmarkStatus.PENDING, ""),
    (StockItem.HallmarkStatus.AT_CENTRE, ""),
    (StockItem.HallmarkStatus.HALLMARKED, ""),
    (StockItem.HallmarkStatus.EXEMPT, StockItem.Exemption.UNDER_2G),
    (StockItem.HallmarkStatus.EXEMPT, StockItem.Exemption.KUNDAN_POLKI_JADAU),
]


def test_python_and_sql_forms_agree_over_a_grid_of_articles(tenant, other_tenant):
    """Rows are written directly: the grid includes articles the services would refuse to save."""
    Tenant.objects.filter(pk=other_tenant.pk).update(small_turnover_exempt=True)
    other_tenant.refresh_from_db()
    purities = {(p.metal, p.fineness): p for p in Purity.objects.all()}
    items = [
        StockItem(
            tenant=shop,
            sku=f"G-{n}",
            name="Grid article",
            category=category,
            purity=purities[metal],
            gross_weight=grams,
            stone_weight=Decimal("0"),
            net_weight=grams,
            hsn_code="7113",
            huid=huid,
            hallmark_status=status,
            exemption=exemption,
        )
        for n, (shop, metal, grams, category, (status, exemption), huid) in enumerate(
            itertools.product([tenant, other_tenant], METALS, WEIGHTS, CATEGORIES, HALLMARKS, ["", "AB12CD"])
        )
    ]
    for n, item in enumerate(items):
        if item.huid:
            item.huid = f"H{n:05d}"  # a HUID is unique in the shop
    StockItem.objects.bulk_create(items)

    in_python = {(item.tenant_id, item.sku) for item in items if huid_required(item) and not item.huid}
    in_sql = set(StockItem.objects.filter(MISSING_REQUIRED_HUID).values_list("tenant_id", "sku"))

    assert in_python == in_sql
    # The grid holds both answers, so agreement is not two empty sets; the exempt shop needs none.
    assert 0 < len(in_sql) < len(items) // 2
    assert {tenant_id for tenant_id, _sku in in_sql} == {tenant.pk}


@pytest.mark.parametrize(
    "grams, metal, status, required",
    [
        ("2.000", "gold", StockItem.HallmarkStatus.PENDING, True),
        ("1.999", "gold", StockItem.HallmarkStatus.PENDING, False),
        ("2.000", "silver", StockItem.HallmarkStatus.PENDING, False),
        ("2.000", "gold", StockItem.HallmarkStatus.EXEMPT, False),
        ("9.000", "gold", StockItem.HallmarkStatus.HALLMARKED, True),
    ],
)
def test_a_huid_is_required_of_gold_of_2_grams_or_more_not_exempt(tenant, grams, metal, status, required):
    purity = Purity.objects.filter(metal=metal).first()
    item = StockItem(tenant=tenant, purity=purity, gross_weight=Decimal(grams), hallmark_status=status)
    assert huid_required(item) is required
    tenant.small_turnover_exempt = True  # the shop's exemption covers every article
    assert huid_required(item) is False


@pytest.mark.parametrize(
    "typed, stored", [(" ab12cd ", "AB12CD"), ("Ab12Cd", "AB12CD"), (None, ""), ("", "")]
)
def test_a_huid_is_stored_upper_case_without_spaces(typed, stored):
    assert huid_normalise(typed) == stored
