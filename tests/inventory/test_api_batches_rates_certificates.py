from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import Certificate, HallmarkBatch, MetalRate, Purity, StockItem
from apps.inventory.services import (
    certificate_upload,
    hallmark_batch_send,
    metal_rate_set,
    stock_item_create,
)
from tests.api_helpers import ApiClient, make_key
from tests.inventory.conftest import PDF, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def certificates_dir(certificates_in_tmp):
    return certificates_in_tmp


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def p18():
    return Purity.objects.get(metal="gold", karat="18K")


def make_item(tenant, user, name="Chain", **kw):
    return stock_item_create(tenant=tenant, actor=user, name=name, purity=p22(), gross_weight="10", **kw)


def send(tenant, user, items, request_number="REQ-1", sent_on=None):
    return hallmark_batch_send(
        tenant=tenant,
        actor=user,
        centre_name="Mumbai AHC",
        request_number=request_number,
        sent_on=sent_on or timezone.localdate(),
        item_ids=[i.pk for i in items],
    )


def upload(api, **fields):
    return api.post("/api/v1/certificates", fields, content_type=MULTIPART_CONTENT)


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def staff_api(tenant, staff_user):
    return ApiClient(make_key(tenant, staff_user, "staff"))


@pytest.fixture
def admin_api(tenant, admin_user):
    return ApiClient(make_key(tenant, admin_user, "admin"))


# --- hallmarking batches -------------------------------------------------------------------------


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
    report = certificate_upload(tenant=tenant, actor=owner, kind="ahc_report", batch=batch, upload=pdf())
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


# --- metal rates ---------------------------------------------------------------------------------


def test_record_then_correct_todays_rate(api, tenant):
    created = api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": "6,500.5"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["rate_per_gram"], body["effective_on"], body["purity"]["label"]) == (
        "6500.50",
        str(timezone.localdate()),
        "22K916",
    )
    corrected = api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": 6550})
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["id"] == body["id"] and corrected.json()["rate_per_gram"] == "6550.00"
    assert MetalRate.objects.for_tenant(tenant).get().rate_per_gram == Decimal("6550.00")
    assert AuditEvent.objects.filter(tenant=tenant, action="rate.set").count() == 2


def test_rates_list_newest_first_with_filters(api, tenant, owner, other_tenant, other_owner):
    today = timezone.localdate()
    for days, purity, rate in [
        (0, p22(), "6600"),
        (1, p22(), "6500"),
        (1, p18(), "5400"),
        (5, p22(), "6400"),
    ]:
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=purity,
            rate_per_gram=rate,
            effective_on=today - timedelta(days=days),
        )
    metal_rate_set(tenant=other_tenant, actor=other_owner, purity=p22(), rate_per_gram="1")

    def rates(**params):
        response = api.get("/api/v1/metal-rates", params)
        assert response.status_code == 200, response.json()
        return [
            (r["effective_on"], r["purity"]["karat"], r["rate_per_gram"]) for r in response.json()["results"]
        ]

    assert [r[2] for r in rates()] == ["6600.00", "6500.00", "5400.00", "6400.00"]
    assert [r[2] for r in rates(purity=p18().pk)] == ["5400.00"]
    yesterday = str(today - timedelta(days=1))
    assert [r[2] for r in rates(date_from=yesterday)] == ["6600.00", "6500.00", "5400.00"]
    assert [r[2] for r in rates(date_from=yesterday, date_to=yesterday)] == ["6500.00", "5400.00"]
    assert api.get("/api/v1/metal-rates", {"date_from": "yesterday"}).status_code == 400
    assert api.get("/api/v1/metal-rates", {"purity": 2**70}).status_code == 400


