"""The stock pages as a shop uses them, in headless Chromium: adding a run of similar pieces, the form of an
article at the hallmarking centre, the HUID search hint and the shop's stock settings.

Each page is also saved at 1280 and 390 px wide (in the test's tmp_path) to be looked at.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.inventory.models import Purity, StockItem
from apps.inventory.services import hallmark_batch_send, stock_item_create
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.e2e.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    owner = UserFactory(email="owner@soni-e2e.in", full_name="Sunita Soni")
    tenant = tenant_create(owner=owner, kind="shop", name="Soni Jewellers", state_code="08")
    Tenant.objects.filter(pk=tenant.pk).update(sku_prefix="SJ-", sku_next_number=41)
    tenant.refresh_from_db()
    return tenant, owner


def shots(page, tmp_path, name: str) -> None:
    """The page at a desktop's width and a phone's, whole; a phone must not scroll sideways."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(tmp_path / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / f"{name}-390.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_add_and_start_another_keeps_what_a_run_of_pieces_shares(page, live_server, shop, tmp_path):
    tenant, owner = shop
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/new/")
    expect(page.get_by_text("Leave blank for the shop's next number, SJ-0041.")).to_be_visible()
    page.get_by_label("Name").fill("Gold stud")
    page.get_by_label("Category").select_option(label="Earring")
    page.get_by_label("Purity").select_option(label="18K750")
    page.get_by_label("Making charge", exact=True).select_option(label="Flat")
    page.get_by_label("Gross weight (g)").fill("1.5")
    page.get_by_role("button", name="Add and start another").click()

    expect(page.get_by_text("SJ-0041 “Gold stud” is in stock.")).to_be_visible()
    expect(page.get_by_role("heading", name="Add an article")).to_be_visible()
    expect(page.get_by_label("Category")).to_have_value("earring")
    expect(page.get_by_label("Purity").locator("option:checked")).to_have_text("18K750")
    expect(page.get_by_label("Making charge", exact=True)).to_have_value("flat")
    expect(page.get_by_label("Name")).to_have_value("")
    expect(page.get_by_label("Gross weight (g)")).to_have_value("")
    expect(page.get_by_label("HUID")).to_have_value("")
    expect(page.get_by_label("SKU")).to_have_value("")
    expect(page.get_by_text("Leave blank for the shop's next number, SJ-0042.")).to_be_visible()

    page.get_by_label("Name").fill("Gold stud, large")
    page.get_by_label("Gross weight (g)").fill("2.4")
    page.get_by_role("button", name="Add to stock").click()
    page.wait_for_url(re.compile(r"/stock/\d+/$"))
    stud, large = StockItem.objects.for_tenant(tenant).order_by("sku")
    assert (stud.sku, stud.category, stud.purity.label, stud.making_charge_type) == (
        "SJ-0041", "earring", "18K750", "flat"
    )  # fmt: skip
    assert (large.sku, large.category, large.purity.label, large.making_charge_type) == (
        "SJ-0042", "earring", "18K750", "flat"
    )  # fmt: skip
    assert (stud.hallmark_status, stud.exemption) == ("exempt", "under_2g")

    page.goto(f"{live_server.url}/stock/{stud.pk}/")
    expect(page.get_by_text("Under 2 grams")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("None")
    shots(page, tmp_path, "article")


def test_the_form_of_an_article_at_the_centre_says_where_its_huid_comes_from(
    page, live_server, shop, tmp_path
):
    tenant, owner = shop
    chain = stock_item_create(
        tenant=tenant,
        actor=owner,
        name="Rope chain",
        purity=Purity.objects.get(karat="22K"),
        gross_weight="12",
    )
    batch = hallmark_batch_send(
        tenant=tenant, actor=owner, centre_name="Jaipur AHC", request_number="JP-7",
        sent_on=timezone.localdate(), item_ids=[chain.pk],
    )  # fmt: skip
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/{chain.pk}/edit/")

    expect(page.get_by_label("HUID")).to_be_disabled()
    expect(page.get_by_label("Hallmark status")).to_be_disabled()
    notice = page.get_by_role("status").filter(has_text="Its HUID comes from receiving the batch")
    expect(notice).to_contain_text("Jaipur AHC with batch JP-7")
    shots(page, tmp_path, "edit-at-centre")

    page.get_by_label("Name").fill("Rope chain, 20 inch")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{live_server.url}/stock/{chain.pk}/")
    chain.refresh_from_db()
    assert (chain.name, chain.huid, chain.hallmark_status) == ("Rope chain, 20 inch", "", "at_centre")

    page.goto(f"{live_server.url}/stock/batches/{batch.pk}/")
    expect(page.get_by_label("HUID of SJ-0041")).to_be_editable()


def test_a_partial_huid_search_says_to_type_all_six_characters(page, live_server, shop):
    tenant, owner = shop
    stock_item_create(
        tenant=tenant, actor=owner, name="Kada", purity=Purity.objects.get(karat="22K"), gross_weight="30",
        huid="KD40A1",
    )  # fmt: skip
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/")
    hint = page.get_by_text("A HUID is searched whole: type all 6 characters.")
    page.get_by_label("Search").fill("KD40")
    expect(hint).to_be_visible()
    expect(page.locator("#stock-rows tbody tr")).to_have_count(0)
    page.get_by_label("Search").fill("KD40A1")
    expect(page.locator("#stock-rows tbody tr")).to_have_count(1)
    expect(hint).to_have_count(0)


def test_the_stock_settings_on_the_profile_page(page, live_server, shop, tmp_path):
    tenant, owner = shop
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/settings/")
    expect(page.get_by_text("The next one is SJ-0041")).to_be_visible()
    page.get_by_label("SKU prefix").fill("SONI/")
    page.get_by_label("Next number").fill("1200")
    page.get_by_label("The shop's annual turnover is up to ₹40 lakh").check()
    page.get_by_role("button", name="Save stock settings").click()
    expect(page.get_by_text("The stock settings have been saved.")).to_be_visible()
    expect(page.get_by_text("The next one is SONI/1200")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Changed by owner@soni-e2e\.in on"))).to_be_visible()
    shots(page, tmp_path, "profile-settings")
    tenant.refresh_from_db()
    assert (tenant.sku_next, tenant.small_turnover_exempt) == ("SONI/1200", True)
