"""The import pages (`views/imports.py`): upload and check, what it will do, the run, the template and export."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.inventory.models import Purity, StockImport, StockItem
from apps.inventory.services import CSV_COLUMNS, stock_item_create

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def make_item(tenant, actor, **values):
    values = {"name": "Chain", "category": "chain", "purity": p22(), "gross_weight": "10", **values}
    return stock_item_create(tenant=tenant, actor=actor, **values)


def _csv(*rows: str) -> SimpleUploadedFile:
    header = ",".join(CSV_COLUMNS)
    return SimpleUploadedFile("stock.csv", "\n".join([header, *rows]).encode(), "text/csv")


def _row(sku, name="Ring", purity="22K916", gross="4.000", huid=""):
    values = {"sku": sku, "name": name, "purity": purity, "gross_weight": gross, "huid": huid}
    return ",".join(values.get(column, "") for column in CSV_COLUMNS)


@pytest.mark.usefixtures("imports_in_tmp")
def test_an_upload_is_checked_and_imported_only_when_asked(owner_client, tenant):
    response = owner_client.post(reverse("inventory:import"), {"file": _csv(_row("I-1"), _row("I-2"))})
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert response["Location"] == reverse("inventory:import_detail", args=[stock_import.pk])
    assert stock_import.status == "checked" and not StockItem.objects.for_tenant(tenant).exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Ready to import" in page and "2 to add, 0 to update, 0 unchanged." in page

    response = owner_client.post(response["Location"], follow=True)
    assert "Imported: 2 added, 0 updated." in response.content.decode()
    assert "2 articles added to stock on" in response.content.decode()
    assert set(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == {"I-1", "I-2"}


@pytest.mark.usefixtures("imports_in_tmp")
def test_a_file_with_mistakes_imports_nothing_until_the_good_rows_are_chosen(owner_client, tenant):
    data = _csv(_row("G-1"), _row("B-1", huid="AB1"), _row("G-2"), _row("B-2", purity="21K"))
    response = owner_client.post(reverse("inventory:import"), {"file": data})
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert stock_import.status == "checked" and not StockItem.objects.for_tenant(tenant).exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Nothing has been imported yet" in page and "Import the good rows: add 2 articles" in page
    problems = {(e["row"], e["column"]) for e in stock_import.errors}
    assert problems == {(3, "huid"), (5, "purity")}
    assert '<td data-label="Row" class="num">3</td>' in page

    response = owner_client.post(reverse("inventory:import_detail", args=[stock_import.pk]))
    assert response.status_code == 302
    assert set(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == {"G-1", "G-2"}
    # Running it again is refused with a message, not an error page.
    again = owner_client.post(reverse("inventory:import_detail", args=[stock_import.pk]), follow=True)
    assert again.status_code == 200 and StockItem.objects.for_tenant(tenant).count() == 2


@pytest.mark.usefixtures("imports_in_tmp")
def test_an_unreadable_file_is_explained(owner_client, tenant):
    bad = SimpleUploadedFile("stock.csv", b"name;purity\nRing;22K916\n", "text/csv")
    response = owner_client.post(reverse("inventory:import"), {"file": bad}, follow=True)
    assert "commas" in response.content.decode()
    assert not StockItem.objects.exists()


def test_template_and_export_are_csv_that_spreadsheets_read_as_utf8(owner_client, tenant, owner):
    template = owner_client.get(reverse("inventory:import_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode().startswith("\ufeff" + ",".join(CSV_COLUMNS))
    make_item(tenant, owner, sku="EX-1", name="Ring", gross_weight="5")
    make_item(tenant, owner, sku="EX-2", name="Bangle", gross_weight="25", huid="EXP001")
    export = owner_client.get(reverse("inventory:stock_export"), {"hallmark_status": "hallmarked"})
    assert "attachment" in export["Content-Disposition"]
    lines = b"".join(export.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert len(lines) == 2 and lines[1].startswith("EX-2,Bangle,")


@pytest.mark.usefixtures("imports_in_tmp")
def test_the_page_shows_what_each_row_changes_and_refuses_a_sold_article(owner_client, tenant, owner):
    make_item(tenant, owner, sku="EX-1", name="Ring", gross_weight="5")
    make_item(tenant, owner, sku="EX-2", name="Bangle", gross_weight="25", huid="EXP001")
    make_item(
        tenant, owner, sku="EX-3", name="Sold chain", gross_weight="12", huid="EXP003", stock_status="sold"
    )
    export = owner_client.get(reverse("inventory:stock_export"), {"ordering": "sku"})
    lines = b"".join(export.streaming_content).decode().lstrip("\ufeff").splitlines()
    lines[1] = lines[1].replace(",5.000,", ",5.500,")
    lines[3] = lines[3].replace(",12.000,", ",11.000,")
    upload = SimpleUploadedFile("edited.csv", "\n".join([*lines, _row("EX-4")]).encode(), "text/csv")
    response = owner_client.post(reverse("inventory:import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Nothing has been imported yet" in page
    assert "1 to add, 1 to update, 1 unchanged" in page
    assert "gross_weight:</span> 5.000 → <strong>5.500</strong>" in page
    assert "SKU EX-3 is sold: an import does not change sold articles." in page
    stock_import = StockImport.objects.for_tenant(tenant).get()
    owner_client.post(reverse("inventory:import_detail", args=[stock_import.pk]))
    items = {i.sku: i for i in StockItem.objects.for_tenant(tenant)}
    assert (items["EX-1"].gross_weight, items["EX-3"].gross_weight) == (Decimal("5.500"), Decimal("12.000"))
    assert "EX-4" in items


@pytest.mark.postgres
def test_the_export_is_read_as_the_shop_after_the_view_has_returned(owner_client, tenant, owner):
    from apps.core.rls import request_scope

    make_item(tenant, owner, sku="EX-1", name="Ring", gross_weight="5")
    export = owner_client.get(reverse("inventory:stock_export"))
    with request_scope():  # as a server reads a streamed body: the request no longer names a tenant
        lines = b"".join(export.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and lines[1].startswith("EX-1,Ring,")
