"""The main journeys in real headless Chromium against a live server."""

import re

import pytest
from django.core import mail

from apps.tenants.models import Membership, Role, Tenant
from apps.tenants.services import tenant_create
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, email, password=PASSWORD):
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_sign_up_and_land_on_the_dashboard(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_label("E-mail address").fill("priya@shah-jewels.in")
    page.get_by_label("Password", exact=True).fill("gold-rush-2026!")
    page.get_by_label("Password again").fill("gold-rush-2026!")
    page.get_by_label("Jewellery shop").check()
    page.get_by_label("Shop or workspace name").fill("Shah Jewels")
    page.get_by_label("State").select_option("24")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Shah Jewels").is_visible()
    assert "Welcome to Tijori" in page.content()
    assert Tenant.objects.get().state_code == "24"


def test_signup_mistake_is_shown_next_to_the_field(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Priya")
    page.get_by_label("E-mail address").fill("priya@example.in")
    page.get_by_label("Password", exact=True).fill("gold-rush-2026!")
    page.get_by_label("Password again").fill("gold-rush-2026!")
    page.get_by_label("Shop or workspace name").fill("Shah Jewels")
    page.get_by_label("State").select_option("24")
    page.get_by_label("GSTIN (optional)").fill("27AAPFU0939F1ZV")
    page.get_by_role("button", name="Create account").click()
    assert (
        page.locator("[data-field=gstin] .error")
        .inner_text()
        .startswith("This GSTIN is registered in Maharashtra")
    )
    assert not Tenant.objects.exists()


def test_personal_workspace_hides_shop_fields(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    assert page.get_by_label("State").is_visible()
    page.get_by_label("Personal workspace").check()
    assert not page.get_by_label("State").is_visible()
    assert not page.get_by_label("GSTIN (optional)").is_visible()


def test_invite_a_member_who_signs_up_from_the_link(browser, page, live_server):
    owner = UserFactory(email="owner@e2e.in", full_name="Omkar Owner")
    tenant = tenant_create(owner=owner, kind="shop", name="E2E Jewellers", state_code="27")
    _login(page, live_server.url, owner.email)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Team").click()
    page.get_by_label("E-mail address").fill("neha@e2e.in")
    page.get_by_label("Role", exact=True).select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to neha@e2e.in" in page.content()
    assert page.get_by_role("cell", name="neha@e2e.in").is_visible()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/invitations/") :]
    newcomer = browser.new_context().new_page()
    newcomer.goto(f"{live_server.url}{path}")
    assert newcomer.get_by_role("heading", name="Join E2E Jewellers").is_visible()
    newcomer.get_by_label("Your name").fill("Neha")
    newcomer.get_by_label("Password", exact=True).fill("neha-pass-2026")
    newcomer.get_by_label("Password again").fill("neha-pass-2026")
    newcomer.get_by_role("button", name="Create account and join").click()
    newcomer.wait_for_url(f"{live_server.url}/")
    assert newcomer.get_by_role("heading", name="E2E Jewellers").is_visible()
    assert Membership.objects.get(tenant=tenant, user__email="neha@e2e.in").role == Role.ADMIN

    page.reload()
    assert (
        page.get_by_role("cell", name="neha@e2e.in", exact=True).count() == 1
    )  # a member, no longer invited
    assert "Waiting for an answer" not in page.content()


def test_switch_tenant_from_the_header(page, live_server):
    user = UserFactory(email="multi@e2e.in")
    tenant_create(owner=user, kind="shop", name="Alpha Gold", state_code="27")
    tenant_create(owner=user, kind="personal", name="Beta Builds")
    _login(page, live_server.url, user.email)
    heading = page.locator("h1")
    first = heading.inner_text()
    other = "Beta Builds" if first == "Alpha Gold" else "Alpha Gold"
    assert page.get_by_role("button", name="Switch").is_hidden()  # JavaScript submits on change
    page.get_by_label("Active shop or workspace").select_option(label=f"{other} · Owner")
    page.wait_for_function(f"document.querySelector('h1').innerText === '{other}'")
    assert f"You are now working in {other}" in page.content()


def test_pages_fit_a_phone_screen(browser, live_server):
    user = UserFactory(email="phone@e2e.in")
    tenant_create(owner=user, kind="shop", name="Phone Jewellers", state_code="27")
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    _login(page, live_server.url, user.email)
    for path in ["/", "/settings/team/", "/settings/", "/settings/audit/"]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    context.close()