def test_latest_rate_per_purity(api, tenant, owner):
    today = timezone.localdate()
    metal_rate_set(
        tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500", effective_on=today - timedelta(days=2)
    )
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6600")
    metal_rate_set(
        tenant=tenant, actor=owner, purity=p18(), rate_per_gram="5400", effective_on=today - timedelta(days=3)
    )
    latest = api.get("/api/v1/metal-rates/latest")
    assert latest.status_code == 200
    assert [(r["purity"]["label"], r["rate_per_gram"]) for r in latest.json()] == [
        ("22K916", "6600.00"),
        ("18K750", "5400.00"),
    ]
    earlier = api.get("/api/v1/metal-rates/latest", {"on": str(today - timedelta(days=1))}).json()
    assert [r["rate_per_gram"] for r in earlier] == ["6500.00", "5400.00"]
    assert api.get("/api/v1/metal-rates/latest", {"on": "someday"}).status_code == 400


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"rate_per_gram": "0"}, "rate_per_gram", "more than zero"),
        ({"rate_per_gram": "-5"}, "rate_per_gram", "more than zero"),
        ({"rate_per_gram": "gold"}, "rate_per_gram", "as a number"),
        ({"rate_per_gram": "1e100"}, "rate_per_gram", "far too large"),
        ({"rate_per_gram": "999999999999999"}, "rate_per_gram", "digits"),
        ({"rate_per_gram": None}, "rate_per_gram", "may not be null"),
        ({"purity": 999999}, "purity", "Choose a purity"),
        ({"purity": "22K"}, "purity", "valid integer"),
        ({"purity": 2**70}, "purity", "less than or equal to"),
        ({"effective_on": "future"}, "effective_on", "future day"),
        ({"effective_on": "31-12-2025"}, "effective_on", "wrong format"),
    ],
)
def test_bad_rate_is_400_on_its_field_and_saves_nothing(api, tenant, change, field, message):
    payload = {"purity": p22().pk, "rate_per_gram": "6500", **change}
    if payload.get("effective_on") == "future":
        payload["effective_on"] = str(timezone.localdate() + timedelta(days=1))
    response = api.post("/api/v1/metal-rates", payload)
    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["fields"][field]), response.json()
    assert not MetalRate.objects.exists()
    assert not AuditEvent.objects.filter(action="rate.set").exists()


def test_staff_record_rates(tenant, staff_api):
    assert (
        staff_api.post("/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": "6500"}).status_code
        == 201
    )


