"""The BIS hallmarking requirement, once: which articles must carry a HUID, in Python and in SQL.

`huid_required(item)` answers for one article in memory (the sale rule of `stock_item_update`);
`MISSING_REQUIRED_HUID` selects, in the database, the articles that need a HUID and have none
(the compliance page, the stock filter). The two must agree: `tests/inventory/test_hallmarking.py`
compares them over a grid of articles.
"""

from __future__ import annotations

from django.db.models import Q

from apps.inventory import rules
from apps.inventory.models import Metal, StockItem


def huid_normalise(value: str | None) -> str:
    """A HUID as stored: shops type it in either case and with stray spaces."""
    return (value or "").strip().upper()


def huid_required(item: StockItem) -> bool:
    """A gold article of 2 g or more that is not exempt must carry a HUID before it is sold."""
    return (
        item.purity.metal == Metal.GOLD
        and item.gross_weight is not None
        and item.gross_weight >= rules.HALLMARK_MIN_GRAMS
        and item.hallmark_status != StockItem.HallmarkStatus.EXEMPT
    )


# `huid_required` and no HUID yet: such an article can't be sold until it is hallmarked.
MISSING_REQUIRED_HUID = Q(purity__metal=Metal.GOLD, gross_weight__gte=rules.HALLMARK_MIN_GRAMS, huid="") & ~Q(
    hallmark_status=StockItem.HallmarkStatus.EXEMPT
)
