"""The Returns pages: the GSTR-1 form, the list that follows each export, and the expiring download."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.kinds import ExportKind
from apps.reports.models import Export
from apps.tenants.models import ReturnFrequency, Tenant
from tests.reports import kinds
from tests.reports.exports_helpers import (
    ask,
    issued_invoices,
    kind_installed,
    request_now,
    sha256_of,
    this_month,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exports_in_tmp")]


def _as_given(tenant, period, options: dict) -> dict:
    return options


@pytest.fixture
def gstr1_kinds(monkeypatch):
    """The three GSTR-1 files, written here by a test writer (the real writers are tested on their own)."""
    for code, extension in (("gstr1_json", "json"), ("gstr1_csv", "zip"), ("gstr3b", "csv")):
        kind_installed(
            monkeypatch,
            ExportKind(
                code, f"Test {code}", extension, "text/plain", kinds.slow_write, options_clean=_as_given
            ),
        )


def _quarterly(tenant: Tenant) -> Tenant:
    Tenant.objects.filter(pk=tenant.pk).update(gstr1_frequency=ReturnFrequency.QUARTERLY)
    tenant.refresh_from_db()
    return tenant


@pytest.mark.usefixtures("gstr1_kinds")
def test_an_owner_starts_a_gstr1_export_from_the_page_and_finds_it_ready(
    shop, owner, make_client, django_capture_on_commit_callbacks
):
    client = make_client(owner, shop)
    page = client.get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="period"' in html and 'value="json"' in html and "furnished" not in html  # a monthly filer
    previous = (this_month().start - timedelta(days=1)).strftime("%Y-%m")
    assert f'<option value="{previous}" selected>' in html  # the period that has just ended

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"period": previous, "format": "csv"})

    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/#export-{export.pk}"
    assert (export.kind, export.period_code, export.status) == ("gstr1_csv", previous, Export.Status.DONE)
    row = client.get("/reports/").content.decode()
    assert f'id="export-{export.pk}"' in row and "hx-trigger" not in row  # finished: no more polling
    assert f'href="/reports/exports/{export.pk}/download/"' in row and export.sha256[:12] in row


@pytest.mark.usefixtures("gstr1_kinds")
def test_a_quarterly_filer_picks_a_quarter_and_the_months_furnished_through_iff(
    shop, owner, make_client, django_capture_on_commit_callbacks
):
    shop = _quarterly(shop)
    client = make_client(owner, shop)
    html = client.get("/reports/").content.decode()
    select = re.search(r'<select name="period".*?</select>', html, re.S).group(0)
    codes = re.findall(r'<option value="([^"]+)"', select)
    assert codes and all(re.fullmatch(r"\d{4}-\d{2}-Q[1-4]", code) for code in codes)
    quarter = codes[1]

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/", {"period": quarter, "format": "json", "furnished_first": "on"})

    export = Export.objects.get()
    first_month = export.period_start
    assert export.period_code == quarter and (export.period_end - export.period_start).days > 85
    assert export.options == {"furnished_months": [f"{first_month.year}-{first_month.month:02d}"]}


@pytest.mark.usefixtures("gstr1_kinds")
def test_a_period_not_offered_comes_back_with_the_error_and_starts_nothing(shop, owner, make_client):
    response = make_client(owner, shop).post("/reports/", {"period": "2019-04", "format": "json"})

    assert response.status_code == 422
    assert (
        "Select a valid choice" in response.content.decode()
        and "data-error-summary" in response.content.decode()
    )
    assert Export.objects.count() == 0


def test_the_list_shows_progress_and_polls_only_while_an_export_is_built(
    shop, owner, make_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # queued: no worker has taken them
        running = ask(shop, owner, "test_slow", documents=100_000)
        waiting = ask(shop, owner, "test_slow", documents=5)
    Export.objects.filter(pk=running.pk).update(
        status="running", progress_done=12_000, progress_total=100_000
    )
    done = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=3)

    html = make_client(owner, shop).get("/reports/").content.decode()
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr id="export-(\d+)".*?</tr>', html, re.S)}
    assert (
        'hx-trigger="every 2s"' in rows[str(running.pk)] and 'hx-trigger="every 2s"' in rows[str(waiting.pk)]
    )
    assert "12,000 of 1,00,000 documents" in rows[str(running.pk)]
    assert '<progress class="export-progress" max="100000" value="12000"' in rows[str(running.pk)]
    assert "hx-trigger" not in rows[str(done.pk)] and "Download" in rows[str(done.pk)]

    part = make_client(owner, shop).get(f"/reports/exports/{running.pk}/", HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and part.content.decode().lstrip().startswith(
        f'<tr id="export-{running.pk}"'
    )


def test_a_refusal_lists_what_to_fix_with_a_link_to_the_document_it_names(
    shop, owner, make_client, monkeypatch, django_capture_on_commit_callbacks
):
    (invoice,) = issued_invoices(shop, owner, 1)

    def refuse(context):
        raise kinds.ExportRefused([f"{invoice.number}: line 1 has no HSN code", "The shop has no GSTIN"])

    kind_installed(
        monkeypatch, ExportKind("test_refuse_named", "Refusal", "json", "application/json", refuse)
    )
    request_now(shop, owner, "test_refuse_named", capture=django_capture_on_commit_callbacks)

    html = make_client(owner, shop).get("/reports/").content.decode()
    assert "2 things to fix" in html
    assert f'<a href="/sales/{invoice.pk}/">{invoice.number}: line 1 has no HSN code</a>' in html
    assert "<li>The shop has no GSTIN</li>" in html


def test_the_list_page_costs_the_same_queries_for_one_export_or_many(
    shop, owner, make_client, assert_app_queries, django_capture_on_commit_callbacks
):
    client = make_client(owner, shop)
    request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=1)
    client.get("/reports/")  # the session and the tenant are warmed up once
    with assert_app_queries() as one, CaptureQueriesContext(connection) as captured:
        client.get("/reports/")
    for documents in range(2, 12):
        request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=documents)
    with assert_app_queries(one.count):
        assert client.get("/reports/").status_code == 200
    # The exports cost two: the page's count and its rows, with who asked for each.
    assert len([q for q in captured.captured_queries if '"reports_export"' in q["sql"]]) == 2


def test_the_download_hands_out_a_link_that_expires_and_records_who_took_the_file(
    shop, owner, make_client, other_owner, django_capture_on_commit_callbacks
):
    export = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=2)
    client = make_client(owner, shop)

    response = client.get(f"/reports/exports/{export.pk}/download/")

    assert response.status_code == 302 and response["Location"].startswith("/files/")
    file = client.get(response["Location"])
    data = b"".join(file.streaming_content)
    assert sha256_of(data) == export.sha256
    assert file["Content-Disposition"] == f'attachment; filename="{export.file_name}"'
    (event,) = AuditEvent.objects.filter(action="export.download")
    assert event.actor == owner and export.sha256 in event.summary
    # The link names the person it was made for: someone else holding it is told it is not theirs.
    assert make_client(other_owner).get(response["Location"]).status_code == 404


def test_a_link_to_a_json_file_keeps_its_name_and_type(
    shop, owner, make_client, monkeypatch, django_capture_on_commit_callbacks
):
    kind_installed(monkeypatch, ExportKind("test_json", "JSON", "json", "application/json", kinds.slow_write))
    export = request_now(shop, owner, "test_json", capture=django_capture_on_commit_callbacks)
    client = make_client(owner, shop)

    file = client.get(client.get(f"/reports/exports/{export.pk}/download/")["Location"])

    assert file["Content-Type"] == "application/json" and export.file_name.endswith(".json")
    assert file["Content-Disposition"] == f'attachment; filename="{export.file_name}"'


@pytest.mark.usefixtures("exports_in_s3")
def test_in_s3_the_download_is_a_presigned_link_given_after_the_same_checks(
    shop, owner, make_client, staff_user, django_capture_on_commit_callbacks
):
    export = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks)

    response = make_client(owner, shop).get(f"/reports/exports/{export.pk}/download/")

    location = response["Location"]
    assert response.status_code == 302 and "X-Amz-Signature=" in location and "X-Amz-Expires=300" in location
    assert make_client(staff_user, shop).get(f"/reports/exports/{export.pk}/download/").status_code == 403


def test_after_its_week_the_download_answers_410_with_a_clear_page(
    shop, owner, make_client, django_capture_on_commit_callbacks
):
    export = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = make_client(owner, shop)

    before_job = client.get(f"/reports/exports/{export.pk}/download/")
    services.exports_expired_remove()
    after_job = client.get(f"/reports/exports/{export.pk}/download/")

    for response in (before_job, after_job):
        assert response.status_code == 410
        assert "This file has been removed" in response.content.decode()
    assert "Removed" in client.get("/reports/").content.decode()
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_a_file_not_built_yet_answers_409(shop, owner, make_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        export = ask(shop, owner, "test_slow")
    response = make_client(owner, shop).get(f"/reports/exports/{export.pk}/download/")
    assert response.status_code == 409 and "waiting for a worker" in response.content.decode()


def test_another_shops_export_is_404_on_every_page(
    shop, owner, other_shop, other_owner, make_client, django_capture_on_commit_callbacks
):
    theirs = request_now(other_shop, other_owner, "test_slow", capture=django_capture_on_commit_callbacks)
    client = make_client(owner, shop)
    for url in (f"/reports/exports/{theirs.pk}/", f"/reports/exports/{theirs.pk}/download/"):
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert f"export-{theirs.pk}" not in client.get("/reports/").content.decode()
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_staff_see_no_returns_and_are_refused_every_page(
    shop, owner, staff_user, make_client, django_capture_on_commit_callbacks
):
    export = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks)
    staff = make_client(staff_user, shop)
    assert 'href="/reports/"' not in staff.get("/").content.decode()
    assert 'href="/reports/"' in make_client(owner, shop).get("/").content.decode()
    for method, url in (
        ("get", "/reports/"),
        ("post", "/reports/"),
        ("get", f"/reports/exports/{export.pk}/download/"),
        ("post", "/reports/exports/new/"),
    ):
        assert getattr(staff, method)(url).status_code == 403
    assert Export.objects.count() == 1


def test_another_page_starts_any_kind_with_its_options_and_is_sent_back_when_refused(
    shop, owner, make_client, django_capture_on_commit_callbacks
):
    client = make_client(owner, shop)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/exports/new/",
            {"kind": "test_slow", "period": this_month().code, "documents": "4", "next": "/sales/"},
        )
    export = Export.objects.get()
    assert response["Location"] == f"/reports/#export-{export.pk}" and export.document_count == 4

    refused = client.post(
        "/reports/exports/new/",
        {"kind": "test_slow", "period": "13-2026", "next": "/sales/?status=issued"},
        follow=True,
    )
    assert refused.redirect_chain[0] == ("/sales/?status=issued", 302)
    assert "The export was not started" in refused.content.decode()
    elsewhere = client.post(
        "/reports/exports/new/", {"kind": "nope", "period": "2026-10", "next": "https://evil.example/"}
    )
    assert elsewhere["Location"] == "/reports/" and Export.objects.count() == 1