def test_rate_list_query_count_is_flat(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    today = timezone.localdate()
    for days in range(3):
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=p22(),
            rate_per_gram="6500",
            effective_on=today - timedelta(days),
        )
    api.get("/api/v1/metal-rates")
    with django_assert_max_num_queries(10) as first:
        api.get("/api/v1/metal-rates")
    for days in range(3, 30):
        metal_rate_set(
            tenant=tenant,
            actor=owner,
            purity=p18(),
            rate_per_gram="5400",
            effective_on=today - timedelta(days),
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get("/api/v1/metal-rates")
    assert response.json()["count"] == 30


# --- certificates --------------------------------------------------------------------------------


def test_upload_retrieve_list_and_download(api, tenant, owner, certificates_dir):
    item = make_item(tenant, owner)
    created = upload(
        api, kind="stone", item=item.pk, file=SimpleUploadedFile("gia report.png", PNG, "image/png")
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["kind"],
        body["item"],
        body["batch"],
        body["content_type"],
        body["original_name"],
        body["size"],
    ) == (
        "stone",
        item.pk,
        None,
        "image/png",
        "gia report.png",
        len(PNG),
    )
    assert body["download_url"] == f"http://testserver/api/v1/certificates/{body['id']}/download"
    assert api.get(f"/api/v1/certificates/{body['id']}").json() == body
    assert [c["id"] for c in api.get("/api/v1/certificates", {"item": item.pk}).json()["results"]] == [
        body["id"]
    ]
    assert api.get("/api/v1/certificates", {"kind": "ahc_report"}).json()["count"] == 0

    download = api.get(body["download_url"], HTTP_ACCEPT="image/png")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and "gia report.png" in download["Content-Disposition"]
    )
    assert "no-store" in download["Cache-Control"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    assert len(files_in(certificates_dir)) == 1


def test_an_upload_named_html_is_stored_and_downloaded_as_what_it_is(api, tenant, owner):
    item = make_item(tenant, owner)
    created = upload(api, kind="stone", item=item.pk, file=SimpleUploadedFile("poc.html", PNG, "text/html"))
    assert created.status_code == 201, created.json()
    certificate = Certificate.objects.get(pk=created.json()["id"])
    assert certificate.file.name.endswith(".png") and "poc" not in certificate.file.name
    download = api.get(created.json()["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="poc.png"'
    assert download["Content-Security-Policy"] == "sandbox"


def test_ahc_report_for_a_batch(api, tenant, owner):
    batch = send(tenant, owner, [make_item(tenant, owner)])
    created = upload(api, kind="ahc_report", batch=batch.pk, file=pdf())
    assert created.status_code == 201, created.json()
    assert created.json()["batch"] == batch.pk
    listed = api.get("/api/v1/certificates", {"batch": batch.pk}).json()
    assert [c["id"] for c in listed["results"]] == [created.json()["id"]]


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"kind": "ahc_report", "batch": "theirs"}, "batch", "no such hallmarking batch"),
        ({"kind": "ahc_report", "batch": 999999}, "batch", "no such hallmarking batch"),
        ({"kind": "ahc_report", "batch": 2**70}, "batch", "less than or equal to"),
        ({"kind": "ahc_report", "batch": "B-1"}, "batch", "valid integer"),
        ({"kind": "ahc_report"}, "batch", "Name the hallmarking batch"),
        ({"kind": "ahc_report", "batch": "mine", "item": "mine"}, "item", "not attached to any article"),
        ({"kind": "stone", "item": "theirs"}, "item", "no such article"),
        ({"kind": "stone", "item": 999999}, "item", "no such article"),
        ({"kind": "stone", "batch": "mine"}, "item", "Name the article"),
        ({"kind": "bis_registration", "item": "mine"}, "item", "not attached to any article"),
        ({"kind": "warranty"}, "kind", "not a valid choice"),
        ({"kind": "bis_registration", "file": "fake"}, "file", "PDF, PNG or JPEG"),
        ({"kind": "bis_registration", "file": "not_pdf"}, "file", "can't be read as one"),
        ({"kind": "bis_registration", "file": "not_png"}, "file", "PDF, PNG or JPEG"),
        ({"kind": "bis_registration", "file": "empty"}, "file", "empty"),
        ({"kind": "bis_registration", "file": "big"}, "file", "the limit is"),
        ({"kind": "bis_registration", "file": None}, "file", "No file was submitted"),
    ],
)
def test_bad_upload_is_400_on_its_field_and_keeps_nothing(
    api, tenant, owner, other_tenant, other_owner, certificates_dir, fields, field, message
):
    mine = {"batch": send(tenant, owner, [make_item(tenant, owner)]), "item": make_item(tenant, owner)}
    theirs = {
        "batch": send(other_tenant, other_owner, [make_item(other_tenant, other_owner)]),
        "item": make_item(other_tenant, other_owner),
    }
    files = {
        "fake": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 executable", "application/pdf"),
        "not_pdf": SimpleUploadedFile("x.pdf", b"%PDF-1.7\n<script>alert(1)</script>", "application/pdf"),
        "not_png": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "image/png"),
        "empty": SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
        "big": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf"),
    }
    data = {"file": pdf()}
    for name, value in fields.items():
        if name in ("batch", "item") and value in ("mine", "theirs"):
            value = {"mine": mine, "theirs": theirs}[value][name].pk
        elif name == "file":
            value = files.get(value)
            if value is None:
                continue
        data[name] = value
    if fields.get("file", "") is None:
        del data["file"]
    events = AuditEvent.objects.count()
    response = upload(api, **data)
    assert response.status_code == 400, response.json()
    assert message in " ".join(response.json()["fields"][field]), response.json()
    assert not Certificate.objects.exists()
    assert not files_in(certificates_dir)
    assert AuditEvent.objects.count() == events


