"""The CSV format (`services/imports/csv_format.py`): the template and exports import cleanly."""

from decimal import Decimal

import pytest

from apps.inventory.models import Purity, StockItem
from apps.inventory.selectors import stock_item_list
from apps.inventory.services import (
    CSV_COLUMNS,
    stock_csv_template,
    stock_export_rows,
    stock_import_run,
)
from tests.inventory.imports.rows import check, existing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_in_tmp")]


def test_template_imports_cleanly(tenant, owner):
    stock_import = check(tenant, owner, data=stock_csv_template().encode())
    assert (stock_import.status, stock_import.rows_total, stock_import.rows_good) == ("checked", 2, 2)
    assert stock_import.errors == [] and stock_import.error_count == 0
    stock_import = stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    assert (stock_import.status, stock_import.rows_imported) == ("imported", 2)
    assert stock_import.imported_at is not None
    ring = StockItem.objects.for_tenant(tenant).get(sku="R-1001")
    assert (ring.huid, ring.hallmark_status, ring.net_weight, ring.making_charge_type) == (
        "AB12CD",
        "hallmarked",
        Decimal("5.100"),
        "per_gram",
    )
    assert ring.hsn_code == "7113" and ring.ready_for_sale and ring.created_by == owner
    pin = StockItem.objects.for_tenant(tenant).get(name="Gold nose pin")
    assert pin.sku.startswith("TJ-") and pin.purity.label == "22K916"
    assert (pin.hallmark_status, pin.exemption) == ("exempt", "under_2g")


def test_export_imports_unchanged_into_another_shop(tenant, owner, other_tenant, other_owner):
    existing(tenant, owner, sku="X-1", name="Plain ring")
    existing(tenant, owner, sku="=2+2", name='Haar, "Rani" set', huid="hu1d01", stone_weight="0.25",
             making_charge_type="flat", making_charge_value="1,200.50", stone_value="99.99", ready_for_sale=True)  # fmt: skip
    existing(tenant, owner, sku="X-3", name="-Nose pin", gross_weight="1.2", hallmark_status="exempt",
             exemption="under_2g", stock_status="reserved")  # fmt: skip
    existing(tenant, owner, sku="X-4", name="Payal", purity=Purity.objects.get(metal="silver", fineness=925),
             category="other", hsn_code="7117", hallmark_status="at_centre")  # fmt: skip
    exported = "".join(stock_export_rows(stock_item_list(tenant=tenant).order_by("sku")))
    assert exported.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert "'=2+2" in exported and "'-Nose pin" in exported  # not run as formulas by a spreadsheet

    stock_import = check(other_tenant, other_owner, data=exported.encode())
    assert stock_import.errors == []
    stock_import_run(tenant=other_tenant, actor=other_owner, stock_import=stock_import)
    again = "".join(stock_export_rows(stock_item_list(tenant=other_tenant).order_by("sku")))
    assert again == exported

    fields = [f for f in CSV_COLUMNS if f != "purity"] + ["purity_id", "net_weight"]
    assert list(stock_item_list(tenant=other_tenant).order_by("sku").values_list(*fields)) == list(
        stock_item_list(tenant=tenant).order_by("sku").values_list(*fields)
    )


def test_export_is_streamed_in_chunks_with_one_query(tenant, owner, django_assert_num_queries):
    for i in range(3):
        existing(tenant, owner, sku=f"Q-{i}")
    rows = stock_export_rows(StockItem.objects.for_tenant(tenant).order_by("sku"))
    with django_assert_num_queries(1):
        lines = list(rows)
    assert len(lines) == 4 and lines[1].startswith("Q-0,Ring,Other,22K916,4.000,0.000,Per gram,")
