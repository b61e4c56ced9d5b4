"""The register pages: who reads them, their filters, the htmx part, the export button, query counts."""

import re
from datetime import date
from html import unescape

import pytest
from django.utils import timezone

from apps.invoicing import services
from apps.reports.models import Export
from apps.reports.registers import DateRange
from apps.tenants.models import Role
from tests.conftest import add_member

pytestmark = pytest.mark.django_db

OCT = "from=2026-10-01&to=2026-10-31"
PAGES = ["sales", "hsn", "payments", "old-gold", "stock"]


def _text(response) -> str:
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def staff_client(book, make_client):
    return make_client(add_member(book.tenant, Role.STAFF, "counter@shop-a.in"), book.tenant)


def test_staff_read_every_register_and_the_index(staff_client):
    index = staff_client.get("/reports/registers/")
    assert index.status_code == 200
    text = _text(index)
    for title in (
        "Sales register",
        "HSN summary",
        "Payments by mode",
        "Old-gold purchases",
        "Stock movement",
    ):
        assert title in text
    menu = re.search(r'<nav class="main-nav".*?</nav>', index.content.decode(), re.S).group(0)
    assert re.search(r'href="/reports/registers/"[^>]*>Registers</a>', menu)  # staff reach them from the menu
    for slug in PAGES:
        assert staff_client.get(f"/reports/registers/{slug}/?{OCT}").status_code == 200, slug


def test_the_sales_register_page_shows_the_ranges_documents_and_totals(staff_client, book):
    response = staff_client.get(f"/reports/registers/sales/?{OCT}")

    text = _text(response)
    assert "October 2026" in text
    for name in ("I1", "I2", "CN1", "DN1"):
        assert book.documents[name].number in text
    assert book.documents["I0"].number not in text  # September's
    assert "-₹69,731.00" in text  # the credit note, negative
    assert "Total for the range ₹1,100.00 ₹99.00 ₹99.00 ₹0.00 ₹1,298.00" in text
    assert "1 cancelled, not counted" in text