def test_a_request_over_the_upload_limit_is_a_400(api, certificates_dir):
    huge = SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "application/pdf")
    response = api.post(
        "/api/v1/certificates",
        {"kind": "bis_registration", "file": huge},
        content_type=MULTIPART_CONTENT,
        HTTP_IDEMPOTENCY_KEY="huge-1",  # keyed or not, the answer names the file's limit
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "the limit is 5120 KB" in response.json()["fields"]["file"][0]
    assert not Certificate.objects.exists() and not files_in(certificates_dir)


def test_a_json_upload_is_refused_on_the_file_field(api):
    response = api.post("/api/v1/certificates", {"kind": "bis_registration", "file": "JVBERi0xLjQ="})
    assert response.status_code == 400 and "not a file" in response.json()["fields"]["file"][0]


def test_upload_is_idempotent_with_a_key(api):
    first = api.post(
        "/api/v1/certificates",
        {"kind": "bis_registration", "file": pdf("bis.pdf")},
        content_type=MULTIPART_CONTENT,
        HTTP_IDEMPOTENCY_KEY="bis-1",
    )
    replay = api.post(
        "/api/v1/certificates",
        {"kind": "bis_registration", "file": pdf("bis.pdf")},
        content_type=MULTIPART_CONTENT,
        HTTP_IDEMPOTENCY_KEY="bis-1",
    )
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert Certificate.objects.count() == 1


def test_staff_upload_article_certificates_but_only_admins_the_bis_registration(
    tenant, owner, staff_api, admin_api, certificates_dir
):
    item = make_item(tenant, owner)
    assert upload(staff_api, kind="stone", item=item.pk, file=pdf()).status_code == 201
    refused = upload(staff_api, kind="bis_registration", file=pdf("bis.pdf"))
    assert refused.status_code == 403 and "admin role" in refused.json()["message"]
    assert Certificate.objects.count() == 1 and len(files_in(certificates_dir)) == 1
    assert upload(admin_api, kind="bis_registration", file=pdf("bis.pdf")).status_code == 201
    assert staff_api.get("/api/v1/certificates").json()["count"] == 2


def test_another_tenants_certificate_is_not_found(api, other_tenant, other_owner):
    theirs = certificate_upload(
        tenant=other_tenant,
        actor=other_owner,
        kind="stone",
        item=make_item(other_tenant, other_owner),
        upload=pdf(),
    )
    for url in (f"/api/v1/certificates/{theirs.pk}", f"/api/v1/certificates/{theirs.pk}/download"):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get("/api/v1/certificates", {"item": theirs.item_id}).json()["count"] == 0


def test_download_of_a_missing_file_is_404(api, tenant, owner):
    certificate = certificate_upload(tenant=tenant, actor=owner, kind="bis_registration", upload=pdf())
    certificate.file.storage.delete(certificate.file.name)
    response = api.get(f"/api/v1/certificates/{certificate.pk}/download")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.usefixtures("certificates_in_s3")
def test_download_from_s3_redirects_to_a_presigned_link(api, tenant, owner):
    certificate = certificate_upload(
        tenant=tenant, actor=owner, kind="bis_registration", upload=pdf("bis.pdf")
    )
    response = api.get(f"/api/v1/certificates/{certificate.pk}/download")
    assert response.status_code == 302
    assert "tijori-test-certificates" in response["Location"] and "X-Amz-Signature=" in response["Location"]


def test_certificate_list_query_count_is_flat(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    item = make_item(tenant, owner)
    for n in range(3):
        certificate_upload(tenant=tenant, actor=owner, kind="stone", item=item, upload=pdf(f"{n}.pdf"))
    api.get("/api/v1/certificates")
    with django_assert_max_num_queries(10) as first:
        api.get("/api/v1/certificates")
    for n in range(3, 30):
        certificate_upload(tenant=tenant, actor=owner, kind="stone", item=item, upload=pdf(f"{n}.pdf"))
    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get("/api/v1/certificates")
    assert response.json()["count"] == 30


def test_batch_detail_query_count_does_not_grow_with_its_articles(
    api, tenant, owner, django_assert_max_num_queries, django_assert_num_queries
):
    small = send(tenant, owner, [make_item(tenant, owner, f"S{n}") for n in range(2)], "SMALL")
    large = send(tenant, owner, [make_item(tenant, owner, f"L{n}") for n in range(20)], "LARGE")
    certificate_upload(tenant=tenant, actor=owner, kind="ahc_report", batch=large, upload=pdf())
    api.get(f"/api/v1/hallmark-batches/{small.pk}")
    with django_assert_max_num_queries(12) as first:
        api.get(f"/api/v1/hallmark-batches/{small.pk}")
    with django_assert_num_queries(len(first.captured_queries)):
        body = api.get(f"/api/v1/hallmark-batches/{large.pk}").json()
    assert len(body["items"]) == 20 and len(body["certificates"]) == 1
