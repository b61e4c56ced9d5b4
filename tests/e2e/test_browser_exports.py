"""The Returns page in real headless Chromium: start a GSTR-1 export, watch a build's row update itself,
download the file; every state passes axe at desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.storage import storages
from playwright.sync_api import expect

from apps.reports import kinds as export_kinds
from apps.reports.kinds import ExportKind
from apps.reports.models import Export
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.e2e.axe import axe_check
from tests.e2e.test_browser import _login
from tests.reports import kinds
from tests.reports.exports_helpers import ask, sha256_of
from tests.tenants.factories import gstin_for, gstin_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def returns_shop(settings, tmp_path, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    storages._storages = {}
    monkeypatch.setattr(Export._meta.get_field("file"), "storage", storages["exports"])
    # GSTR-1 JSON written by a test writer: the page and the machinery are what is tested here.
    monkeypatch.setitem(
        export_kinds._KINDS,
        "gstr1_json",
        ExportKind("gstr1_json", "GSTR-1 JSON", "json", "application/json", kinds.slow_write),
    )
    owner = UserFactory(email="owner@returns.in", full_name="Radha Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Radha Jewellers", state_code="27", gstin=gstin_for("27"),
                         address="3 Zaveri Bazaar, Mumbai")  # fmt: skip
    yield owner, gstin_verified(shop)
    storages._storages = {}


def _both_widths(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_owner_exports_gstr1_and_downloads_the_file(page, live_server, returns_shop):
    owner, shop = returns_shop
    _login(page, live_server.url, owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", name="GST returns", level=1)).to_be_visible()
    _both_widths(page)

    page.get_by_label("GSTR-1 JSON, to upload on the GST portal").check()
    page.get_by_role("button", name="Start the export").click()

    export = Export.objects.get(tenant=shop)
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_text("Ready")).to_be_visible()
    expect(page.get_by_text("The export has started")).to_have_count(0)  # the row tells the outcome
    _both_widths(page)
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("^Download")).click()
    saved = download.value
    assert saved.suggested_filename == f"gstr1-json-{shop.gstin}-{export.period_code}.json"
    assert sha256_of(Path(saved.path()).read_bytes()) == Export.objects.get(pk=export.pk).sha256


def test_a_row_being_built_updates_itself_until_the_file_is_ready(page, live_server, returns_shop):
    owner, shop = returns_shop
    export = ask(shop, owner, "test_slow", documents=5)  # committed: built at once, then set back
    Export.objects.filter(pk=export.pk).update(
        status="running", progress_done=12_000, progress_total=100_000, sha256="", file="", size=None
    )
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/reports/")
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_text("12,000 of 1,00,000 documents")).to_be_visible()
    expect(row.locator("progress")).to_have_attribute("value", "12000")
    _both_widths(page)

    Export.objects.filter(pk=export.pk).update(progress_done=60_000)
    expect(row.get_by_text("60,000 of 1,00,000 documents")).to_be_visible(timeout=10_000)
    Export.objects.filter(pk=export.pk).update(
        status="refused", problems=["INV/26-27/0009: line 1 has no HSN code"], progress_done=0
    )
    expect(row.get_by_text("1 thing to fix")).to_be_visible(timeout=10_000)
    expect(row).not_to_have_attribute("hx-trigger", re.compile(".+"))  # finished: it stops asking
    row.get_by_text("1 thing to fix").click()
    expect(row.get_by_text("INV/26-27/0009: line 1 has no HSN code")).to_be_visible()
    _both_widths(page)
