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
from tests.tenants.factories import gstin_for, gstin_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counter_shop():
    owner = UserFactory(email="owner@counter.in", full_name="Kavya Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Counter Jewellers", state_code="27", gstin=gstin_for("27"),
                         address="5 Kalbadevi Road, Mumbai")  # fmt: skip
    shop = gstin_verified(shop)
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
    expect(page.get_by_label("HUID or SKU")).to_be_focused()  # the swap has settled: the search box listens

    page.get_by_label("Find a customer").fill("meera")
    page.get_by_role("button", name="Meera Shah 98200 12345").click()
    expect(page.locator(".buyer-current")).to_contain_text("Meera Shah")
    customer = Customer.objects.get(tenant=shop)
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


@pytest.mark.parametrize("width", [1280, 390])
def test_the_buyer_is_found_as_they_type_or_added_on_the_spot(browser, live_server, counter_shop, width):
    owner, shop, _ = counter_shop
    for n in range(1, 31):  # more than one screen of customers named alike
        customer_create(tenant=shop, actor=owner, name=f"Meena Customer {n:02d}", phone=f"90000 000{n:02d}",
                        state_code="27")  # fmt: skip
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 640, locale="en-IN"
    )
    page = context.new_page()
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/sales/")
    page.get_by_role("button", name="New sale").first.click()
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()

    search = page.get_by_label("Find a customer")
    search.press_sequentially("12345", delay=30)  # the end of Meera's phone number, typed at the counter
    pick = page.get_by_role("button", name="Meera Shah 98200 12345")
    expect(pick).to_be_visible()
    expect(page.locator("[data-pick]")).to_have_count(1)
    search.press("ArrowDown")
    expect(pick).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".buyer-current")).to_contain_text("Meera Shah")
    invoice = Invoice.objects.get(tenant=shop)
    assert invoice.customer.name == "Meera Shah"

    page.get_by_label("Find a customer").fill("meena")
    expect(page.locator("[data-pick]")).to_have_count(10)
    expect(page.get_by_text("Only the first 10 are shown")).to_be_visible()

    page.get_by_text("New customer", exact=True).click()
    form = page.locator("form[data-kind-fields]")
    expect(form.get_by_label("GSTIN")).to_be_hidden()  # a person has none
    form.get_by_label("GST-registered business").check()
    expect(form.get_by_label("State")).to_be_hidden()  # a business's state is its GSTIN's
    form.get_by_label("Name").fill("Shah Ornaments LLP")
    form.get_by_label("Phone").fill("98200 55555")
    form.get_by_role("button", name="Add and use as buyer").click()
    error = page.locator("[data-field=gstin] .error")
    expect(error).to_have_text("A GST-registered customer needs their GSTIN.")
    # The form's summary of problems takes the focus once htmx has settled the answer; typing before
    # that would lose the keys to it, as a person's would.
    expect(page.locator("form[data-kind-fields] [data-error-summary]")).to_be_focused()
    expect(page.locator("form[data-kind-fields]").get_by_label("Name")).to_have_value("Shah Ornaments LLP")
    assert not Customer.objects.filter(name="Shah Ornaments LLP").exists()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the sale screen scrolls sideways by {overflow}px at {width}px"

    page.locator("form[data-kind-fields]").get_by_label("GSTIN").fill(gstin_for("24", pan="AAKFS1234L"))
    page.get_by_role("button", name="Add and use as buyer").click()
    expect(page.locator(".buyer-current")).to_contain_text("Shah Ornaments LLP")
    expect(page.locator(".buyer-current")).to_contain_text("Gujarat")
    invoice.refresh_from_db()
    assert (invoice.customer.name, invoice.customer.state_code) == ("Shah Ornaments LLP", "24")
    context.close()


def test_a_credit_note_returns_an_article_from_the_invoices_page(page, live_server, counter_shop):
    from apps.invoicing import services

    owner, shop, ring = counter_shop
    invoice = services.invoice_draft_create(
        tenant=shop, actor=owner, customer=Customer.objects.get(tenant=shop)
    )
    services.invoice_line_add_article(tenant=shop, actor=owner, invoice=invoice, item=ring)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Chain repair", hsn_code="9987", amount="1000"
    )
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/sales/{invoice.pk}/")

    notes = page.locator("section", has=page.get_by_role("heading", name="Credit and debit notes"))
    expect(notes.get_by_text("None.")).to_be_visible()
    notes.get_by_label("Why a credit note").select_option(label="Goods returned")
    notes.get_by_role("button", name="Credit note").click()
    expect(page.get_by_role("heading", name="Credit note draft")).to_be_visible()
    expect(page.get_by_role("button", name="Issue credit note")).to_be_disabled()

    page.get_by_role("button", name=f"Return {ring.sku}").click()  # htmx: the lines come back in place
    expect(page.get_by_role("button", name="Issue credit note for ₹68,495.00")).to_be_visible()
    expect(page.get_by_role("button", name=f"Return {ring.sku}")).to_have_count(0)  # returned once
    expect(page.get_by_role("row", name="Peacock ring").first).to_contain_text("Nothing left to credit")
    repair = page.get_by_role("row", name="Chain repair")
    repair.get_by_label("Amount before GST for Chain repair").fill("1,500")
    repair.get_by_role("button", name="Credit", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("only ₹1,000.00 more can be credited")
    page.get_by_role("button", name="Issue credit note for ₹68,495.00").click()

    expect(page.get_by_text(f"Credit note issued against invoice {invoice.number}")).to_be_visible()
    note = Invoice.objects.get(tenant=shop, doc_type="credit_note")
    expect(page.get_by_role("heading", name=f"Credit note {note.number}")).to_be_visible()
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.IN_STOCK

    page.get_by_role("link", name=invoice.number).first.click()
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    expect(notes.get_by_role("link", name=f"Credit note {note.number}")).to_be_visible()
    expect(notes).to_contain_text("\u2212 ₹68,495.00")  # a minus sign: money off the invoice
    expect(page.locator("#pay-title").locator("..")).to_contain_text("credit notes ₹68,495.00")
    expect(page.locator("#pay-title").locator("..")).to_contain_text("₹1,180.00 due")
