"""e-Invoices in real headless Chromium: the month's B2B documents and what stops each, the bulk file
downloaded, the IRP's answer imported, and the bill's page with its IRN and signed QR code, on a
desktop and on a phone."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.inventory.models import Purity
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.invoicing import services
from apps.invoicing.models import EInvoice
from apps.tenants.services import tenant_create, tenant_gst_settings_update
from tests.accounts.factories import UserFactory
from tests.e2e.test_browser_advances import _fits
from tests.e2e.test_browser_sales import _login
from tests.gst.fake_irp import FakeIrp
from tests.tenants.factories import gstin_for, gstin_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("TIJORI_SCREENSHOTS", "/tmp/tijori-screens"))


@pytest.fixture
def einvoicing_shop():
    """A shop that e-invoices, with two B2B invoices of this month: one ready, one with a 4-digit HSN."""
    owner = UserFactory(email="owner@einvoice.in", full_name="Irfan Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Zaveri Bullion House", state_code="27",
                         gstin=gstin_for("27"), address="12 Zaveri Bazaar, Mumbai 400002")  # fmt: skip
    shop = gstin_verified(shop)
    purity = Purity.objects.get(metal="gold", fineness=916)
    metal_rate_set(tenant=shop, actor=owner, purity=purity, rate_per_gram="6500")
    trader = services.customer_create(
        tenant=shop, actor=owner, kind="registered", name="Meera Gems Pvt Ltd", gstin=gstin_for("27", pan="AAACM1234K"),
        state_code="27", address="4 Hill Road, Bandra West, Mumbai", pincode="400050",
    )  # fmt: skip
    sales = []
    for n, hsn in enumerate(("711319", "7113"), start=1):
        ring = stock_item_create(tenant=shop, actor=owner, name=f"Temple bangle {n}", purity=purity, gross_weight="20",
                                 stone_weight="0", making_charge_value="400", huid=f"EIN00{n}", hsn_code=hsn,
                                 hallmark_status="hallmarked")  # fmt: skip
        draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=trader)
        services.invoice_line_add_article(tenant=shop, actor=owner, invoice=draft, item=ring)
        sales.append(services.invoice_issue(tenant=shop, actor=owner, invoice=draft))
    # Set afterwards and back-dated, as a shop does on learning its turnover passed ₹5 crore: the
    # 4-digit HSN it could issue until then is what the page must ask to fix.
    shop = tenant_gst_settings_update(
        tenant=shop, actor=owner, gstr1_frequency="monthly",
        einvoice_from=timezone.localdate() - timedelta(days=90), turnover_ten_crore=True,
    )  # fmt: skip
    return owner, shop, sales


def test_the_months_documents_go_to_the_irp_and_come_back_with_their_qr_codes(
    page, live_server, einvoicing_shop, tmp_path
):
    owner, _shop, (ready, _blocked) = einvoicing_shop
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    _login(page, base, owner.email)
    page.goto(f"{base}/sales/")
    page.get_by_role("link", name="e-Invoices").click()
    expect(page.get_by_role("heading", name="e-Invoices", exact=True)).to_be_visible()
    expect(page.get_by_text("2 documents: 0 registered, 1 ready, 1 to fix")).to_be_visible()
    expect(page.get_by_text("HSN 7113 has 4 digits; the IRP needs 6 or 8")).to_be_visible()
    expect(
        page.get_by_text("The IRP refuses documents older than 30 days for turnover of ₹10 crore or more.")
    ).to_be_visible()
    page.screenshot(path=str(SHOTS / "einvoices-1280.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the bulk file").click()
    bulk = json.loads(Path(download.value.path()).read_text())
    assert [document["DocDtls"]["No"] for document in bulk] == [ready.number]

    answers = tmp_path / "irp-answers.json"
    answers.write_text(json.dumps([FakeIrp().answer_for(bulk[0])]))
    page.get_by_label("The IRP's answer file").set_input_files(str(answers))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Recorded the IRN of 1 document.")).to_be_visible()
    expect(page.get_by_text("2 documents: 1 registered, 0 ready, 1 to fix")).to_be_visible()
    _fits(page, 390)
    page.screenshot(path=str(SHOTS / "einvoices-390.png"), full_page=True)

    einvoice = EInvoice.objects.get(document=ready)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=ready.number).click()
    expect(page.get_by_text(einvoice.irn)).to_be_visible()
    expect(page.locator("#einvoice svg.qr")).to_be_visible()
    page.screenshot(path=str(SHOTS / "einvoice-invoice-1280.png"), full_page=True)
    _fits(page, 390)
    page.screenshot(path=str(SHOTS / "einvoice-invoice-390.png"), full_page=True)


def test_the_owner_sets_the_shops_gst_returns_and_e_invoicing(page, live_server, einvoicing_shop):
    owner, shop, _sales = einvoicing_shop
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    _login(page, base, owner.email)
    page.goto(f"{base}/settings/#gst-settings")
    section = page.locator("#gst-settings")
    expect(section.get_by_label("e-Invoicing from")).to_have_value(shop.einvoice_from.isoformat())
    section.get_by_label("Quarterly (QRMP)").check()
    section.get_by_label("Aggregate turnover of ₹10 crore or more").uncheck()
    section.get_by_role("button", name="Save GST settings").click()
    expect(page.get_by_text("The GST return settings have been saved.")).to_be_visible()
    shop.refresh_from_db()
    assert (shop.gstr1_frequency, shop.turnover_ten_crore) == ("quarterly", False)
    page.locator("#gst-settings").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "settings-gst-1280.png"), full_page=True)
    _fits(page, 390)
