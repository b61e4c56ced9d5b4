"""The stock round trip in real headless Chromium: export, change a cell, upload, read what will change, import."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.inventory.models import Purity, StockItem
from apps.inventory.services import stock_item_create
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("imports_in_tmp"),
]


def _login(page, base, email):
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def shop():
    owner = UserFactory(email="owner@roundtrip.in", full_name="Ritu Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Round Trip Jewellers", state_code="27")
    gold = Purity.objects.get(metal="gold", fineness=916)
    silver = Purity.objects.get(metal="silver", fineness=925)
    stock_item_create(tenant=shop, actor=owner, sku="RT-1", name="Lotus ring", purity=gold, gross_weight="5")
    stock_item_create(tenant=shop, actor=owner, sku="RT-2", name="Temple bangle, antique", purity=gold,
                      gross_weight="24.5", stone_weight="1.2", making_charge_type="percent",
                      making_charge_value="14", huid="TMP002", ready_for_sale=True)  # fmt: skip
    stock_item_create(tenant=shop, actor=owner, sku="RT-3", name="Payal", purity=silver, gross_weight="62")
    stock_item_create(tenant=shop, actor=owner, sku="RT-4", name="Sold chain", purity=gold, gross_weight="12",
                      huid="SLD004", ready_for_sale=True, stock_status="sold")  # fmt: skip
    return owner, shop


def test_export_change_a_weight_import_it_back_and_see_it_on_the_article(
    browser, page, live_server, shop, tmp_path
):
    owner, tenant = shop
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {row["sku"] for row in rows} == {"RT-1", "RT-2", "RT-3", "RT-4"}
    for row in rows:
        if row["sku"] == "RT-1":
            assert row["gross_weight"] == "5.000"
            row["gross_weight"] = "5.750"
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    page.get_by_role("navigation", name="Stock & HUID").get_by_role("link", name="Import").click()
    page.screenshot(path=str(tmp_path / "import-page-1280.png"), full_page=True)
    page.get_by_label("CSV file").set_input_files(
        {"name": "my-stock.csv", "mimeType": "text/csv", "buffer": edited.getvalue().encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/stock/import/\d+/$"))
    expect(page.get_by_role("heading", name="Ready to import")).to_be_visible()
    expect(page.get_by_text("0 to add, 1 to update, 3 unchanged.")).to_be_visible()
    change = page.locator("td[data-label=Changes]")
    expect(change).to_have_count(1)
    expect(change).to_have_text("gross_weight: 5.000 → 5.750")
    assert StockItem.objects.for_tenant(tenant).get(sku="RT-1").gross_weight == Decimal("5.000")  # not yet

    page.screenshot(path=str(tmp_path / "import-preview-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the preview scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(tmp_path / "import-preview-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Import: update 1 article").click()
    expect(page.get_by_text("Imported: 0 added, 1 updated.")).to_be_visible()
    expect(page.get_by_role("heading", name="Articles updated")).to_be_visible()
    page.screenshot(path=str(tmp_path / "import-done-1280.png"), full_page=True)
    page.get_by_role("link", name="RT-1").click()
    page.wait_for_url(re.compile(r"/stock/\d+/$"))
    gross = page.locator("dt", has_text=re.compile("^Gross weight$")).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(gross).to_have_text("5.750 g")
    page.screenshot(path=str(tmp_path / "article-after-1280.png"), full_page=True)
    items = {item.sku: item for item in StockItem.objects.for_tenant(tenant)}
    assert (items["RT-1"].gross_weight, items["RT-1"].net_weight) == (Decimal("5.750"), Decimal("5.750"))
    assert items["RT-4"].stock_status == "sold" and items["RT-4"].gross_weight == Decimal("12.000")


def test_a_file_with_problems_lists_them_by_row_and_imports_only_the_good_rows(
    browser, page, live_server, shop, tmp_path
):
    owner, tenant = shop
    before = {item.sku: item.updated_at for item in StockItem.objects.for_tenant(tenant)}
    header = "sku,name,category,purity,gross_weight,stone_weight,making_charge_type,making_charge_value,stone_value,hsn_code,huid,hallmark_status,exemption,ready_for_sale,stock_status"
    data = "\n".join([
        header,
        "RT-4,Sold chain,Other,22K916,11.000,0.000,Per gram,0.00,0.00,7113,SLD004,Hallmarked,,yes,In stock",
        "RT-3,Payal,Other,Silver 925,62 grams,0.000,Per gram,0.00,0.00,7106,,Pending,,no,In stock",
        "RT-2,\"Temple bangle, antique\",Other,22K916,24.500,1.200,Percent of metal value,16,0.00,7113,TMP002,Hallmarked,,yes,In stock",
        "RT-9,Gold nose pin,Other,22K,1.200,,Flat,300,,,,Exempt,Under 2 grams,yes,In stock",
    ])  # fmt: skip
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/import/")
    page.get_by_label("CSV file").set_input_files(
        {"name": "mixed.csv", "mimeType": "text/csv", "buffer": data.encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/stock/import/\d+/$"))
    expect(page.get_by_role("heading", name="Nothing has been imported yet")).to_be_visible()
    expect(page.get_by_text("1 to add, 1 to update, 0 unchanged")).to_be_visible()
    problems = page.locator("table", has=page.get_by_role("columnheader", name="Problem")).locator("tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("SKU RT-4 is sold: an import does not change sold articles.")
    expect(problems.nth(1)).to_contain_text("gross_weight")
    expect(page.locator("td[data-label=Changes]")).to_have_text("making_charge_value: 14.00 → 16.00")
    page.screenshot(path=str(tmp_path / "import-problems-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the problems scroll sideways by {overflow}px on a phone"
    page.screenshot(path=str(tmp_path / "import-problems-390.png"), full_page=True)

    page.get_by_role("button", name="Import the good rows: add 1 and update 1").click()
    expect(page.get_by_text("Imported: 1 added, 1 updated.")).to_be_visible()
    items = {item.sku: item for item in StockItem.objects.for_tenant(tenant)}
    assert items["RT-2"].making_charge_value == Decimal("16.00") and items["RT-9"].exemption == "under_2g"
    assert (items["RT-3"].updated_at, items["RT-4"].updated_at) == (before["RT-3"], before["RT-4"])
