"""Bounds on what a shop types, the same on every channel: the article page, the API and the CSV import.

HSN codes are 4, 6 or 8 digits; making charges are bounded; dates lie between 2000 and 2099; and a
CSV cell with a control character is reported by row and column, so that what the check passes,
the run imports.
"""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.core.validators import control_character
from apps.inventory.models import HallmarkBatch, MetalRate, Purity, StockImport, StockItem
from apps.inventory.services import (
    CSV_COLUMNS,
    bis_registration_update,
    stock_import_check,
    stock_import_run,
    stock_item_create,
)
from tests.inventory.factories import item_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_in_tmp")]


def p22() -> Purity:
    return Purity.objects.get(metal="gold", karat="22K")


def csv_file(rows: list[dict], header=CSV_COLUMNS) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    base = {"name": "Gold chain", "category": "Chain", "purity": "22K916", "gross_weight": "10"}
    for row in rows:
        writer.writerow([{**base, **row}.get(column, "") for column in CSV_COLUMNS])
    return SimpleUploadedFile("stock.csv", buffer.getvalue().encode(), "text/csv")


def api_create(api, **values):
    return api.post(
        "/api/v1/stock-items", {"name": "Haar", "purity": p22().pk, "gross_weight": "12.5", **values}
    )


# --- control characters in a CSV file --------------------------------------------------------------


