"""Hallmarking batch services (`services/batches.py`): send pending articles, receive them with their HUIDs."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.exceptions import BatchStateError
from apps.inventory.models import HallmarkBatch, StockItem
from apps.inventory.services import (
    hallmark_batch_receive,
    hallmark_batch_send,
)
from tests.inventory.factories import StockItemFactory

pytestmark = pytest.mark.django_db


def item(tenant, owner, grams="10.000", **values) -> StockItem:
    return StockItemFactory(tenant=tenant, actor=owner, gross_weight=grams, **values)


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


def test_days_away_count_to_today_until_the_batch_is_back(tenant, owner):
    today = timezone.localdate()
    batch = HallmarkBatch(tenant=tenant, sent_on=today - timedelta(days=6))
    assert batch.days_away == 6
    batch.received_on = today - timedelta(days=2)
    assert batch.days_away == 4
