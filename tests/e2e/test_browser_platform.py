"""What people see in real headless Chromium: the super admin's landing and the platform dashboard (its
revenue figures and their drill-down), amounts typed the Indian way, messages that do not outlive their
news, and dates written out."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import expect

from apps.inventory.models import MetalRate, Purity
from apps.inventory.services import metal_rate_set, stock_item_create
from apps.provisioning.models import Operation, Project
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.billing.histories import revenue_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, email):
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _shop():
    owner = UserFactory(email="owner@browser-rates.in", full_name="Ravi Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Ravi Jewellers", state_code="27")
    return owner, shop


def test_a_super_admin_lands_in_admin_and_finds_the_platform_dashboard(page, live_server):
    owner, shop = _shop()
    purity = Purity.objects.get(karat="22K")
    metal_rate_set(tenant=shop, actor=owner, purity=purity, rate_per_gram="6500")
    stock_item_create(tenant=shop, actor=owner, name="Kada", purity=purity, gross_weight="200")
    UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)

    _sign_in(page, live_server.url, "root@tijori.in")

    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Platform dashboard").click()
    page.wait_for_url(f"{live_server.url}/admin/stats/")
    expect(page.get_by_role("heading", name="Platform dashboard")).to_be_visible()
    expect(page.locator(".stat-tiles").first).to_contain_text("₹13,00,000.00 stock value")
    expect(page.get_by_role("row", name=re.compile(r"^Jewellery shops 1 1 1 0"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Sign-ups per week"))).to_be_visible()
    # The shop site's header links back to admin.
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Platform admin").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def test_rates_typed_with_grouping_and_started_from_yesterday(page, live_server):
    owner, shop = _shop()
    purity = Purity.objects.get(karat="22K")
    yesterday = timezone.localdate() - timedelta(days=1)
    metal_rate_set(tenant=shop, actor=owner, purity=purity, rate_per_gram="6480.25", effective_on=yesterday)
    _sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/rates/")

    page.get_by_role("link", name="Start from yesterday's rates").click()
    box = page.get_by_label("22K916 (₹ per gram)")
    expect(box).to_have_value("6,480.25")
    expect(page.get_by_text("nothing is saved yet")).to_be_visible()
    assert MetalRate.objects.filter(effective_on=timezone.localdate()).count() == 0

    box.fill("₹6,51,2")
    page.get_by_role("button", name="Save rates").click()
    expect(page.locator(f"[data-field=rate_{purity.pk}] .error")).to_have_text(
        "Enter it as a number, like 5,512.50."
    )
    page.get_by_label("22K916 (₹ per gram)").fill("₹6,512.50")
    page.get_by_role("button", name="Save rates").click()
    expect(page.get_by_text("1 rate saved.")).to_be_visible()
    assert MetalRate.objects.get(effective_on=timezone.localdate()).rate_per_gram == 6512.50


def test_an_article_weighed_and_priced_with_grouping(page, live_server):
    owner, _ = _shop()
    _sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/new/")
    page.get_by_label("Name").fill("Bridal set")
    page.get_by_label("Purity").select_option(label="22K916")
    page.get_by_label("Gross weight (g)").fill("1,250.5")
    page.get_by_label("Stone value (₹)").fill("1,00,000")
    page.get_by_role("button", name="Add to stock").click()
    page.wait_for_url(re.compile(r"/stock/\d+/$"))
    expect(page.get_by_text("1,250.500 g").first).to_be_visible()
    expect(page.get_by_text("₹1,00,000.00").first).to_be_visible()


def _message_cookie(live_server, text: str, extra_tags: str = "") -> dict:
    """A message waiting for the next page, as Django keeps it between a redirect and the page."""
    storage = CookieStorage(RequestFactory().get("/"))
    value = storage._encode([Message(constants.SUCCESS, text, extra_tags=extra_tags)])
    return {"name": storage.cookie_name, "value": value, "url": live_server.url}


def test_a_progress_message_goes_once_the_live_status_shows_the_work_done(page, live_server):
    owner, shop = _shop()
    project = Project.objects.create(
        tenant=shop, name="Catalogue", key="k0000001", region="ap-south-1", estimate_usd_month="12.50",
        infra_state=Project.InfraState.PROVISIONING,
    )  # fmt: skip
    operation = Operation.objects.create(
        tenant=shop, project=project, action=Operation.Action.PROVISION, state=Operation.State.RUNNING
    )
    _sign_in(page, live_server.url, owner.email)
    page.context.add_cookies([_message_cookie(live_server, "Provisioning has started.", "in-progress")])

    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_text("Provisioning has started.")).to_be_visible()  # true while it runs
    Operation.objects.filter(pk=operation.pk).update(
        state=Operation.State.SUCCEEDED, finished_at=timezone.now()
    )
    Project.objects.filter(pk=project.pk).update(infra_state=Project.InfraState.DEPLOYED)

    expect(page.locator("#project-status [data-live]")).to_have_attribute("data-live", "done", timeout=10_000)
    expect(page.get_by_text("Provisioning has started.")).to_have_count(0)
    # A page opened once the work is over never shows it.
    page.context.add_cookies([_message_cookie(live_server, "Provisioning has started.", "in-progress")])
    page.reload()
    expect(page.get_by_text("Provisioning has started.")).to_have_count(0)


def test_a_message_is_not_shown_again_when_its_page_is_revisited(page, live_server):
    owner, shop = _shop()
    stock_item_create(
        tenant=shop, actor=owner, name="Anklet", purity=Purity.objects.get(karat="22K"), gross_weight="8"
    )
    _sign_in(page, live_server.url, owner.email)
    page.context.add_cookies([_message_cookie(live_server, "NK-0007 has been deleted.")])
    page.goto(f"{live_server.url}/stock/")
    expect(page.get_by_text("NK-0007 has been deleted.")).to_be_visible()

    page.get_by_label("Status").select_option("sold")  # the filters push a new address (htmx history)
    page.wait_for_url(re.compile(r"stock_status=sold"))
    expect(page.locator("#stock-rows").get_by_text("No articles match")).to_be_visible()
    page.go_back()

    page.wait_for_url(f"{live_server.url}/stock/")
    expect(page.get_by_text("Anklet")).to_be_visible()
    expect(page.get_by_text("NK-0007 has been deleted.")).to_have_count(0)


def test_a_date_box_writes_the_day_out_whatever_the_browsers_language(browser, live_server):
    owner, _ = _shop()
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/stock/rates/")

    day = page.get_by_label("Rates for")
    today = timezone.localdate()
    words = page.locator("[data-field=effective_on] .date-words")
    expect(words).to_have_text(f"{today:%a}, {today.day} {today:%b %Y}")
    day.fill("2026-05-04")  # shown as 05/04/2026 in an American browser
    expect(words).to_have_text("Mon, 4 May 2026")
    assert date(2026, 5, 4).weekday() == 0
    context.close()


def test_a_super_admin_reads_the_revenue_and_drills_down_by_plan(page, live_server):
    root = UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)
    revenue_story(root, shops=6)  # AMC: one shop pays ₹10,000; Plus: one pays ₹15,000 (MRR ₹1,250.00)

    _sign_in(page, live_server.url, "root@tijori.in")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/stats/")

    expect(page.get_by_role("heading", name="Revenue from the AMC")).to_be_visible()
    expect(page.locator("#revenue .stat-tiles")).to_contain_text("₹2,083.33 MRR")  # 25,000 ÷ 12
    expect(page.get_by_role("img", name=re.compile(r"^MRR at each month's end"))).to_be_visible()
    page.get_by_role("link", name="Plus", exact=True).first.click()
    expect(page.get_by_text("Showing plan Plus")).to_be_visible()
    expect(page.locator("#revenue .stat-tiles")).to_contain_text("₹1,250.00 MRR")
    page.get_by_role("link", name="clear plan").click()
    expect(page.get_by_text("Showing plan Plus")).to_have_count(0)
    expect(page.locator("#revenue .stat-tiles")).to_contain_text("₹2,083.33 MRR")
