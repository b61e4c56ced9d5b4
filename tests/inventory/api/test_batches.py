"""The hallmarking batch API (`apps/inventory/api/batches.py`): send, list, receive."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import HallmarkBatch, StockItem
from apps.inventory.services import (
    certificate_upload,
)
from tests.inventory.conftest import PDF
from tests.inventory.factories import HallmarkBatchFactory, StockItemFactory

pytestmark = pytest.mark.django_db


def make_item(tenant, user, name="Chain", **values) -> StockItem:
    return StockItemFactory(tenant=tenant, actor=user, name=name, **values)


def send(tenant, user, items, request_number="REQ-1", **values) -> HallmarkBatch:
    return HallmarkBatchFactory(
        tenant=tenant, actor=user, items=items, request_number=request_number, **values
    )


def upload(api, **fields):
    return api.post("/api/v1/certificates", fields, content_type=MULTIPART_CONTENT)


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def test_send_then_receive_round_trip(api, tenant, owner):
    a, b, c = (make_item(tenant, owner, f"Chain {n}") for n in "abc")
    today = timezone.localdate()
    sent = api.post(
        "/api/v1/hallmark-batches",
        {
            "centre_name": " Mumbai AHC ",
            "request_number": "REQ-7",
            "sent_on": str(today),
            "item_ids": [a.pk, b.pk, c.pk],
        },
    )
    assert sent.status_code == 201, sent.json()
    body = sent.json()
    assert (body["centre_name"], body["request_number"], body["status"], body["item_count"]) == (
        "Mumbai AHC",
        "REQ-7",
        "sent",
        3,
    )
    assert body["received_on"] is None and body["certificates"] == []
    assert {i["id"]: i["hallmark_status"] for i in body["items"]} == {
        a.pk: "at_centre",
        b.pk: "at_centre",
        c.pk: "at_centre",
    }
    batch_id = body["id"]
    listed = api.get("/api/v1/hallmark-batches", {"status": "sent"}).json()
    assert [r["id"] for r in listed["results"]] == [batch_id] and listed["results"][0]["item_count"] == 3
    assert api.get("/api/v1/hallmark-batches", {"status": "received"}).json()["count"] == 0

    received = api.post(
        f"/api/v1/hallmark-batches/{batch_id}/receive",
        {
            "received_on": str(today),
            "huids": [{"item": a.pk, "huid": "ab12cd"}, {"item": b.pk, "huid": "EF34GH"}],
        },
    )
    assert received.status_code == 200, received.json()
    body = received.json()
    assert (body["status"], body["received_on"]) == ("received", str(today))
    assert {i["id"]: (i["huid"], i["hallmark_status"]) for i in body["items"]} == {
        a.pk: ("AB12CD", "hallmarked"),
        b.pk: ("EF34GH", "hallmarked"),
        c.pk: ("", "pending"),
    }
    assert api.get(f"/api/v1/hallmark-batches/{batch_id}").json() == body
    assert AuditEvent.objects.filter(tenant=tenant, action="batch.receive").count() == 1

    again = api.post(f"/api/v1/hallmark-batches/{batch_id}/receive", {"received_on": str(today)})
    assert again.status_code == 409 and again.json()["code"] == "batch_state"
    assert AuditEvent.objects.filter(tenant=tenant, action="batch.receive").count() == 1


def test_batch_detail_lists_its_ahc_reports(api, tenant, owner):
    batch = send(tenant, owner, [make_item(tenant, owner)])
    report = certificate_upload(
        tenant=tenant, actor=owner, kind="ahc_report", batch_id=batch.pk, upload=pdf()
    )
    certificate_upload(tenant=tenant, actor=owner, kind="bis_registration", upload=pdf("bis.pdf"))
    body = api.get(f"/api/v1/hallmark-batches/{batch.pk}").json()
    assert [c["id"] for c in body["certificates"]] == [report.pk]
    assert (
        body["certificates"][0]["download_url"]
        == f"http://testserver/api/v1/certificates/{report.pk}/download"
    )
    assert body["has_report"] is True


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"centre_name": "  "}, "centre_name", "Name the hallmarking centre"),
        ({"request_number": ""}, "request_number", "request number"),
        ({"sent_on": "tomorrow"}, "sent_on", "Date has wrong format"),
        ({"sent_on": "future"}, "sent_on", "can't be in the future"),
        ({"item_ids": []}, "item_ids", "Choose the articles"),
        ({"item_ids": [999999]}, "item_ids", "not in this shop's stock"),
        ({"item_ids": "theirs"}, "item_ids", "not in this shop's stock"),
        ({"item_ids": [2**70]}, "item_ids", "less than or equal to"),
        ({"item_ids": ["x"]}, "item_ids", "valid integer"),
        ({"request_number": "USED-1"}, "request_number", "already used"),
    ],
)
def test_bad_send_is_400_on_its_field_and_changes_nothing(
    api, tenant, owner, other_tenant, other_owner, change, field, message
):
    mine = make_item(tenant, owner)
    send(tenant, owner, [make_item(tenant, owner)], request_number="USED-1")
    theirs = make_item(other_tenant, other_owner)
    payload = {
        "centre_name": "AHC",
        "request_number": "NEW-1",
        "sent_on": str(timezone.localdate()),
        "item_ids": [mine.pk],
        **change,
    }
    if payload["sent_on"] == "future":
        payload["sent_on"] = str(timezone.localdate() + timedelta(days=1))
    if payload["item_ids"] == "theirs":
        payload["item_ids"] = [mine.pk, theirs.pk]
    events = AuditEvent.objects.count()
    response = api.post("/api/v1/hallmark-batches", payload)
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert message in " ".join(fields.get(field, []) + fields.get(f"{field}.0", [])), fields
    assert HallmarkBatch.objects.count() == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.hallmark_status == theirs.hallmark_status == "pending"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "entries, field, message",
    [
        (
            [{"item": "a", "huid": "AB12CD"}, {"item": "b", "huid": "bad"}],
            "huids.1.huid",
            "6 letters or digits",
        ),
        ([{"item": "a", "huid": "AB12CD"}, {"item": "a", "huid": "EF34GH"}], "huids", "at most once"),
        ([{"item": "theirs", "huid": "AB12CD"}], "huids", "not in this batch"),
        ([{"item": 2**70, "huid": "AB12CD"}], "huids.0.item", "less than or equal to"),
        ([{"huid": "AB12CD"}], "huids.0.item", "required"),
        ("AB12CD", "huids", "Expected a list"),
    ],
)
def test_bad_receive_is_400_on_its_field_and_saves_no_huid(
    api, tenant, owner, other_tenant, other_owner, entries, field, message
):
    a, b = make_item(tenant, owner), make_item(tenant, owner)
    batch = send(tenant, owner, [a, b])
    theirs = make_item(other_tenant, other_owner)
    ids = {"a": a.pk, "b": b.pk, "theirs": theirs.pk}
    if isinstance(entries, list):
        entries = [{**e, "item": ids.get(e["item"], e["item"])} if "item" in e else e for e in entries]
    events = AuditEvent.objects.count()
    response = api.post(
        f"/api/v1/hallmark-batches/{batch.pk}/receive",
        {"received_on": str(timezone.localdate()), "huids": entries},
    )
    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["fields"][field]), response.json()
    batch.refresh_from_db()
    assert batch.status == "sent" and batch.received_on is None
    assert set(StockItem.objects.values_list("huid", flat=True)) == {""}
    assert set(StockItem.objects.filter(tenant=tenant).values_list("hallmark_status", flat=True)) == {
        "at_centre"
    }
    assert AuditEvent.objects.count() == events


def test_bad_huid_names_the_article(api, tenant, owner):
    a, b = make_item(tenant, owner, sku="RING-1"), make_item(tenant, owner, sku="RING-2")
    batch = send(tenant, owner, [a, b])
    response = api.post(
        f"/api/v1/hallmark-batches/{batch.pk}/receive",
        {"received_on": str(timezone.localdate()), "huids": [{"item": b.pk, "huid": "AB1"}]},
    )
    assert response.status_code == 400
    assert response.json()["fields"]["huids.0.huid"][0].startswith("RING-2: ")


def test_received_before_sent_is_refused(api, tenant, owner):
    today = timezone.localdate()
    batch = send(tenant, owner, [make_item(tenant, owner)], sent_on=today)
    response = api.post(
        f"/api/v1/hallmark-batches/{batch.pk}/receive", {"received_on": str(today - timedelta(days=1))}
    )
    assert (
        response.status_code == 400 and "before the date sent" in response.json()["fields"]["received_on"][0]
    )
    batch.refresh_from_db()
    assert batch.status == "sent"


def test_staff_send_and_receive_batches(tenant, owner, staff_api):
    item = make_item(tenant, owner)
    sent = staff_api.post(
        "/api/v1/hallmark-batches",
        {
            "centre_name": "AHC",
            "request_number": "S-1",
            "sent_on": str(timezone.localdate()),
            "item_ids": [item.pk],
        },
    )
    assert sent.status_code == 201, sent.json()
    received = staff_api.post(
        f"/api/v1/hallmark-batches/{sent.json()['id']}/receive",
        {"received_on": str(timezone.localdate()), "huids": [{"item": item.pk, "huid": "AB12CD"}]},
    )
    assert received.status_code == 200


def test_send_is_idempotent_with_a_key(api, tenant, owner):
    item = make_item(tenant, owner)
    payload = {
        "centre_name": "AHC",
        "request_number": "IDEM-1",
        "sent_on": str(timezone.localdate()),
        "item_ids": [item.pk],
    }
    first = api.post("/api/v1/hallmark-batches", payload, HTTP_IDEMPOTENCY_KEY="send-1")
    replay = api.post("/api/v1/hallmark-batches", payload, HTTP_IDEMPOTENCY_KEY="send-1")
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    assert HallmarkBatch.objects.count() == 1


def test_batch_list_query_count_is_flat(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    def add_batches(start, count):
        for n in range(start, start + count):
            send(
                tenant,
                owner,
                [make_item(tenant, owner, f"C{n}"), make_item(tenant, owner, f"D{n}")],
                f"R-{n}",
            )

    add_batches(0, 3)
    api.get("/api/v1/hallmark-batches")
    with django_assert_max_num_queries(10) as first:
        response = api.get("/api/v1/hallmark-batches")
    assert response.json()["count"] == 3
    add_batches(3, 27)
    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get("/api/v1/hallmark-batches")
    assert response.json()["count"] == 30
    assert {r["item_count"] for r in response.json()["results"]} == {2}


def test_batch_detail_query_count_does_not_grow_with_its_articles(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    small = send(tenant, owner, [make_item(tenant, owner, f"S{n}") for n in range(2)], "SMALL")
    large = send(tenant, owner, [make_item(tenant, owner, f"L{n}") for n in range(20)], "LARGE")
    certificate_upload(tenant=tenant, actor=owner, kind="ahc_report", batch_id=large.pk, upload=pdf())
    api.get(f"/api/v1/hallmark-batches/{small.pk}")
    with django_assert_max_num_queries(12) as first:
        api.get(f"/api/v1/hallmark-batches/{small.pk}")
    with django_assert_num_queries(len(first.captured_queries)):
        body = api.get(f"/api/v1/hallmark-batches/{large.pk}").json()
    assert len(body["items"]) == 20 and len(body["certificates"]) == 1
