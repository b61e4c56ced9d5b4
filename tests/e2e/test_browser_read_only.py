"""A shop whose AMC lapsed, in real Chromium: warned while in grace, read-only once expired, and told so
where it clicks; at a desktop's width and a phone's."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.billing.conftest import S, put_in
from tests.e2e.test_browser import _login
from tests.invoicing.isolation_cases import _draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shot(page, tmp_path: Path, name: str) -> None:
    """Keep a screenshot with the test's files (and where TIJORI_SCREENSHOTS says, to look at)."""
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    folder = os.environ.get("TIJORI_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_expired_shop_reads_its_sale_and_is_told_to_renew_where_it_clicks(
    browser, live_server, tmp_path, width
):
    owner = UserFactory(email="owner@lapsed.in", full_name="Lata Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Lapsed Jewellers", state_code="27")
    draft = _draft(shop)
    put_in(shop, S.EXPIRED, owner)
    page = browser.new_context(viewport=WIDTHS[width], locale="en-IN").new_page()
    _login(page, live_server.url, owner.email)

    # Every page says so, with the way to renew; the sale is still there to read.
    page.goto(f"{live_server.url}/sales/{draft.pk}/")
    banner = page.locator("#amc-banner")
    expect(banner).to_contain_text("Your AMC has expired on")
    expect(banner).to_contain_text("You can still see and export everything.")
    expect(banner.get_by_role("link", name="Renew the AMC")).to_be_visible()
    expect(page.get_by_text("Their repair")).to_be_visible()
    assert _no_sideways_scroll(page) <= 0

    # A change made in place (htmx) is refused in the banner, as an alert, and the page stays.
    page.get_by_label("HUID or SKU").fill("ABC123")
    page.get_by_role("button", name="Add", exact=True).click()
    alert = page.locator("#amc-banner [role=alert]")
    expect(alert).to_contain_text("renew to make changes")
    expect(page.get_by_text("Their repair")).to_be_visible()
    _shot(page, tmp_path, f"refused-in-place-{width}")

    # A form sent the ordinary way gets the refusal page, with the way to renew and the way back.
    page.goto(f"{live_server.url}/sales/")
    page.get_by_role("button", name="New sale").first.click()
    expect(page.get_by_role("heading", name="Renew to make changes")).to_be_visible()
    expect(page.get_by_text("Nothing was changed.")).to_be_visible()
    expect(page.get_by_role("link", name="Renew the AMC")).to_be_visible()
    expect(page.locator("#amc-banner")).to_be_empty()  # the page says it once
    assert _no_sideways_scroll(page) <= 0
    _shot(page, tmp_path, f"refusal-page-{width}")
    page.get_by_role("link", name="Renew the AMC").click()
    expect(page.get_by_role("heading", name="AMC of Lapsed Jewellers")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_shop_in_grace_is_warned_on_every_page_and_still_works(browser, live_server, tmp_path, width):
    owner = UserFactory(email="owner@grace.in", full_name="Gita Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Grace Gold", state_code="27")
    put_in(shop, S.GRACE, owner)
    page = browser.new_context(viewport=WIDTHS[width], locale="en-IN").new_page()
    _login(page, live_server.url, owner.email)

    banner = page.locator("#amc-banner")
    expect(banner).to_contain_text("Your AMC ended on")
    expect(banner).to_contain_text("Renew to keep making changes.")
    assert _no_sideways_scroll(page) <= 0
    _shot(page, tmp_path, f"grace-banner-{width}")

    page.goto(f"{live_server.url}/sales/")
    page.get_by_role("button", name="New sale").first.click()
    expect(page.get_by_role("heading", name="Add articles")).to_be_visible()  # a new draft: writes work
    expect(page.locator("#amc-banner")).to_contain_text("access continues until")
    page.context.close()
