"""An advance in real headless Chromium: taken on the customer page, printed, adjusted on the sale."""

import pytest
from playwright.sync_api import expect

from apps.inventory.models import Purity
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.invoicing import services
from apps.invoicing.models import Payment, ReceiptVoucher
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.e2e.test_browser_sales import _login
from tests.tenants.factories import gstin_for, gstin_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop_with_order():
    """A shop, a customer who orders a ring, and the ring ready to sell."""
    owner = UserFactory(email="owner@advance.in", full_name="Kavya Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Advance Jewellers", state_code="27", gstin=gstin_for("27"),
                         address="5 Kalbadevi Road, Mumbai")  # fmt: skip
    shop = gstin_verified(shop)
    purity = Purity.objects.get(metal="gold", fineness=916)
    metal_rate_set(tenant=shop, actor=owner, purity=purity, rate_per_gram="6500")
    ring = stock_item_create(tenant=shop, actor=owner, name="Peacock ring", purity=purity, gross_weight="10",
                             stone_weight="0.5", making_charge_value="500", huid="PEA002",
                             hallmark_status="hallmarked")  # fmt: skip
    customer = services.customer_create(
        tenant=shop, actor=owner, name="Meera Shah", phone="98200 12345", address="4 Hill Road, Mumbai",
        state_code="27",
    )  # fmt: skip
    return owner, shop, ring, customer


def _fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"wider than {width} px"


def test_an_advance_taken_printed_and_adjusted_against_the_sale(page, live_server, shop_with_order):
    owner, shop, ring, customer = shop_with_order
    base = live_server.url
    _login(page, base, owner.email)
    page.goto(f"{base}/customers/{customer.pk}/")
    page.get_by_text("Take an advance").click()
    page.get_by_label("Received by").select_option("cash")
    page.get_by_label("Amount (₹)").fill("25,000")
    page.get_by_label("For", exact=True).fill("Peacock ring to order")
    page.get_by_role("button", name="Take advance").click()
    voucher = ReceiptVoucher.objects.get(tenant=shop)
    expect(page.get_by_role("heading", name=f"Receipt voucher {voucher.number}")).to_be_visible()
    expect(page.get_by_text("No GST is payable on an advance for goods")).to_be_visible()
    _fits(page, 390)

    with page.expect_popup() as printed:
        page.get_by_role("link", name="Print").click()
    voucher_print = printed.value
    expect(voucher_print.get_by_text("Rupees Twenty-Five Thousand Only")).to_be_visible()
    expect(voucher_print.get_by_text("Authorised signatory")).to_be_visible()
    voucher_print.close()

    page.set_viewport_size({"width": 1280, "height": 900})
    invoice = services.invoice_draft_create(tenant=shop, actor=owner, customer=customer)
    services.invoice_line_add_article(tenant=shop, actor=owner, invoice=invoice, item=ring)
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    page.goto(f"{base}/sales/{invoice.pk}/")
    expect(page.get_by_text("Adjust an advance")).to_be_visible()
    expect(page.get_by_label("Advance", exact=True)).to_contain_text(f"{voucher.number}")
    page.get_by_role("button", name="Adjust advance").click()
    expect(
        page.get_by_text(f"₹25,000.00 of advance {voucher.number} adjusted against this bill.")
    ).to_be_visible()
    expect(page.get_by_role("link", name=voucher.number)).to_be_visible()
    assert Payment.objects.get(invoice=invoice).receipt_voucher_id == voucher.pk
    _fits(page, 390)

    page.goto(f"{base}/customers/{customer.pk}/")
    expect(page.get_by_text("Advance held for them")).to_be_visible()
    _fits(page, 390)
