"""A GSTIN verified in real Chromium: the owner uploads the certificate from the shop profile, a super
admin verifies it in Django admin, and the dashboard says what that unlocks."""

import re

import pytest
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.test_browser import _login
from tests.tenants.factories import certificate_png, gstin_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GSTIN = gstin_for("27")


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.usefixtures("certificates_in_tmp")
def test_owner_uploads_the_certificate_super_admin_verifies_dashboard_says_verified(
    browser, page, live_server, tmp_path
):
    owner = UserFactory(email="owner@gstin.in", full_name="Gauri Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Gauri Jewellers", state_code="27", gstin=GSTIN,
                         address="3 Kalbadevi Road, Mumbai")  # fmt: skip
    root = UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)
    certificate = tmp_path / "REG-06.png"
    certificate.write_bytes(certificate_png().read())

    # The owner is told what verification unlocks, and uploads the certificate from the profile.
    _login(page, live_server.url, owner.email)
    panel = page.locator("#gstin")
    expect(panel).to_contain_text("Certificate not uploaded")
    expect(panel).to_contain_text("Issuing GST invoices needs a verified GSTIN")
    panel.get_by_role("link", name="Upload the GST registration certificate").click()
    page.get_by_label("GST registration certificate").set_input_files(str(certificate))
    page.get_by_role("button", name="Upload the certificate").click()
    expect(page.get_by_text("The certificate has been uploaded")).to_be_visible()
    expect(page.locator("#gst-registration")).to_contain_text("Awaiting review")
    page.goto(f"{live_server.url}/")
    expect(panel).to_contain_text("Awaiting review")

    # A super admin finds it in the review queue, looks at the certificate and verifies the GSTIN.
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(f"{live_server.url}/admin/login/?next=/admin/tenants/tenant/%3Fgstin_status%3Dawaiting_review")
    admin.locator("#id_username").fill(root.email)
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.locator("#result_list").get_by_role("link", name="Awaiting review").click()
    expect(admin.get_by_role("heading", name="GSTIN of Gauri Jewellers")).to_be_visible()
    expect(admin.get_by_role("img", name=re.compile("GST registration certificate"))).to_be_visible()
    admin.get_by_role("button", name=f"Verify GSTIN {GSTIN}").click()
    expect(admin.get_by_text(f"GSTIN {GSTIN} of Gauri Jewellers is verified.")).to_be_visible()
    admin.context.close()

    page.reload()
    expect(panel).to_contain_text("Verified")
    expect(panel).to_contain_text("The shop can issue GST invoices")
    assert Tenant.objects.get(pk=shop.pk).gstin_status == Tenant.GstinStatus.VERIFIED

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    _login(phone, live_server.url, owner.email)
    for path in ("/", "/settings/"):
        phone.goto(f"{live_server.url}{path}")
        assert _no_sideways_scroll(phone) <= 0, f"{path} scrolls sideways on a phone"
    phone.context.close()
