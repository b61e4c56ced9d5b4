from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory import selectors
from apps.inventory.exceptions import BatchStateError
from apps.inventory.models import HallmarkBatch, MetalRate, Purity, StockItem
from apps.inventory.services import (
    hallmark_batch_receive,
    hallmark_batch_send,
    metal_rate_set,
    stock_item_create,
)

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def p18():
    return Purity.objects.get(metal="gold", karat="18K")


def item(tenant, owner, grams="10.000", purity=None, **kw):
    return stock_item_create(
        tenant=tenant,
        actor=owner,
        name="Chain",
        category="chain",
        purity=purity or p22(),
        gross_weight=grams,
        **kw,
    )


def test_rates_keep_history_and_the_latest_values_stock(tenant, owner):
    today = timezone.localdate()
    metal_rate_set(
        tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500", effective_on=today - timedelta(days=1)
    )
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6,612.50")
    metal_rate_set(
        tenant=tenant,
        actor=owner,
        purity=p18(),
        rate_per_gram="5400.00",
        effective_on=today - timedelta(days=3),
    )
    item(tenant, owner, "10.000")
    item(tenant, owner, "2.345", stone_weight="0.345")
    item(tenant, owner, "1.000", purity=p18())
    item(tenant, owner, "5.000", stock_status="returned")  # not in hand
    latest = selectors.metal_rate_latest(tenant=tenant)
    assert latest[p22().pk].rate_per_gram == Decimal("6612.50") and latest[p18().pk].rate_per_gram == Decimal(
        "5400.00"
    )
    valuation = selectors.stock_valuation(tenant=tenant)
    # 22K: (10.000 + 2.000) g x 6,612.50 = 79,350.00; 18K: 1.000 g x 5,400.00; the returned piece is not counted
    assert valuation["total"] == Decimal("84750.00")
    assert MetalRate.objects.for_tenant(tenant).count() == 3


def test_correcting_todays_rate_replaces_it_and_is_audited(tenant, owner):
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500")
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6550")
    assert MetalRate.objects.for_tenant(tenant).get().rate_per_gram == Decimal("6550.00")
    assert (
        "corrected from ₹6,500.00 to ₹6,550.00/g"
        in AuditEvent.objects.filter(action="rate.set").first().summary
    )


@pytest.mark.parametrize(
    "rate, message", [("0", "more than zero"), ("-1", "more than zero"), ("x", "as a number")]
)
def test_bad_rates_are_refused(tenant, owner, rate, message):
    with pytest.raises(ValidationError) as exc:
        metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram=rate)
    assert message in str(exc.value)
    assert not MetalRate.objects.exists()


def test_future_rates_are_refused(tenant, owner):
    with pytest.raises(ValidationError):
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=p22(),
            rate_per_gram="1",
            effective_on=timezone.localdate() + timedelta(days=1),
        )


def test_unrated_purity_is_listed_not_valued_at_zero(tenant, owner):
    item(tenant, owner, purity=p18())
    valuation = selectors.stock_valuation(tenant=tenant)
    assert valuation["total"] == Decimal("0.00") and valuation["unvalued"] == [p18()]
    assert selectors.metal_rate_missing_today(tenant=tenant)


def test_batch_round_trip(tenant, owner):
    a, b, c = item(tenant, owner), item(tenant, owner), item(tenant, owner)
    today = timezone.localdate()
    batch = hallmark_batch_send(
        tenant=tenant,
        actor=owner,
        centre_name="Mumbai AHC",
        request_number="REQ-1",
        sent_on=today,
        item_ids=[a.pk, b.pk, c.pk],
    )
    assert set(StockItem.objects.filter(hallmark_batch=batch).values_list("hallmark_status", flat=True)) == {
        "at_centre"
    }
    with pytest.raises(ValidationError):  # one bad HUID: nothing is saved
        hallmark_batch_receive(
            tenant=tenant, actor=owner, batch=batch, received_on=today, huids={a.pk: "AB12CD", b.pk: "bad"}
        )
    a.refresh_from_db()
    assert a.huid == "" and a.hallmark_status == "at_centre"
    hallmark_batch_receive(
        tenant=tenant, actor=owner, batch=batch, received_on=today, huids={a.pk: "ab12cd", b.pk: "EF34GH"}
    )
    statuses = {i.pk: (i.huid, i.hallmark_status) for i in StockItem.objects.filter(hallmark_batch=batch)}
    assert statuses == {a.pk: ("AB12CD", "hallmarked"), b.pk: ("EF34GH", "hallmarked"), c.pk: ("", "pending")}
    batch.refresh_from_db()
    assert batch.status == HallmarkBatch.Status.RECEIVED
    with pytest.raises(BatchStateError):
        hallmark_batch_receive(tenant=tenant, actor=owner, batch=batch, received_on=today, huids={})
    actions = list(
        AuditEvent.objects.filter(tenant=tenant, action__startswith="batch.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["batch.receive", "batch.send"]
    assert AuditEvent.objects.filter(tenant=tenant, action="stock.huid").count() == 2
    sent = AuditEvent.objects.filter(
        tenant=tenant, action="stock.hallmark_status", summary__contains="(batch REQ-1)"
    )
    assert sent.count() == 3


def test_only_pending_articles_of_this_shop_can_be_sent(tenant, owner, other_tenant, other_owner):
    mine = item(tenant, owner, huid="AB12CD")
    theirs = item(other_tenant, other_owner)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        hallmark_batch_send(
            tenant=tenant, actor=owner, centre_name="X", request_number="R", sent_on=today, item_ids=[mine.pk]
        )
    assert "Only articles pending" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        hallmark_batch_send(
            tenant=tenant,
            actor=owner,
            centre_name="X",
            request_number="R",
            sent_on=today,
            item_ids=[theirs.pk],
        )
    assert "not in this shop" in str(exc.value)
    assert not HallmarkBatch.objects.exists()
