"""Two people doing the same thing at the same moment get a clear answer, never a server error.

The first write is held open in its transaction until PostgreSQL shows the second waiting on it (see
`tests.races.overlap`), so the second cannot see the first's row in its checks: the database's
unique constraint is what stops it, and the service must turn that into a message.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.inventory.models import HallmarkBatch, MetalRate, Purity, StockItem
from apps.inventory.services import hallmark_batch_send, metal_rate_set, stock_item_create
from tests.races import overlap

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_batches_with_one_request_number_at_once(tenant, owner):
    purity = Purity.objects.get(karat="22K")
    items = [
        stock_item_create(tenant=tenant, actor=owner, name=f"Ring {n}", purity=purity, gross_weight="4")
        for n in range(2)
    ]

    def send(item):
        return lambda: hallmark_batch_send(
            tenant=tenant, actor=owner, centre_name="AHC", request_number="SAME-1",
            sent_on=timezone.localdate(), item_ids=[item.pk],
        )  # fmt: skip

    race = overlap(tenant, send(items[0]), send(items[1]))

    assert isinstance(race.first, HallmarkBatch), race.first
    assert race.second_waited  # the second really ran while the first's batch was uncommitted
    assert isinstance(race.second, ValidationError), race.second
    assert race.second.message_dict == {
        "request_number": ["This request number is already used by another batch."]
    }
    assert list(HallmarkBatch.objects.for_tenant(tenant).values_list("pk", flat=True)) == [race.first.pk]
    items[1].refresh_from_db()
    assert items[1].hallmark_batch_id is None and items[1].hallmark_status == "pending"


def test_two_rates_for_one_purity_and_day_at_once(tenant, owner):
    purity = Purity.objects.get(karat="22K")

    def rate(value):
        return lambda: metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram=value)[0]

    race = overlap(tenant, rate("6500"), rate("6510"))

    assert isinstance(race.first, MetalRate), race.first
    assert race.second_waited
    assert isinstance(race.second, ValidationError), race.second
    assert race.second.message_dict == {
        "rate_per_gram": ["This rate was just recorded by someone else; look at it and try again."]
    }
    assert list(MetalRate.objects.for_tenant(tenant).values_list("rate_per_gram", flat=True)) == [6500]


def test_two_articles_added_without_a_sku_at_once_get_consecutive_numbers(tenant, owner):
    purity = Purity.objects.get(karat="22K")

    def add(name):
        return lambda: stock_item_create(
            tenant=tenant, actor=owner, name=name, purity=purity, gross_weight="4"
        )

    race = overlap(tenant, add("Ring"), add("Band"))

    assert isinstance(race.first, StockItem), race.first
    assert race.second_waited  # the second waited for the first's number instead of reading the same one
    assert isinstance(race.second, StockItem), race.second
    assert (race.first.sku, race.second.sku) == ("TJ-0001", "TJ-0002")
    tenant.refresh_from_db()
    assert tenant.sku_next_number == 3
