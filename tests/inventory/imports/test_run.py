"""Running a checked import (`services/imports/__init__.py`): all or the good rows, once, audited; old files purged."""

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.core.context import RequestMeta, acting_via_var, request_meta_var
from apps.inventory.exceptions import StockImportAlreadyRun
from apps.inventory.models import StockImport, StockItem
from apps.inventory.services import stock_import_run
from tests.inventory.imports.rows import check, counts, csv_bytes, existing, where

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_in_tmp")]


def test_run_with_good_rows_only_imports_exactly_the_good_rows(tenant, owner):
    rows = [{"sku": "G-1"}, {"sku": "B-1", "purity": "nope"}, {"sku": "G-2", "huid": "zz9zz9"}]
    stock_import = check(tenant, owner, rows)
    stock_import = stock_import_run(
        tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True
    )
    assert sorted(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == ["G-1", "G-2"]
    assert (stock_import.rows_total, stock_import.rows_good, stock_import.rows_imported) == (3, 2, 2)
    assert stock_import.good_rows_only and where(stock_import) == [(3, "purity")]
    creates = AuditEvent.objects.for_tenant(tenant).filter(action="stock.create").order_by("id")
    assert [e.target_id for e in creates] == [
        str(i.pk) for i in StockItem.objects.for_tenant(tenant).order_by("sku")
    ]
    assert creates[1].summary.startswith("Added G-2 “Gold chain” (22K916, 10.000 g net), HUID ZZ9ZZ9")
    event = AuditEvent.objects.for_tenant(tenant).get(action="stock.import")
    assert (
        event.summary == "Imported stock.csv: 2 added, 0 updated, 0 unchanged; 1 rows with problems left out"
    )
    assert (event.target_type, event.target_id) == ("inventory.stockimport", str(stock_import.pk))


def test_run_without_good_rows_only_raises_and_writes_nothing(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "G-1"}, {"sku": "B-1", "gross_weight": "0"}])
    before = counts(tenant)
    with pytest.raises(ValidationError) as exc:
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert "Nothing was imported: 1 of 2 rows have errors" in exc.value.messages[0]
    assert exc.value.messages[1].startswith("Row 3, gross_weight:")
    assert counts(tenant) == before
    stock_import.refresh_from_db()
    assert stock_import.status == "checked" and stock_import.rows_imported == 0


def test_run_checks_again_against_the_stock_as_it_is_now(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "G-1"}, {"sku": "G-2"}])
    assert stock_import.rows_good == 2
    existing(tenant, owner, sku="G-2")  # entered by hand after the check
    before = counts(tenant)
    with pytest.raises(ValidationError) as exc:
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert (
        "Row 3, sku: SKU G-2 was added to the stock after this file was checked. "
        "Upload the file again to see what it would change now."
    ) in exc.value.messages
    assert counts(tenant) == before
    stock_import = stock_import_run(
        tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True
    )
    assert stock_import.rows_imported == 1 and where(stock_import) == [(3, "sku")]


def test_good_rows_only_with_no_good_row_raises(tenant, owner):
    stock_import = check(tenant, owner, [{"purity": "?"}])
    with pytest.raises(ValidationError, match="none of the 1 rows"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import, good_rows_only=True)
    assert counts(tenant)[0] == 0


def test_running_twice_raises(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "T-1"}])
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    before = counts(tenant)
    with pytest.raises(StockImportAlreadyRun, match="was already imported on"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert counts(tenant) == before


def test_import_events_carry_the_request_facts(tenant, owner):
    stock_import = check(tenant, owner, [{"sku": "M-1"}])
    meta = request_meta_var.set(RequestMeta(request_id="req-1", ip_address="203.0.113.9", user_agent="UA/1"))
    via = acting_via_var.set("key tj_1a2b3c4d")
    try:
        stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    finally:
        request_meta_var.reset(meta)
        acting_via_var.reset(via)
    events = AuditEvent.objects.for_tenant(tenant).filter(action__in=["stock.create", "stock.import"])
    assert {(e.ip_address, e.user_agent, e.request_id, e.actor_id, e.actor_label) for e in events} == {
        ("203.0.113.9", "UA/1", "req-1", owner.pk, "owner@shop-a.in via key tj_1a2b3c4d")
    }
    assert events.count() == 2


@pytest.mark.postgres
def test_ten_thousand_rows_land_with_a_bounded_number_of_queries(
    tenant, owner, django_assert_max_num_queries
):
    existing(tenant, owner, sku="B-00000")
    purities = ["22K916", "18K750", "Silver 925", "24K"]
    rows = [
        {
            "sku": f"B-{i:05d}" if i % 10 else "",
            "name": f"Article {i}",
            "purity": purities[i % 4],
            "gross_weight": f"{1 + i % 50}.{i % 1000:03d}",
            "huid": f"H{i:05d}" if i % 4 in (0, 1) and i % 10 else "",
        }
        for i in range(1, 10_001)
    ]
    data = csv_bytes(rows)
    with django_assert_max_num_queries(20):
        stock_import = check(tenant, owner, data=data)
    assert (stock_import.rows_total, stock_import.rows_good, stock_import.error_count) == (10_000, 10_000, 0)
    with django_assert_max_num_queries(40):
        stock_import = stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert stock_import.rows_imported == 10_000
    assert StockItem.objects.for_tenant(tenant).count() == 10_001
    assert AuditEvent.objects.for_tenant(tenant).filter(action="stock.create").count() == 10_001
    assert StockItem.objects.for_tenant(tenant).exclude(huid="").count() == 4_500


def test_files_past_their_keeping_time_are_deleted_and_their_records_kept(
    tenant, owner, imports_in_tmp, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.inventory.tasks import stock_import_files_purge_task

    settings.STOCK_IMPORT_FILE_DAYS = 30
    old = check(tenant, owner, [{"sku": "G-1"}, {"sku": "B-1", "purity": "nope"}])
    recent = check(tenant, owner, [{"sku": "G-2"}])
    StockImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    old_file, recent_file = imports_in_tmp / old.file.name, imports_in_tmp / recent.file.name
    assert old_file.exists() and recent_file.exists()

    assert stock_import_files_purge_task() == 1
    old.refresh_from_db(), recent.refresh_from_db()
    assert not old_file.exists() and old.file.name == "" and old.rows_total == 2 and old.error_count == 1
    assert recent_file.exists() and recent.file.name
    assert stock_import_files_purge_task() == 0

    before = counts(tenant)
    with pytest.raises(ValidationError, match="removed 30 days after it was uploaded"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=old, good_rows_only=True)
    assert counts(tenant) == before


def test_an_import_whose_file_was_removed_says_so_on_its_page(owner_client, tenant, owner):
    from django.urls import reverse

    stock_import = check(tenant, owner, [{"sku": "G-1"}, {"sku": "B-1", "purity": "nope"}])
    StockImport.objects.filter(pk=stock_import.pk).update(file="")
    page = owner_client.get(reverse("inventory:import_detail", args=[stock_import.pk])).content.decode()
    assert "The uploaded file has been removed" in page and "good row" not in page
