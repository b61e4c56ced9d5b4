"""The export machinery: asked for, built after commit into a checksummed file, refused, failed, rebuilt
after a crash, taken over, retried, expired and reaped."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.gst.periods import ReturnPeriod
from apps.reports import services, tasks
from apps.reports.exceptions import ExportNotOffered
from apps.reports.kinds import ExportContext, ExportKind, ExportResult, export_kind_register
from apps.reports.models import Export
from apps.reports.services import building
from apps.tenants.exceptions import RoleNotAllowedError
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.reports import kinds
from tests.reports.exports_helpers import (
    ask,
    issued_invoices,
    kind_installed,
    request_now,
    sha256_of,
    stored_bytes,
    this_month,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exports_in_tmp")]


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _events(export: Export, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=str(export.pk)))


# --- asking and building ---------------------------------------------------------------------------


def test_a_request_is_built_after_commit_into_a_file_whose_checksum_is_its_sha256(
    shop, owner, other_shop, other_owner, exports_in_tmp, django_capture_on_commit_callbacks
):
    mine = issued_invoices(shop, owner, 3)
    issued_invoices(other_shop, other_owner, 2)  # another shop's bills never reach this shop's file

    with django_capture_on_commit_callbacks() as callbacks:
        export = services.export_request(
            tenant=shop, actor=owner, kind_code="test_invoices", period=this_month(), options={}
        )
    assert Export.objects.get(pk=export.pk).status == Export.Status.QUEUED  # nothing runs before commit
    assert len(callbacks) == 1
    callbacks[0]()

    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.attempts == 1
    data = stored_bytes(export)
    assert export.sha256 == sha256_of(data) and export.size == len(data)
    lines = data.decode().splitlines()
    assert lines[0] == "number,date,total"
    assert [line.split(",")[0] for line in lines[1:]] == [invoice.number for invoice in mine]
    assert export.document_count == 3 and export.counts == {"invoices": 3}
    assert (export.progress_done, export.progress_total) == (3, 3)
    assert export.file.name.startswith(f"t{shop.pk}/{export.pk}-") and export.file.name.endswith(".csv")
    assert export.file_name == f"test-invoices-{shop.gstin}-{this_month().code}.csv"
    assert timedelta(days=6, hours=23) < export.expires_at - export.finished_at <= timedelta(days=7)
    assert _files(exports_in_tmp) == [export.file.name]
    (asked,) = _events(export, "export.request")
    (built,) = _events(export, "export.build")
    assert asked.actor == owner and built.actor == owner and built.tenant == shop
    assert export.sha256 in built.summary and "3 document(s)" in built.summary
    assert f"asked by {owner.email}" in built.summary and this_month().label in built.summary


def test_the_same_export_asked_again_while_it_waits_is_the_same_export(
    shop, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.export_request(
            tenant=shop, actor=owner, kind_code="test_slow", period=this_month(), options={"documents": "3"}
        )
        again = services.export_request(
            tenant=shop, actor=owner, kind_code="test_slow", period=this_month(), options={"documents": 3}
        )
        other = services.export_request(
            tenant=shop, actor=owner, kind_code="test_slow", period=this_month(), options={"documents": 4}
        )
    assert again.pk == first.pk and other.pk != first.pk
    assert len(callbacks) == 2  # one build queued per export, not per request
    for callback in callbacks:
        callback()
    after = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=3)
    assert after.pk not in (first.pk, other.pk)  # a finished export is not waiting: a new one is made
    assert Export.objects.get(pk=first.pk).options == {"delay": 0.0, "documents": 3}


def test_a_zip_written_into_the_stream_is_a_whole_zip_and_its_checksum_holds(
    shop, owner, django_capture_on_commit_callbacks
):
    issued_invoices(shop, owner, 2)
    export = request_now(shop, owner, "test_zip", capture=django_capture_on_commit_callbacks)

    data = stored_bytes(export)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.read("invoices.csv").decode().splitlines()[0] == "number"
        assert len(archive.read("invoices.csv").decode().splitlines()) == 3
    assert export.sha256 == sha256_of(data) and export.size == len(data)


def test_a_writer_that_closes_the_stream_still_has_every_byte_stored(
    shop, owner, monkeypatch, django_capture_on_commit_callbacks
):
    def write(context: ExportContext) -> ExportResult:
        with io.TextIOWrapper(context.out, encoding="utf-8") as text:
            text.write("x" * 100_000)
        return ExportResult(document_count=1)

    kind_installed(monkeypatch, ExportKind("test_closing", "Closing", "csv", "text/csv", write))
    export = request_now(shop, owner, "test_closing", capture=django_capture_on_commit_callbacks)
    assert stored_bytes(export) == b"x" * 100_000 and export.size == 100_000


def test_a_refusal_keeps_the_problems_and_stores_no_file(
    shop, owner, exports_in_tmp, django_capture_on_commit_callbacks
):
    export = request_now(shop, owner, "test_refuse", capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.REFUSED
    assert export.problems == [
        "INV/26-27/0001: line 1 has no HSN code",
        "The shop has no GSTIN: add it in Settings first",
    ]
    assert export.file.name == "" and export.sha256 == "" and _files(exports_in_tmp) == []
    assert len(_events(export, "export.refused")) == 1 and _events(export, "export.build") == []


def test_a_failed_writer_leaves_a_message_a_shop_owner_can_read_and_reaches_the_logs(
    shop, owner, exports_in_tmp, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError, match="a bug in the writer"):
        request_now(shop, owner, "test_broken", capture=django_capture_on_commit_callbacks)

    export = Export.objects.get(kind="test_broken")
    assert export.status == Export.Status.FAILED and export.finished_at is not None
    assert export.error == building.FAILED_MESSAGE and "bug" not in export.error
    assert _files(exports_in_tmp) == [] and len(_events(export, "export.failed")) == 1


def test_a_build_run_twice_leaves_one_file_and_one_record(
    shop, owner, exports_in_tmp, django_capture_on_commit_callbacks
):
    issued_invoices(shop, owner, 1)
    export = request_now(shop, owner, "test_invoices", capture=django_capture_on_commit_callbacks)

    tasks.export_build_task(export.pk)  # a second delivery of the same message
    services.export_build(export_id=export.pk)

    again = Export.objects.get(pk=export.pk)
    assert (again.sha256, again.file.name, again.attempts) == (export.sha256, export.file.name, 1)
    assert _files(exports_in_tmp) == [export.file.name]
    assert len(_events(export, "export.build")) == 1


def test_a_build_whose_worker_died_halfway_is_built_again_from_scratch(
    shop, owner, exports_in_tmp, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(kinds.CRASHES, "left", 1)
    monkeypatch.setattr(building, "PROGRESS_SECONDS", 0)  # every document reaches the row

    with pytest.raises(kinds.WorkerKilled):
        request_now(shop, owner, "test_crash", capture=django_capture_on_commit_callbacks)
    crashed = Export.objects.get(kind="test_crash")
    assert crashed.status == Export.Status.RUNNING and (crashed.progress_done, crashed.attempts) == (5, 1)
    assert _files(exports_in_tmp) == []  # the half-written file was only ever a temporary file

    export = services.export_build(export_id=crashed.pk)  # the message delivered again

    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.attempts == 2
    data = stored_bytes(export)
    assert data.decode().splitlines() == [f"document {n}" for n in range(1, 11)]
    assert export.sha256 == sha256_of(data) and _files(exports_in_tmp) == [export.file.name]


def test_an_export_that_killed_its_worker_every_time_is_failed_rather_than_built_again(
    shop, owner, exports_in_tmp, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(kinds.CRASHES, "left", building.MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks():
        export = ask(shop, owner, "test_crash")
    for _ in range(building.MAX_ATTEMPTS):
        with pytest.raises(kinds.WorkerKilled):
            services.export_build(export_id=export.pk)

    services.export_build(export_id=export.pk)  # delivered once more after the last death

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and "stopped 3 times" in export.error
    assert export.attempts == building.MAX_ATTEMPTS and _files(exports_in_tmp) == []


def test_a_build_taken_over_by_another_delivery_stops_and_keeps_no_file(
    shop, owner, exports_in_tmp, monkeypatch, django_capture_on_commit_callbacks
):
    def write(context: ExportContext) -> ExportResult:
        context.out.write(b"first half\n")
        context.progress(1, 2)
        # Meanwhile another delivery claims the export (the reaper thought this worker dead).
        Export.objects.filter(kind="test_overtaken").update(attempts=7)
        context.out.write(b"second half\n")
        context.progress(2, 2)
        return ExportResult(document_count=2)

    kind_installed(monkeypatch, ExportKind("test_overtaken", "Overtaken", "csv", "text/csv", write))
    export = request_now(shop, owner, "test_overtaken", capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.RUNNING and export.attempts == 7  # left to the build that took it
    assert _files(exports_in_tmp) == [] and _events(export, "export.build") == []


def test_a_file_store_that_fails_puts_the_export_back_in_the_queue_then_gives_up_with_a_message(
    shop, owner, exports_in_tmp, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("the store is down")  # an OSError, as botocore's and the disk's are

    monkeypatch.setattr(Export._meta.get_field("file").storage, "save", refuse)
    with django_capture_on_commit_callbacks():
        export = services.export_request(tenant=shop, actor=owner, kind_code="test_slow", period=this_month())
    with pytest.raises(OSError):  # raised for the task, which retries it with a backoff
        services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.QUEUED and export.error == building.STORE_RETRYING
    assert tasks.export_build_task.autoretry_for == (OSError,)

    services.export_give_up(export_id=export.pk, exc=ConnectionError("still down"))  # retries spent
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and export.error == building.STORE_FAILED
    assert _files(exports_in_tmp) == []


def test_progress_reaches_the_row_at_most_once_a_percent(
    shop, owner, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(building, "PROGRESS_SECONDS", 3600)  # only the percent steps count here
    with CaptureQueriesContext(connection) as captured:
        export = request_now(
            shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=1000
        )

    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "reports_export"')]
    progress = [sql for sql in updates if "progress_done" in sql and '"status"' not in sql.split("WHERE")[0]]
    assert 100 <= len(progress) <= 101  # 1,000 documents: one save per 10
    assert export.status == Export.Status.DONE and export.document_count == 1000


# --- what a request is checked for -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, period, options, field",
    [
        ("no_such_kind", None, {}, "kind"),
        ("test_slow", "next-month", {}, "period"),
        ("test_slow", ReturnPeriod.month(2017, 6), {}, "period"),
        ("test_slow", None, {"documents": "many"}, "documents"),
        ("test_slow", None, ["documents"], "options"),
    ],
)
def test_a_bad_request_is_refused_by_field_and_writes_nothing(
    shop, owner, kind, period, options, field, django_capture_on_commit_callbacks
):
    if period == "next-month":
        start = this_month().end + timedelta(days=1)
        period = ReturnPeriod.month(start.year, start.month)
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as refused:
        services.export_request(
            tenant=shop, actor=owner, kind_code=kind, period=period or this_month(), options=options
        )
    assert field in refused.value.message_dict
    assert Export.objects.count() == 0 and AuditEvent.objects.count() == events and callbacks == []


def test_a_staff_member_may_not_export(shop, staff_user):
    with pytest.raises(RoleNotAllowedError, match="Only owners and admins"):
        services.export_request(tenant=shop, actor=staff_user, kind_code="test_slow", period=this_month())
    assert Export.objects.count() == 0


def test_an_admin_may_export(shop, admin_user, django_capture_on_commit_callbacks):
    export = request_now(shop, admin_user, "test_slow", capture=django_capture_on_commit_callbacks)
    assert export.status == Export.Status.DONE and export.requested_by == admin_user


def test_a_personal_workspace_has_no_returns(owner):
    builds = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side builds")
    with pytest.raises(ExportNotOffered):
        services.export_request(tenant=builds, actor=owner, kind_code="test_slow", period=this_month())
    assert Export.objects.count() == 0


# --- expiry and the reaper -------------------------------------------------------------------------


def test_the_expiry_job_removes_the_files_past_their_week_and_keeps_the_records(
    shop, owner, exports_in_tmp, django_capture_on_commit_callbacks
):
    old = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=2)
    fresh = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks, documents=3)
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert services.exports_expired_remove() == 1

    old.refresh_from_db(), fresh.refresh_from_db()
    assert old.status == Export.Status.EXPIRED and old.file.name == ""
    assert old.sha256 and old.document_count == 2 and old.file_name  # the record of what was exported
    assert fresh.status == Export.Status.DONE and _files(exports_in_tmp) == [fresh.file.name]
    assert services.exports_expired_remove() == 0
    assert tasks.exports_expired_remove_task() == 0


@pytest.mark.usefixtures("exports_in_s3")
def test_the_expiry_job_deletes_the_object_in_s3(shop, owner, django_capture_on_commit_callbacks):
    export = request_now(shop, owner, "test_slow", capture=django_capture_on_commit_callbacks)
    storage = export.file.storage
    assert storage.exists(export.file.name) and export.sha256 == sha256_of(stored_bytes(export))
    name = export.file.name

    services.exports_expired_remove(now=export.expires_at + timedelta(seconds=1))

    assert not storage.exists(name)
    assert Export.objects.get(pk=export.pk).status == Export.Status.EXPIRED


def test_the_reaper_sends_again_what_a_lost_message_or_a_dead_worker_left(
    shop, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # queued, but the message never reaches a worker
        lost = services.export_request(tenant=shop, actor=owner, kind_code="test_slow", period=this_month())
        waiting = services.export_request(
            tenant=shop, actor=owner, kind_code="test_slow", period=this_month(), options={"documents": 2}
        )
        dead = services.export_request(
            tenant=shop, actor=owner, kind_code="test_slow", period=this_month(), options={"documents": 3}
        )
        hopeless = services.export_request(
            tenant=shop, actor=owner, kind_code="test_slow", period=this_month(), options={"documents": 4}
        )
    now = timezone.now()
    Export.objects.filter(pk=lost.pk).update(updated_at=now - timedelta(minutes=3))
    Export.objects.filter(pk=dead.pk).update(
        status="running", attempts=1, updated_at=now - timedelta(minutes=6)
    )
    Export.objects.filter(pk=hopeless.pk).update(
        status="running", attempts=building.MAX_ATTEMPTS, updated_at=now - timedelta(minutes=6)
    )

    assert services.exports_reap() == 2  # sent again; here tasks run at once

    states = dict(Export.objects.values_list("pk", "status"))
    assert states[lost.pk] == states[dead.pk] == Export.Status.DONE
    assert states[waiting.pk] == Export.Status.QUEUED  # queued a moment ago: its message is on its way
    hopeless.refresh_from_db()
    assert hopeless.status == Export.Status.FAILED and "gave up" in hopeless.error
    assert services.exports_reap() == 0


def test_the_build_task_goes_to_the_reports_queue_and_the_jobs_are_scheduled(settings):
    from config.celery import app

    assert app.amqp.router.route({}, tasks.export_build_task.name)["queue"].name == "reports"
    scheduled = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {tasks.exports_reap_task.name, tasks.exports_expired_remove_task.name} <= scheduled
    assert tasks.export_build_task.acks_late and tasks.export_build_task.reject_on_worker_lost


def test_a_kind_is_registered_once():
    kind = ExportKind("test_slow", "Another", "csv", "text/csv", kinds.slow_write)
    with pytest.raises(ValueError, match="registered twice"):
        export_kind_register(kind)


def test_gstr1_json_is_built_end_to_end_through_the_machinery(
    shop, owner, other_shop, other_owner, django_capture_on_commit_callbacks
):
    issued_invoices(shop, owner, 2, amount="1000")
    issued_invoices(other_shop, other_owner, 1)

    export = request_now(shop, owner, "gstr1_json", capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.DONE, (export.error, export.problems)
    data = stored_bytes(export)
    body = json.loads(data)
    assert body["gstin"] == shop.gstin and body["fp"] == this_month().fp
    assert export.document_count == 2 and export.sha256 == sha256_of(data)
    assert export.file_name == f"gstr1-json-{shop.gstin}-{this_month().code}.json"
    b2cs_taxable = sum(Decimal(str(row["txval"])) for row in body["b2cs"])
    assert b2cs_taxable == Decimal("2000.00")  # the stored values of this shop's two bills, summed


@pytest.mark.parametrize("kind, extension", [("gstr1_csv", "zip"), ("gstr3b", "csv")])
def test_the_gstr1_sheets_and_the_gstr3b_summary_are_built_through_the_machinery(
    shop, owner, kind, extension, django_capture_on_commit_callbacks
):
    issued_invoices(shop, owner, 2, amount="1000")

    export = request_now(shop, owner, kind, capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.DONE, (export.error, export.problems)
    data = stored_bytes(export)
    assert export.sha256 == sha256_of(data) and export.file.name.endswith(f".{extension}")
    if extension == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None and archive.namelist()
