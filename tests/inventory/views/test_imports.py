"""The import pages (`views/imports.py`): upload, the good rows, the template and export."""

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
def test_a_clean_file_is_imported_at_once(owner_client, tenant):
    response = owner_client.post(reverse("inventory:import"), {"file": _csv(_row("I-1"), _row("I-2"))})
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert response["Location"] == reverse("inventory:import_detail", args=[stock_import.pk])
    assert stock_import.status == "imported"
    assert set(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == {"I-1", "I-2"}
    page = owner_client.get(response["Location"]).content.decode()
    assert "2 articles added to stock" in page


@pytest.mark.usefixtures("imports_in_tmp")
def test_a_file_with_mistakes_imports_nothing_until_the_good_rows_are_chosen(owner_client, tenant):
    data = _csv(_row("G-1"), _row("B-1", huid="AB1"), _row("G-2"), _row("B-2", purity="21K"))
    response = owner_client.post(reverse("inventory:import"), {"file": data})
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert stock_import.status == "checked" and not StockItem.objects.for_tenant(tenant).exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Nothing has been imported yet" in page and "Import the 2 good rows" in page
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
