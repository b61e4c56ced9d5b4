"""An export built by a real Celery worker process, its progress read from this process while it runs."""

from __future__ import annotations

import time

import pytest
from django.core.files.storage import FileSystemStorage

from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Export
from tests.reports import kinds
from tests.reports.exports_helpers import sha256_of, this_month
from tests.workers import running_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DOCUMENTS = 40


def test_a_worker_builds_an_export_and_its_progress_shows_from_another_connection_as_it_goes(
    tmp_path, tenant, owner, monkeypatch
):
    # The worker keeps its files under its own var folder; this process reads them from there.
    monkeypatch.setattr(
        Export._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "media" / "exports")
    )
    seen: list[tuple[str, int, int | None]] = []
    with running_worker(tmp_path, extra_env={"CELERY_IMPORTS": "tests.reports.kinds"}):
        export = services.export_request(  # committed at once: the build is queued for the worker
            tenant=tenant, actor=owner, kind_code=kinds.SLOW.code, period=this_month(),
            options={"documents": DOCUMENTS, "delay": 0.15},
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            row = Export.objects.values_list("status", "progress_done", "progress_total").get(pk=export.pk)
            seen.append(row)
            if row[0] not in Export.ACTIVE:
                break
            time.sleep(0.1)
        wait_for(
            lambda: Export.objects.get(pk=export.pk).is_finished, 5, "the build did not finish", tmp_path
        )

    export.refresh_from_db()
    assert export.status == Export.Status.DONE, (export.error, (tmp_path / "worker.log").read_text()[-3000:])
    running = [done for status, done, total in seen if status == "running" and total == DOCUMENTS]
    assert any(0 < done < DOCUMENTS for done in running), seen  # part-way, seen while the build went on
    assert running == sorted(running) and len(set(running)) >= 3  # rising, step by step
    data = export.file.storage.open(export.file.name).read()
    assert data.decode().splitlines() == [f"document {n}" for n in range(1, DOCUMENTS + 1)]
    assert export.sha256 == sha256_of(data) and export.document_count == DOCUMENTS
    assert AuditEvent.objects.filter(action="export.build", target_id=str(export.pk)).count() == 1
    log = (tmp_path / "worker.log").read_text()
    assert "export_build_task" in log
