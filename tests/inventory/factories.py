"""Stock built the way a shop builds it: through the services, so every rule and audit event holds.

Each factory takes the `tenant` and the `actor` (the user acting) and passes the rest to its service:

    item = StockItemFactory(tenant=tenant, actor=owner, sku="R-1", gross_weight="4.000")
    batch = HallmarkBatchFactory(tenant=tenant, actor=owner, items=[item])
    rate = MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6500")
"""

from __future__ import annotations

import factory
from django.utils import timezone

from apps.inventory import services
from apps.inventory.models import HallmarkBatch, MetalRate, Purity, StockItem


def gold(karat: str = "22K") -> Purity:
    return Purity.objects.get(metal="gold", karat=karat)


def silver(fineness: int = 925) -> Purity:
    return Purity.objects.get(metal="silver", fineness=fineness)


class StockItemFactory(factory.Factory):
    """A 10 g 22K chain, unless told otherwise; SKU and HSN code are the service's defaults."""

    class Meta:
        model = StockItem

    name = "Chain"
    category = StockItem.Category.CHAIN
    purity = factory.LazyFunction(gold)
    gross_weight = "10"

    @classmethod
    def _create(cls, model_class, *, tenant, actor, **values) -> StockItem:
        return services.stock_item_create(tenant=tenant, actor=actor, **values)


class HallmarkBatchFactory(factory.Factory):
    """`items` (pending articles) sent today to a Mumbai centre under the next request number."""

    class Meta:
        model = HallmarkBatch

    centre_name = "Mumbai AHC"
    request_number = factory.Sequence(lambda n: f"REQ-{n + 1}")
    sent_on = factory.LazyFunction(timezone.localdate)

    @classmethod
    def _create(cls, model_class, *, tenant, actor, items, **values) -> HallmarkBatch:
        return services.hallmark_batch_send(
            tenant=tenant, actor=actor, item_ids=[item.pk for item in items], **values
        )


class MetalRateFactory(factory.Factory):
    """Today's 22K rate, unless told otherwise."""

    class Meta:
        model = MetalRate

    purity = factory.LazyFunction(gold)
    rate_per_gram = "6500"
    effective_on = None

    @classmethod
    def _create(cls, model_class, *, tenant, actor, **values) -> MetalRate:
        rate, _created = services.metal_rate_set(tenant=tenant, actor=actor, **values)
        return rate


def item_post(**overrides) -> dict[str, str]:
    """The stock form as a shop fills it in: a 24.5 g 22K necklace with stones, pending hallmarking."""
    data = {
        "name": "Temple necklace",
        "sku": "",
        "category": "necklace",
        "purity": str(gold().pk),
        "gross_weight": "24.500",
        "stone_weight": "1.250",
        "making_charge_type": "per_gram",
        "making_charge_value": "450",
        "stone_value": "3000",
        "hsn_code": "",
        "huid": "",
        "hallmark_status": "pending",
        "exemption": "",
        "stock_status": "in_stock",
    }
    data.update(overrides)
    return data
