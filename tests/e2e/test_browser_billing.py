"""The AMC in real headless Chromium: the shop reads where its AMC stands on its Billing page (axe at a
desktop's width and a phone's), and a super admin suspends it with a reason the shop then reads."""

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
    owner = UserFactory(email="owner@browser-amc.in", full_name="Kavya Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Kavya Jewellers", state_code="27")
    return owner, shop


def test_a_shop_in_grace_reads_until_when_it_keeps_working_at_both_widths(page, live_server):
    owner, shop = _shop()
    contract = Contract.objects.get(tenant=shop)
    services.contracts_lifecycle_advance(today=contract.period_end + timedelta(days=1))
    contract.refresh_from_db()

    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Billing").click()
    page.wait_for_url(f"{live_server.url}/settings/billing/")

    expect(page.get_by_role("heading", name="AMC of Kavya Jewellers")).to_be_visible()
    expect(page.locator("#standing")).to_contain_text(
        f"until {contract.grace_until:%d %b %Y}, the last day of grace"
    )
    expect(page.get_by_role("row", name="Grace started")).to_contain_text("daily lifecycle job")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off a phone


def test_a_super_admin_suspends_with_a_reason_and_the_shop_reads_it(page, live_server):
    owner, shop = _shop()
    UserFactory(email="root@browser-amc.in", is_staff=True, is_superuser=True)
    contract = Contract.objects.get(tenant=shop)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/billing/contract/{contract.pk}/manage/")
    page.locator("#id_username").fill("root@browser-amc.in")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.get_by_label("Reason").last.fill("Card payment charged back")
    page.get_by_role("button", name="Suspend").click()
    expect(page.locator(".messagelist")).to_contain_text("Suspended")
    expect(page.get_by_role("button", name="Resume")).to_be_visible()

    page.context.clear_cookies()
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/settings/billing/")
    expect(page.locator("#standing")).to_contain_text("Tijori has suspended this AMC")
    expect(page.get_by_role("row", name="Suspended")).to_contain_text("Card payment charged back")
