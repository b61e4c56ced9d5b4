"""The BIS hallmarking requirement, once: which articles must carry a HUID, in Python and in SQL.

`huid_required(item)` answers for one article in memory (the sale rule of `stock_item_update`);
`MISSING_REQUIRED_HUID` selects, in the database, the articles that need a HUID and have none
(the compliance page, the stock filter). The two must agree: `tests/inventory/test_hallmarking.py`
compares them over a grid of articles. A shop with a small turnover is exempt as a whole
(`Tenant.small_turnover_exempt`): both read that from the shop, never from the article.
"""

from __future__ import annotations

import re

from django.db.models import Q

from apps.inventory import rules
from apps.inventory.models import HallmarkBatch, Metal, StockItem

_HUID_START = re.compile(r"^[A-Za-z0-9]{1,5}$")


def huid_normalise(value: str | None) -> str:
    """A HUID as stored: shops type it in either case and with stray spaces."""
    return (value or "").strip().upper()


def huid_looks_partial(term: str) -> bool:
    """A search that may be the start of a HUID: 1 to 5 letters and digits with a digit among them.

    HUIDs are searched whole (they are unique, so one is found or none): the stock search says so
    rather than quietly finding nothing.
    """
    term = (term or "").strip()
    return bool(_HUID_START.match(term)) and any(c.isdigit() for c in term)


def centre_batch(item: StockItem, *, status: str | None = None) -> HallmarkBatch | None:
    """The batch the article is at the hallmarking centre with (sent and not yet received), or None.

    `status` is the article's hallmark status when it is not the one on `item` (a change being
    checked). Its HUID then comes only from receiving that batch.
    """
    status = item.hallmark_status if status is None else status
    if status != StockItem.HallmarkStatus.AT_CENTRE or item.hallmark_batch_id is None:
        return None
    batch = item.hallmark_batch
    return batch if batch.status == HallmarkBatch.Status.SENT else None


def under_2g_gold(item: StockItem) -> bool:
    """A gold article under 2 g: exempt from hallmarking by its weight alone."""
    return (
        item.purity.metal == Metal.GOLD
        and item.gross_weight is not None
        and item.gross_weight < rules.HALLMARK_MIN_GRAMS
    )


def huid_required(item: StockItem) -> bool:
    """A gold article of 2 g or more that is not exempt, in a shop that is not exempt, must carry a HUID
    before it is sold.

    The shop is read last, through `item.tenant`: only articles that would otherwise need a HUID
    look at it (load or set the tenant with the article to spare that query).
    """
    return (
        item.purity.metal == Metal.GOLD
        and item.gross_weight is not None
        and item.gross_weight >= rules.HALLMARK_MIN_GRAMS
        and item.hallmark_status != StockItem.HallmarkStatus.EXEMPT
        and not item.tenant.small_turnover_exempt
    )


# `huid_required` and no HUID yet: such an article can't be sold until it is hallmarked.
MISSING_REQUIRED_HUID = (
    Q(purity__metal=Metal.GOLD, gross_weight__gte=rules.HALLMARK_MIN_GRAMS, huid="")
    & ~Q(hallmark_status=StockItem.HallmarkStatus.EXEMPT)
    & Q(tenant__small_turnover_exempt=False)
)
