"""The HUID requirement (`apps/inventory/hallmarking.py`): its Python and SQL forms agree on every article."""

import itertools
from decimal import Decimal

import pytest

from apps.inventory.hallmarking import MISSING_REQUIRED_HUID, huid_normalise, huid_required
from apps.inventory.models import Purity, StockItem

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
    (StockItem.HallmarkStatus.EXEMPT, StockItem.Exemption.SMALL_TURNOVER),
]


def test_python_and_sql_forms_agree_over_a_grid_of_articles(tenant):
    """Rows are written directly: the grid includes articles the services would refuse to save."""
    purities = {(p.metal, p.fineness): p for p in Purity.objects.all()}
    items = [
        StockItem(
            tenant=tenant,
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
        for n, (metal, grams, category, (status, exemption), huid) in enumerate(
            itertools.product(METALS, WEIGHTS, CATEGORIES, HALLMARKS, ["", "AB12CD"])
        )
    ]
    for n, item in enumerate(items):
        if item.huid:
            item.huid = f"H{n:05d}"  # a HUID is unique in the shop
    StockItem.objects.bulk_create(items)

    in_python = {item.sku for item in items if huid_required(item) and not item.huid}
    in_sql = set(
        StockItem.objects.for_tenant(tenant).filter(MISSING_REQUIRED_HUID).values_list("sku", flat=True)
    )

    assert in_python == in_sql
    # The grid holds both answers, so agreement is not two empty sets.
    assert 0 < len(in_sql) < len(items)


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
def test_a_huid_is_required_of_gold_of_2_grams_or_more_not_exempt(grams, metal, status, required):
    purity = Purity.objects.filter(metal=metal).first()
    item = StockItem(purity=purity, gross_weight=Decimal(grams), hallmark_status=status)
    assert huid_required(item) is required


@pytest.mark.parametrize(
    "typed, stored", [(" ab12cd ", "AB12CD"), ("Ab12Cd", "AB12CD"), (None, ""), ("", "")]
)
def test_a_huid_is_stored_upper_case_without_spaces(typed, stored):
    assert huid_normalise(typed) == stored