def test_filters_narrow_the_list_and_htmx_gets_only_the_part_below_the_form(staff_client, book):
    response = staff_client.get(f"/reports/registers/sales/?{OCT}&kind=credit_note", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'hx-swap-oob="innerHTML"' in html  # the list's status line, out of band
    assert "1 document match" in _text(response)
    assert book.documents["CN1"].number in html and book.documents["I1"].number not in html
    cash = _text(staff_client.get(f"/reports/registers/payments/?{OCT}&mode=cash"))
    assert "Every payment and advance" not in cash
    assert "6 Oct 2026 Payment Cash" in cash and "UPI 4471" not in cash  # the UPI payment's reference


def test_another_shops_documents_are_not_on_its_pages(book, make_client, other_owner, other_shop):
    theirs = make_client(other_owner, other_shop)
    text = _text(theirs.get(f"/reports/registers/sales/?{OCT}"))
    assert "Kavya" in text
    assert "Ratna" not in text and "Meera" not in text and book.documents["I1"].number not in text
    stock = _text(theirs.get(f"/reports/registers/stock/?{OCT}"))
    assert "Silver 925" not in stock


def test_a_range_the_form_refuses_is_a_422_saying_why(staff_client):
    backwards = staff_client.get("/reports/registers/sales/?from=2026-10-31&to=2026-10-01")
    assert backwards.status_code == 422
    assert "The range ends before it starts" in _text(backwards)
    too_long = staff_client.get(
        "/reports/registers/stock/?from=2025-01-01&to=2026-10-31", HTTP_HX_REQUEST="true"
    )
    assert too_long.status_code == 422
    assert "at most 366 days" in _text(too_long)
    unreadable = staff_client.get("/reports/registers/hsn/?from=31/10/2026")
    assert unreadable.status_code == 422 and "Enter a date as 2026-10-31 or 31-10-2026" in _text(unreadable)


def test_without_a_range_a_register_shows_the_current_month(staff_client):
    response = staff_client.get("/reports/registers/payments/")
    month = DateRange.month_of(timezone.localdate())
    assert month.label in _text(response)
    assert f'value="{month.start.isoformat()}"' in response.content.decode()


def test_the_export_button_starts_a_csv_export_of_the_range_for_owners_only(book, make_client, staff_client):
    owner = make_client(book.owner, book.tenant)
    page = owner.get(f"/reports/registers/old-gold/?{OCT}&q=ratna").content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" class="inline-form">(.*?)</form>', page, re.S)
    assert form is not None and form.group(1) == "/reports/exports/new/"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    assert fields["kind"] == "register_old_gold" and fields["period"] == "2026-10"
    assert (fields["from"], fields["to"], fields["q"]) == ("2026-10-01", "2026-10-31", "ratna")

    response = owner.post(form.group(1), fields)
    assert response.status_code == 302
    export = Export.objects.get(tenant=book.tenant)
    assert (export.kind, export.period_code) == ("register_old_gold", "2026-10")
    assert export.options == {"from": "2026-10-01", "to": "2026-10-31", "q": "ratna"}

    # Staff read the registers; exporting them is for owners and admins.
    assert "Export CSV" not in staff_client.get(f"/reports/registers/old-gold/?{OCT}").content.decode()


def test_a_range_that_is_not_a_month_exports_under_the_month_it_starts_in(book, make_client):
    page = make_client(book.owner, book.tenant).get("/reports/registers/sales/?from=2026-10-15&to=2026-11-14")
    html = page.content.decode()
    assert "15 Oct 2026 to 14 Nov 2026" in _text(page)
    assert '<input type="hidden" name="period" value="2026-10">' in html
    assert '<input type="hidden" name="to" value="2026-11-14">' in html


def test_an_unsigned_visitor_is_sent_to_sign_in(client):
    response = client.get("/reports/registers/sales/")
    assert response.status_code == 302 and "/login" in response["Location"]


def _more_sales(book, on_day, count: int) -> None:
    on_day(date(2026, 10, 22))
    for n in range(count):
        draft = services.invoice_draft_create(tenant=book.tenant, actor=book.owner, customer=book.ratna)
        services.invoice_line_add_free(
            tenant=book.tenant, actor=book.owner, invoice=draft, description=f"Repair {n}", hsn_code="9987",
            amount="500",
        )  # fmt: skip
        invoice = services.invoice_issue(tenant=book.tenant, actor=book.owner, invoice=draft)
        services.payment_record(
            tenant=book.tenant, actor=book.owner, invoice=invoice, mode="upi", amount="590"
        )
        services.old_gold_voucher_create(
            tenant=book.tenant, actor=book.owner, customer=book.ratna, gross_weight="1", purity_percent="75",
            rate_per_gram="5000",
        )  # fmt: skip
    on_day.reset()


@pytest.mark.parametrize("slug", PAGES)
def test_a_register_page_costs_the_same_queries_however_many_rows(
    slug, book, staff_client, on_day, assert_app_queries
):
    url = f"/reports/registers/{slug}/?{OCT}"
    staff_client.get(url)  # warm: the session's first request
    with assert_app_queries() as few:
        assert staff_client.get(url).status_code == 200
    _more_sales(book, on_day, 6)
    with assert_app_queries(few.count):
        assert staff_client.get(url).status_code == 200
    # What every page reads (the user, the membership with its workspace, the AMC banner's contract: 3),
    # then the register: a page of rows, their count and the totals;
    # HSN: rows, per section, in all; payments: by mode, advances, the page and its count; stock: what
    # was entered, what moved (and no more: the range is over).
    expected = {"sales": 6, "hsn": 6, "payments": 7, "old-gold": 6, "stock": 5}
    assert few.count == expected[slug]


def test_an_export_of_a_range_of_days_is_listed_and_named_by_its_days(book, make_client):
    owner = make_client(book.owner, book.tenant)
    fields = {"kind": "register_sales", "period": "2026-10", "from": "2026-10-15", "to": "2026-11-14"}
    assert owner.post("/reports/exports/new/", fields).status_code == 302
    export = Export.objects.get(tenant=book.tenant)
    assert (export.period_label, export.covers_code) == (
        "15 Oct 2026 to 14 Nov 2026",
        "2026-10-15-to-2026-11-14",
    )
    # A whole month is named as the month.
    whole = Export(period_start=date(2026, 10, 1), period_end=date(2026, 10, 31), period_code="2026-10",
                   options={"from": "2026-10-01", "to": "2026-10-31"})  # fmt: skip
    assert (whole.period_label, whole.covers_code) == ("October 2026", "2026-10")
