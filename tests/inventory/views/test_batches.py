"""The hallmarking batch pages (`views/batches.py`): send, receive, list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import Certificate, HallmarkBatch, StockItem
from apps.inventory.services import hallmark_batch_send
from tests.inventory.conftest import PDF
from tests.inventory.factories import StockItemFactory

pytestmark = pytest.mark.django_db


def make_item(tenant, actor, **values) -> StockItem:
    return StockItemFactory(tenant=tenant, actor=actor, **values)


@pytest.mark.usefixtures("certificates_in_tmp")
def test_batch_round_trip_through_the_pages(owner_client, tenant, owner):
    a = make_item(tenant, owner, sku="B-1")
    b = make_item(tenant, owner, sku="B-2")
    c = make_item(tenant, owner, sku="B-3")
    form = owner_client.get(reverse("inventory:batch_create"))
    assert {i.sku for i in form.context["pending"]} == {"B-1", "B-2", "B-3"}
    today = timezone.localdate()
    response = owner_client.post(
        reverse("inventory:batch_create"),
        {"centre_name": "Zaveri AHC", "request_number": "REQ-77", "sent_on": today, "item_ids": [a.pk, b.pk]},
    )
    batch = HallmarkBatch.objects.for_tenant(tenant).get()
    assert response.status_code == 302
    assert set(batch.items.values_list("hallmark_status", flat=True)) == {"at_centre"}
    compliance = owner_client.get(reverse("inventory:compliance")).context["compliance"]
    assert compliance["at_centre_count"] == 2 and compliance["missing_huid_count"] == 3

    report = SimpleUploadedFile("ahc.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(
        reverse("inventory:batch_receive", args=[batch.pk]),
        {"received_on": today, f"huid_{a.pk}": "aa11bb", f"huid_{b.pk}": "", "report": report},
    )
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db(), batch.refresh_from_db()
    assert (a.hallmark_status, a.huid) == ("hallmarked", "AA11BB")
    assert b.hallmark_status == "pending" and c.hallmark_status == "pending"
    assert batch.status == "received"
    assert Certificate.objects.for_tenant(tenant).filter(batch=batch, kind="ahc_report").count() == 1
    compliance = owner_client.get(reverse("inventory:compliance")).context["compliance"]
    assert compliance["at_centre_count"] == 0 and compliance["unreported_count"] == 0


def test_receiving_with_a_bad_huid_changes_nothing(owner_client, tenant, owner):
    a = make_item(tenant, owner, sku="B-1")
    b = make_item(tenant, owner, sku="B-2")
    make_item(tenant, owner, sku="B-9", huid="TAKEN1")
    batch = hallmark_batch_send(
        tenant=tenant, actor=owner, centre_name="AHC", request_number="R1",
        sent_on=timezone.localdate(), item_ids=[a.pk, b.pk],
    )  # fmt: skip
    events = AuditEvent.objects.count()
    response = owner_client.post(
        reverse("inventory:batch_receive", args=[batch.pk]),
        {"received_on": timezone.localdate(), f"huid_{a.pk}": "GOOD11", f"huid_{b.pk}": "taken1"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "B-2: HUID TAKEN1 is already on another article" in html
    a.refresh_from_db(), batch.refresh_from_db()
    assert a.huid == "" and a.hallmark_status == "at_centre" and batch.status == "sent"
    assert AuditEvent.objects.count() == events


def test_sending_with_nothing_chosen_explains(owner_client, tenant, owner):
    make_item(tenant, owner)
    response = owner_client.post(
        reverse("inventory:batch_create"),
        {"centre_name": "AHC", "request_number": "R1", "sent_on": timezone.localdate()},
    )
    assert response.status_code == 422
    assert "Choose the articles to send." in response.content.decode()
    assert not HallmarkBatch.objects.exists()


def test_batch_list_query_count_is_flat(
    owner_client, tenant, owner, django_assert_num_queries, django_assert_max_num_queries
):
    def send(n):
        item = make_item(tenant, owner, sku=f"L-{n}")
        hallmark_batch_send(
            tenant=tenant, actor=owner, centre_name="AHC", request_number=f"R{n}",
            sent_on=timezone.localdate(), item_ids=[item.pk],
        )  # fmt: skip

    send(0)
    url = reverse("inventory:batch_list")
    with django_assert_max_num_queries(7) as few:
        owner_client.get(url)
    for n in range(1, 20):
        send(n)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(owner_client.get(url).context["page"].object_list) == 20
