"""The exports API: start a GSTR-1 export, follow it, download it; another shop's export is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.reports.kinds import ExportKind
from apps.reports.models import Export
from tests.api_helpers import ApiClient, make_key
from tests.reports import kinds
from tests.reports.exports_helpers import ask, kind_installed, request_now, sha256_of, this_month

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exports_in_tmp")]


def _as_given(tenant, period, options: dict) -> dict:
    return options


@pytest.fixture
def gstr1_json(monkeypatch):
    """GSTR-1 JSON written here by a test writer (the real writer is tested on its own)."""
    return kind_installed(
        monkeypatch,
        ExportKind("gstr1_json", "GSTR-1 (test)", "json", "application/json", kinds.slow_write, _as_given),
    )


@pytest.fixture
def shop_api(shop, owner):
    return ApiClient(make_key(shop, owner, "owner"))


@pytest.mark.usefixtures("gstr1_json")
def test_an_integration_starts_a_gstr1_export_follows_it_and_downloads_the_file(
    shop, shop_api, django_capture_on_commit_callbacks
):
    period = (this_month().start - timedelta(days=1)).strftime("%m%Y")  # the portal's `fp`
    with django_capture_on_commit_callbacks(execute=True):
        started = shop_api.post("/api/v1/gst-returns/gstr1", {"period": period}, HTTP_IDEMPOTENCY_KEY="g1-1")

    assert started.status_code == 202, started.content
    body = started.json()
    assert body["kind"] == "gstr1_json" and body["status"] == "queued" and body["links"]["download"] is None
    assert started["Location"] == body["links"]["self"] == f"http://testserver/api/v1/exports/{body['id']}"
    followed = shop_api.get(f"/api/v1/exports/{body['id']}").json()
    assert followed["status"] == "done" and followed["progress_done"] == followed["progress_total"] == 10
    assert (
        followed["period"] == f"{period[2:]}-{period[:2]}" and followed["requested_by"] == "owner@shop-a.in"
    )
    download = shop_api.get(followed["links"]["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/json"
    assert sha256_of(b"".join(download.streaming_content)) == followed["sha256"]
    assert AuditEvent.objects.filter(action="export.download", target_id=str(body["id"])).count() == 1

    again = shop_api.post("/api/v1/gst-returns/gstr1", {"period": period}, HTTP_IDEMPOTENCY_KEY="g1-1")
    assert again.json() == body and again["Idempotent-Replayed"] == "true"
    assert Export.objects.count() == 1


@pytest.mark.usefixtures("gstr1_json")
def test_the_gstr1_list_is_the_periods_gstr1_exports(
    shop, owner, shop_api, django_capture_on_commit_callbacks
):
    month = this_month()
    with django_capture_on_commit_callbacks():
        mine = ask(shop, owner, "gstr1_json")
        ask(shop, owner, "test_slow")  # another kind: not a GSTR-1 export
        earlier = ask(shop, owner, "gstr1_json", period=month.__class__.month(2025, 4))

    listed = shop_api.get("/api/v1/gst-returns/gstr1", {"period": month.code}).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    every = shop_api.get("/api/v1/gst-returns/gstr1").json()
    assert [row["id"] for row in every["results"]] == [earlier.pk, mine.pk]
    bad = shop_api.get("/api/v1/gst-returns/gstr1", {"period": "2026-13"})
    assert bad.status_code == 400 and bad.json()["fields"]["period"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "period"),
        ({"period": "Diwali"}, "period"),
        ({"period": "2026-10", "format": "pdf"}, "format"),
        ({"period": "2099-01"}, "period"),
        ({"period": "2026-10", "furnished_months": "2026-10"}, "furnished_months"),
    ],
)
@pytest.mark.usefixtures("gstr1_json")
def test_bad_input_is_a_400_naming_the_field_and_starts_nothing(shop_api, body, field):
    response = shop_api.post("/api/v1/gst-returns/gstr1", body)
    assert response.status_code == 400 and field in response.json()["fields"], response.content
    assert Export.objects.count() == 0


def test_a_format_this_server_cannot_make_is_a_400(shop_api, monkeypatch):
    from apps.reports import kinds as export_kinds

    monkeypatch.delitem(export_kinds._KINDS, "gstr3b", raising=False)
    response = shop_api.post("/api/v1/gst-returns/gstr1", {"period": "2026-10", "format": "gstr3b"})
    assert response.status_code == 400 and "format" in response.json()["fields"]


def test_download_answers_409_while_building_and_410_after_its_week(
    shop, owner, shop_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        waiting = ask(shop, owner, "test_slow")
    response = shop_api.get(f"/api/v1/exports/{waiting.pk}/download")
    assert response.status_code == 409 and response.json()["code"] == "export_not_ready"

    done = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=2)
    Export.objects.filter(pk=done.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = shop_api.get(f"/api/v1/exports/{done.pk}/download")
    assert gone.status_code == 410 and gone.json()["code"] == "export_expired"
    assert shop_api.get(f"/api/v1/exports/{done.pk}").json()["links"]["download"] is None
    assert not AuditEvent.objects.filter(action="export.download").exists()


@pytest.mark.usefixtures("exports_in_s3")
def test_in_s3_the_api_download_is_a_302_to_a_presigned_link(
    shop, owner, shop_api, django_capture_on_commit_callbacks
):
    export = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks)
    response = shop_api.get(f"/api/v1/exports/{export.pk}/download")
    assert response.status_code == 302 and "X-Amz-Signature=" in response["Location"]


def test_a_refused_export_lists_every_problem(shop, owner, shop_api, django_capture_on_commit_callbacks):
    export = request_now(shop, owner, "test_refuse", capture=django_capture_on_commit_callbacks)
    body = shop_api.get(f"/api/v1/exports/{export.pk}").json()
    assert body["status"] == "refused" and body["problems"][0] == "INV/26-27/0001: line 1 has no HSN code"
    assert body["sha256"] == "" and body["links"]["download"] is None


def test_another_shops_export_is_404_and_a_staff_key_is_refused(
    shop, owner, staff_user, other_shop, other_owner, shop_api, django_capture_on_commit_callbacks
):
    theirs = request_now(other_shop, other_owner, "test_slow", capture=django_capture_on_commit_callbacks)
    for url in (f"/api/v1/exports/{theirs.pk}", f"/api/v1/exports/{theirs.pk}/download"):
        response = shop_api.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert shop_api.get("/api/v1/exports").json()["count"] == 0

    staff_api = ApiClient(make_key(shop, staff_user, "staff"))
    assert staff_api.get("/api/v1/exports").status_code == 403
    refused = staff_api.post("/api/v1/gst-returns/gstr1", {"period": "2026-10"})
    assert refused.status_code == 403 and "owners and admins" in refused.json()["message"]
    assert Export.objects.filter(tenant=shop).count() == 0


def test_the_exports_list_costs_the_same_queries_for_one_export_or_many(
    shop, owner, shop_api, assert_app_queries, django_capture_on_commit_callbacks
):
    request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=1)
    shop_api.get("/api/v1/exports")
    with assert_app_queries() as one, CaptureQueriesContext(connection) as captured:
        shop_api.get("/api/v1/exports")
    for documents in range(2, 12):
        request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=documents)
    with assert_app_queries(one.count):
        body = shop_api.get("/api/v1/exports", {"status": "done"}).json()
    assert body["count"] == 11 and body["results"][0]["document_count"] == 11
    # The exports cost two: the count and the page of rows, with who asked for each.
    assert len([q for q in captured.captured_queries if '"reports_export"' in q["sql"]]) == 2