def test_csv_cells_with_control_characters_are_errors_by_row_and_column_and_the_run_agrees(tenant, owner):
    upload = csv_file(
        [
            {"sku": "G-1"},
            {"sku": "G-2", "name": "Gold\x00chain"},
            {"sku": "G-3\x1b[2J"},
            {"sku": "G-4", "name": "Gold\nchain", "category": "Ch\x7fain"},
            {"sku": "G-5"},
        ]
    )
    checked = stock_import_check(tenant=tenant, actor=owner, upload=upload)
    assert checked.status == StockImport.Status.CHECKED
    assert [(e["row"], e["column"]) for e in checked.errors] == [
        (3, "name"), (4, "sku"), (5, "name"), (5, "category"),
    ]  # fmt: skip
    assert "U+0000 (NUL)" in checked.errors[0]["message"] and "one line" in checked.errors[2]["message"]
    assert all(control_character(e["message"]) is None for e in checked.errors)  # nothing echoed back
    assert (checked.rows_total, checked.rows_good) == (5, 2)

    with pytest.raises(ValidationError, match="3 of 5 rows have errors"):
        stock_import_run(tenant=tenant, actor=owner, stock_import=checked)
    assert not StockItem.objects.for_tenant(tenant).exists()
    imported = stock_import_run(tenant=tenant, actor=owner, stock_import=checked, good_rows_only=True)
    assert imported.rows_imported == 2
    assert sorted(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == ["G-1", "G-5"]


def test_a_control_character_in_the_header_makes_the_file_unreadable(tenant, owner):
    header = [*CSV_COLUMNS[:1], "na\x00me", *CSV_COLUMNS[2:]]
    checked = stock_import_check(tenant=tenant, actor=owner, upload=csv_file([{}], header=header))
    assert checked.status == StockImport.Status.FAILED
    assert [(e["row"], e["column"]) for e in checked.errors] == [(1, "column 2")]
    assert control_character(checked.errors[0]["message"]) is None


def test_the_import_page_lists_the_bad_cell_and_imports_nothing(owner_client, tenant):
    response = owner_client.post(reverse("inventory:import"), {"file": csv_file([{"name": "Ring\x00"}])})
    assert response.status_code == 302
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert [(e["row"], e["column"]) for e in stock_import.errors] == [(2, "name")]
    page = owner_client.get(response.url).content.decode()
    assert "U+0000" in page
    assert not StockItem.objects.for_tenant(tenant).exists()


# --- HSN ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hsn", ["71AB", "7113A", "12345", "7", "HSN7113", "1234567"])
def test_hsn_must_be_4_6_or_8_digits_on_every_channel(owner_client, api, tenant, owner, hsn):
    response = owner_client.post(reverse("inventory:stock_create"), item_post(hsn_code=hsn))
    assert response.status_code == 422
    assert "4, 6 or 8 digits" in response.context["form"].errors["hsn_code"][0]

    response = api_create(api, hsn_code=hsn)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["hsn_code"]

    checked = stock_import_check(tenant=tenant, actor=owner, upload=csv_file([{"hsn_code": hsn}]))
    assert [(e["row"], e["column"]) for e in checked.errors] == [(2, "hsn_code")]
    assert not StockItem.objects.for_tenant(tenant).exists()


@pytest.mark.parametrize("hsn, stored", [("7113", "7113"), ("7113 19", "711319"), ("7113.19.10", "71131910")])
def test_hsn_written_in_groups_is_stored_as_its_digits(api, tenant, hsn, stored):
    response = api_create(api, hsn_code=hsn)
    assert response.status_code == 201, response.json()
    assert response.json()["hsn_code"] == stored


# --- making charges ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, value, ok",
    [
        ("percent", "35", True),
        ("percent", "100", True),
        ("percent", "100.01", False),
        ("percent", "5000", False),
        ("per_gram", "1500", True),
        ("per_gram", "10000.01", False),
        ("flat", "250000", True),
    ],
)
def test_making_charge_is_bounded_on_every_channel(owner_client, api, tenant, owner, kind, value, ok):
    response = api_create(api, making_charge_type=kind, making_charge_value=value)
    assert response.status_code == (201 if ok else 400), response.json()
    if ok:
        return
    assert list(response.json()["fields"]) == ["making_charge_value"]
    assert "check the amount" in response.json()["fields"]["making_charge_value"][0]

    page = item_post(making_charge_type=kind, making_charge_value=value)
    response = owner_client.post(reverse("inventory:stock_create"), page)
    assert response.status_code == 422 and "making_charge_value" in response.context["form"].errors

    upload = csv_file([{"making_charge_type": kind, "making_charge_value": value}])
    checked = stock_import_check(tenant=tenant, actor=owner, upload=upload)
    assert [(e["row"], e["column"]) for e in checked.errors] == [(2, "making_charge_value")]
    assert not StockItem.objects.for_tenant(tenant).exists()


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_dates_before_2000_are_refused_with_a_clear_message(owner_client, api, tenant, owner, day):
    response = api.post(
        "/api/v1/metal-rates", {"purity": p22().pk, "rate_per_gram": "6500", "effective_on": day}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"effective_on": ["The rate's day can't be before 1 January 2000."]}
    response = owner_client.post(
        reverse("inventory:rates"), {"effective_on": day, f"rate_{p22().pk}": "6500"}
    )
    assert response.status_code == 422 and "1 January 2000" in str(response.context["form"].errors)
    assert not MetalRate.objects.for_tenant(tenant).exists()

    item = stock_item_create(tenant=tenant, actor=owner, name="Ring", purity=p22(), gross_weight="5")
    body = {"centre_name": "AHC", "request_number": "R-1", "sent_on": day, "item_ids": [item.pk]}
    response = api.post("/api/v1/hallmark-batches", body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"sent_on": ["The date sent can't be before 1 January 2000."]}
    assert not HallmarkBatch.objects.for_tenant(tenant).exists()


def test_far_future_dates_are_refused(api, tenant, owner):
    response = api.post(
        "/api/v1/api-keys", {"name": "sync", "role": "staff", "expires_at": "9999-12-31T00:00:00Z"}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"expires_at": ["The expiry can't be after 31 December 2099."]}
    with pytest.raises(ValidationError, match="31 December 2099"):
        bis_registration_update(tenant=tenant, actor=owner, number="HM/C-1234", valid_until=date(2150, 1, 1))
    assert (
        bis_registration_update(
            tenant=tenant,
            actor=owner,
            number="HM/C-1234",
            valid_until=timezone.localdate().replace(year=2030),
        ).bis_registration_valid_until.year
        == 2030
    )
