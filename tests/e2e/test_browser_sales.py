"""A counter sale in real headless Chromium: scan, weigh, buyer, issue, old gold, payment, PDF."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.inventory.models import Purity, StockItem
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.invoicing.models import Customer, Invoice, OldGoldVoucher
from apps.invoicing.services import customer_create
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.tenants.factories import gstin_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counter_shop():
    owner = UserFactory(email="owner@counter.in", full_name="Kavya Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Counter Jewellers", state_code="27", gstin=gstin_for("27"),
                         address="5 Kalbadevi Road, Mumbai")  # fmt: skip
    purity = Purity.objects.get(metal="gold", fineness=916)
    metal_rate_set(tenant=shop, actor=owner, purity=purity, rate_per_gram="6500")
    ring = stock_item_create(tenant=shop, actor=owner, name="Peacock ring", purity=purity, gross_weight="10",
                             stone_weight="0.5", making_charge_value="500", huid="PEA001",
                             hallmark_status="hallmarked")  # fmt: skip
    customer_create(tenant=shop, actor=owner, name="Meera Shah", phone="98200 12345", address="4 Hill Road",
                    state_code="27")  # fmt: skip
    return owner, shop, ring


def _login(page, base, email):
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_a_counter_sale_from_scan_to_pdf_with_old_gold(page, live_server, counter_shop, tmp_path):
    owner, shop, ring = counter_shop
    _login(page, live_server.url, owner.email)
    page.get_by_role("link", name="Sales").click()
    page.get_by_role("button", name="New sale").first.click()
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()

    page.get_by_label("HUID or SKU").fill("pea001")  # a scanner types it; any case
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Peacock ring")).to_be_visible()
    expect(page.get_by_role("button", name="Issue invoice for ₹68,495.00")).to_be_visible()

    page.get_by_text("Change weights or charges").click()
    page.get_by_label("Gross (g)").fill("10.5")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("button", name="Issue invoice for ₹72,100.00")).to_be_visible()

    page.get_by_label("Customer").select_option(label="Meera Shah · 98200 12345")
    page.get_by_role("button", name="Save buyer").click()
    customer = Customer.objects.get(tenant=shop)
    page.wait_for_function(f"document.getElementById('id_customer').value === '{customer.pk}'")
    assert Invoice.objects.get(tenant=shop).customer_id == customer.pk
    page.get_by_role("button", name="Issue invoice for ₹72,100.00").click()
    expect(page.get_by_text("Invoice issued.")).to_be_visible()
    invoice = Invoice.objects.get(tenant=shop)
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()

    page.get_by_text("Take old gold in exchange").click()
    page.get_by_label("Gross (g)").fill("5")
    page.get_by_label("Tested purity (%)").fill("91.6")
    page.get_by_label("Rate of fine gold (₹/g)").fill("7000")
    page.get_by_role("button", name="Buy and apply").click()
    expect(page.get_by_text("Old gold bought on a purchase voucher")).to_be_visible()
    voucher = OldGoldVoucher.objects.get(tenant=shop)
    expect(page.get_by_text(f"Old gold ({voucher.number})")).to_be_visible()

    page.get_by_label("Mode").select_option("upi")
    page.get_by_role("button", name="Record payment").click()  # the amount is what is still due
    expect(page.locator("#pay-title .badge")).to_have_text("Paid")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    saved = Path(tmp_path) / "bill.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.SOLD
    assert invoice.taxable_value + invoice.cgst + invoice.sgst + invoice.round_off == invoice.grand_total


def test_sales_pages_fit_a_phone_screen(browser, live_server, counter_shop):
    owner = counter_shop[0]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/sales/")
    page.get_by_role("button", name="New sale").first.click()
    page.get_by_label("HUID or SKU").fill("PEA001")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Peacock ring")).to_be_visible()
    draft = page.url
    for url in (f"{live_server.url}/sales/", draft, f"{live_server.url}/customers/"):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
    context.close()
