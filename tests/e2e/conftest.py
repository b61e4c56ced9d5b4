import shutil

import pytest

from tests.e2e.axe import axe_flush, axe_on_every_page, axe_report, axe_reset

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        # Tests marked `browser` are skipped (or failed, in CI) before reaching this fixture.
        pytest.fail("Chromium is not installed; mark the test `browser` or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, pytest.MonkeyPatch.context() as monkeypatch, axe_on_every_page(monkeypatch):
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test fails if axe-core found a WCAG A/AA violation on any page it showed."""
    axe_reset()
    result = yield
    browser = item.funcargs.get("browser")
    if browser is None and "page" in item.funcargs:
        browser = item.funcargs["page"].context.browser
    found = axe_flush(browser) if browser is not None else []
    if found:
        raise AssertionError("axe-core found WCAG violations:\n" + axe_report(found))
    return result


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-IN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


from tests.provisioning.conftest import aws_env, moto_server  # noqa: E402, F401 - moto for pages that reach AWS
