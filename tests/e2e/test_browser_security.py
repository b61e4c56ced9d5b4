"""In real Chromium: the page policy blocks injected scripts, our own scripts still run, and an uploaded
file whose name or bytes say HTML is never run as a page of our site."""

import contextlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from apps.inventory.models import Purity
from apps.inventory.services import stock_item_create
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.e2e.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "/pwned-marker"
# What the attack stored: a script that reads the victim's account through our API and reports it.
PAYLOAD = (
    f"<html><body><script>document.title='pwned';fetch('/api/v1/me').then(r=>r.text())"
    f".then(t=>navigator.sendBeacon('{MARKER}',t))</script></body></html>"
)


def _watch(page) -> dict:
    """Collects the policy violations the page reports and any request the payload would make."""
    seen = {"violations": [], "marker": []}
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["violations"].append(m.text))
    page.on("request", lambda r: MARKER in r.url and seen["marker"].append(r.url))
    return seen


def _polyglot_png() -> bytes:
    """A real PNG that Pillow accepts, with an HTML page after its last chunk."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (212, 175, 55)).save(buffer, format="PNG")
    return buffer.getvalue() + PAYLOAD.encode()


@pytest.fixture(scope="session")
def app_server():
    """A live server that sends /media/ to our own view, as gunicorn does. The test server's usual
    wrapper would serve those files itself, typed by Django's guess from their names."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda media_handler: StaticFilesHandler(media_handler.application)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop(db):
    owner = UserFactory(email="owner@csp.in", full_name="Omkar Owner")
    tenant = tenant_create(owner=owner, kind="shop", name="CSP Jewellers", state_code="27")
    return owner, tenant


def test_policy_blocks_an_injected_inline_script_while_our_own_scripts_run(page, app_server, shop):
    owner, tenant = shop
    purity = Purity.objects.get(karat="22K")
    for name in ("Temple necklace", "Plain bangle"):
        stock_item_create(tenant=tenant, actor=owner, name=name, purity=purity, gross_weight="10")
    seen = _watch(page)
    _login(page, app_server.url, owner.email)
    page.goto(f"{app_server.url}/stock/")
    # htmx (our static script) still works: the search filters the list without a page load.
    page.locator("#id_q").fill("necklace")
    expect(page.get_by_text("Plain bangle")).to_have_count(0)
    expect(page.get_by_text("Temple necklace")).to_be_visible()
    assert seen["violations"] == [], seen["violations"]

    ran = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation",
                e => resolve({ran: window.__injected === true, directive: e.effectiveDirective}));
            setTimeout(() => resolve({ran: window.__injected === true, directive: null}), 3000);
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
        })"""
    )
    assert ran == {"ran": False, "directive": "script-src-elem"}
    assert page.evaluate("() => window.__injected") is None


PAGES = [
    "/",
    "/account/",
    "/settings/",
    "/settings/team/",
    "/settings/api-keys/",
    "/settings/audit/",
    "/stock/new/",
    "/stock/batches/",
    "/stock/rates/",
    "/stock/compliance/",
    "/stock/import/",
    "/projects/",
    "/projects/aws-account/",
    "/admin/stats/",
]


def test_pages_swagger_ui_and_admin_work_under_the_policy(page, app_server, shop):
    owner, _ = shop
    seen = _watch(page)
    _login(page, app_server.url, owner.email)
    owner.is_staff = owner.is_superuser = True  # after signing in: a super admin would land in admin
    owner.save()
    for path in PAGES:
        assert page.goto(f"{app_server.url}{path}").status == 200, path
        assert page.evaluate("() => typeof htmx") == ("undefined" if path.startswith("/admin") else "object")
    page.goto(f"{app_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tijori API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.goto(f"{app_server.url}/admin/tenants/tenant/")
    page.get_by_role("link", name="CSP Jewellers").click()
    expect(page.get_by_role("heading", name="Change tenant")).to_be_visible()
    assert seen["violations"] == [], seen["violations"]


def test_a_logo_that_is_also_html_is_served_as_an_image_that_runs_nothing(page, app_server, shop):
    owner, tenant = shop
    seen = _watch(page)
    _login(page, app_server.url, owner.email)
    page.goto(f"{app_server.url}/settings/")
    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "poc.html", "mimeType": "text/html", "buffer": _polyglot_png()}
    )
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".message")).to_be_visible()
    logo = Tenant.objects.get(pk=tenant.pk).logo
    response = page.goto(f"{app_server.url}{logo.url}")  # as another shop's owner following a link
    page.wait_for_timeout(500)
    assert page.title() != "pwned" and seen["marker"] == []
    assert response.headers["content-type"] == "image/png" and logo.name.endswith(".png")


def test_a_logo_stored_under_an_html_name_before_the_fix_runs_nothing(page, app_server, shop):
    owner, _ = shop
    storage = storages["public"]
    name = storage.save("logos/2026/01/poc.html", ContentFile(_polyglot_png()))
    try:
        seen = _watch(page)
        _login(page, app_server.url, owner.email)
        # The navigation turns into a download, which Playwright reports as an aborted page load.
        with page.expect_download() as download, contextlib.suppress(PlaywrightError):
            page.goto(f"{app_server.url}/media/public/{name}")
        assert download.value.suggested_filename.endswith(".bin")
        page.wait_for_timeout(500)
        assert page.title() != "pwned" and seen["marker"] == []
    finally:
        storage.delete(name)
