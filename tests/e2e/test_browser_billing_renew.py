"""A shop renews its AMC in real headless Chromium: "Renew now" on the Billing page, the local stand-in for
Razorpay's checkout (bannered: no money moves), its signed answer posted back, and Tijori's invoice PDF
downloaded; axe passes on every page shown, at a desktop's width and a phone's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.billing import services
from apps.billing.models import BillingPayment, Contract, PlatformInvoice, WebhookEvent
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.e2e.axe import axe_check
from tests.e2e.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _at_both_widths(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off a phone
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_expired_shop_renews_through_the_stand_in_and_downloads_its_invoice(page, live_server, settings):
    settings.SITE_URL = live_server.url  # where the stand-in delivers its webhooks
    owner = UserFactory(email="owner@browser-renew.in", full_name="Meena Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Meena Jewellers", state_code="29")
    contract = Contract.objects.get(tenant=shop)
    services.contracts_lifecycle_advance(
        today=contract.period_end + timedelta(days=contract.plan.grace_days + 1)
    )
    assert Contract.objects.get(tenant=shop).state == Contract.State.EXPIRED

    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/settings/billing/")
    expect(page.get_by_role("heading", name="Renew")).to_be_visible()
    expect(page.locator("#amount-due")).to_have_text("₹11,800.00")
    expect(page.get_by_text("IGST 18%")).to_be_visible()  # Karnataka buys from a Maharashtra platform
    _at_both_widths(page)

    page.get_by_role("button", name="Renew now").click()
    expect(page.get_by_role("heading", name="Pay Tijori Software Private Limited")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Local stand-in for Razorpay: no money moves")
    ).to_be_visible()
    _at_both_widths(page)

    page.get_by_role("button", name="Pay ₹11,800.00").click()
    page.wait_for_url(f"{live_server.url}/settings/billing/")
    contract = Contract.objects.get(tenant=shop)
    expect(page.get_by_role("status").filter(has_text="Paid ₹11,800.00")).to_contain_text(
        f"the AMC is renewed until {contract.period_end:%d %b %Y}"
    )
    assert contract.state == Contract.State.ACTIVE
    invoice = PlatformInvoice.objects.get(tenant=shop)
    expect(page.get_by_role("row", name=invoice.number)).to_contain_text("₹11,800.00")
    _at_both_widths(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {invoice.number}").click()
    saved = download.value
    assert saved.suggested_filename == f"{invoice.number.replace('/', '-')}.pdf"
    with open(saved.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The stand-in's signed webhooks reached the site too; the payment was recorded once.
    assert BillingPayment.objects.filter(tenant=shop).count() == 1
    assert set(WebhookEvent.objects.values_list("event_type", flat=True)) == {
        "payment.captured",
        "order.paid",
    }
