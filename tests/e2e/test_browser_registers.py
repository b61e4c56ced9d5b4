"""The registers in real headless Chromium: found from the menu, filtered in place, exported; every page
and every state passes axe at desktop and phone widths."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from playwright.sync_api import expect

from apps.reports.models import Export
from apps.tenants.models import Role
from tests.conftest import add_member
from tests.e2e.axe import axe_check
from tests.e2e.test_browser import _login
from tests.invoicing.conftest import buyer, other_shop, shop  # noqa: F401 - fixtures
from tests.reports.registers_data import book, on_day  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OCT = "from=2026-10-01&to=2026-10-31"


@pytest.fixture
def exports_on_disk(settings, tmp_path, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    storages._storages = {}
    monkeypatch.setattr(Export._meta.get_field("file"), "storage", storages["exports"])
    yield
    storages._storages = {}


def _both_widths(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_staff_member_reads_the_registers_and_filters_one_in_place(page, live_server, book):  # noqa: F811 - fixtures
    staff = add_member(book.tenant, Role.STAFF, "counter@shop-a.in")
    _login(page, live_server.url, staff.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Registers").click()
    expect(page.get_by_role("heading", name="Registers", level=1)).to_be_visible()
    _both_widths(page)

    for slug in ("sales", "hsn", "payments", "old-gold", "stock"):
        page.goto(f"{live_server.url}/reports/registers/{slug}/?{OCT}")
        expect(page.get_by_role("heading", name="October 2026")).to_be_visible()
        _both_widths(page)
    expect(page.get_by_role("button", name="Export CSV")).to_have_count(
        0
    )  # exporting is for owners and admins

    page.goto(f"{live_server.url}/reports/registers/sales/?{OCT}")
    rows = page.locator("#register-body tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_label("Document").select_option("credit_note")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(book.documents["CN1"].number)
    expect(page.locator("#register-status")).to_have_text("1 document matches")
    assert "kind=credit_note" in page.url  # the filtered list has its own address
    _both_widths(page)

    page.get_by_label("To", exact=True).fill("2026-09-30")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The range ends before it starts")).to_be_visible()
    _both_widths(page)


def test_an_owner_exports_a_register_as_csv(page, live_server, book, exports_on_disk):  # noqa: F811 - fixtures
    _login(page, live_server.url, book.owner.email)
    page.goto(f"{live_server.url}/reports/registers/old-gold/?{OCT}")
    page.get_by_role("button", name="Export CSV").click()

    expect(page.get_by_role("heading", name="GST returns", level=1)).to_be_visible()
    export = Export.objects.get(tenant=book.tenant)
    assert (export.kind, export.options) == ("register_old_gold", {"from": "2026-10-01", "to": "2026-10-31"})
    expect(page.locator(f"#export-{export.pk}").get_by_text("Ready")).to_be_visible()
    _both_widths(page)
