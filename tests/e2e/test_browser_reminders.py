"""AMC reminders in real headless Chromium: the owner reads on the dashboard when the trial ends and goes
to renew (axe at a desktop's width and a phone's), and a super admin reads the shop's e-mail log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.billing import services
from apps.billing.models import Contract
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.axe import axe_check
from tests.e2e.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shop():
    owner = UserFactory(email="owner@browser-rem.in", full_name="Meera Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Meera Jewellers", state_code="27")
    return owner, shop


def test_the_owner_reads_when_the_trial_ends_and_goes_to_renew_at_both_widths(page, live_server):
    owner, shop = _shop()
    end = Contract.objects.get(tenant=shop).period_end

    _login(page, live_server.url, owner.email)

    notice = page.locator("#amc-ending")
    expect(notice).to_contain_text(f"Your trial ends on {end.day} {end:%b %Y} (in 13 days).")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off a phone
    notice.get_by_role("link", name="Renew now").click()
    page.wait_for_url(f"{live_server.url}/settings/billing/")
    expect(page.get_by_role("heading", name="AMC of Meera Jewellers")).to_be_visible()


def test_a_super_admin_reads_the_shops_reminder_log(page, live_server):
    _, shop = _shop()
    contract = Contract.objects.get(tenant=shop)
    services.reminders_send(today=contract.period_end - timedelta(days=7))
    UserFactory(email="root@browser-rem.in", is_staff=True, is_superuser=True)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/billing/reminder/")
    page.locator("#id_username").fill("root@browser-rem.in")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()

    row = page.get_by_role("row", name="Meera Jewellers")
    expect(row).to_contain_text("7 days before the end")
    expect(row).to_contain_text("owner@browser-rem.in")
    expect(row).to_contain_text("Sent")
    page.goto(f"{live_server.url}/admin/billing/contract/{contract.pk}/change/")
    expect(page.get_by_role("heading", name="Reminders e-mailed")).to_be_visible()
