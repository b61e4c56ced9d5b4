"""Long lists count their rows only so far (`apps.core.pages.CappedPaginator`), and say so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import pages
from apps.core.pages import CappedPaginator
from apps.inventory.models import StockItem
from tests.inventory.factories import StockItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(tenant, owner, other_tenant, other_owner):
    """Seven articles in shop A, three in shop B."""
    for n in range(7):
        StockItemFactory(tenant=tenant, actor=owner, sku=f"A-{n}", name=f"Ring {n}")
    for n in range(3):
        StockItemFactory(tenant=other_tenant, actor=other_owner, sku=f"B-{n}", name=f"Ring {n}")


@pytest.fixture
def short_pages(monkeypatch):
    """Pages of 2 rows, counted up to 4 rows and one page ahead."""
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    monkeypatch.setattr(pages, "COUNT_LIMIT", 4)
    monkeypatch.setattr(pages, "PAGES_AHEAD", 1)


def test_the_count_stops_past_the_limit(stock, tenant, short_pages):
    rows = StockItem.objects.for_tenant(tenant).order_by("sku")
    paginator = CappedPaginator(rows, 2, number=1)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.limit, paginator.count, paginator.capped, paginator.counted_pages) == (
            4,
            5,
            True,
            2,
        )
    assert len(queries) == 1 and " LIMIT 5" in queries[0]["sql"].upper()
    assert "ORDER BY" not in queries[0]["sql"].upper()  # any five rows will do for a count
    assert paginator.page(2).has_next()  # the row past the limit makes one more page: "Next" leads on
    further = CappedPaginator(rows, 2, number=3)  # and asking for it counts further
    assert further.page(3).has_next() and [item.sku for item in further.page(3)] == ["A-4", "A-5"]


def test_a_short_list_is_counted_exactly(stock, tenant, short_pages):
    paginator = CappedPaginator(StockItem.objects.for_tenant(tenant).filter(sku__lt="A-3"), 2, number=1)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, False, 2)


def test_a_deep_page_counts_further(stock, tenant, short_pages):
    """Asking for page 3 counts to page 4 (one page ahead): paging on past the first limit works."""
    paginator = CappedPaginator(StockItem.objects.for_tenant(tenant), 2, number=3)
    assert (paginator.limit, paginator.count, paginator.capped) == (8, 7, False)


def test_the_stock_page_says_more_than_when_it_stopped_counting(owner_client, stock, short_pages):
    url = reverse("inventory:stock_list")
    html = owner_client.get(url).content.decode()
    assert "More than 4 articles" in html
    assert "Page 1 of more than 2<" in html
    third = owner_client.get(url, {"page": 3}).content.decode()
    assert "7 articles" in third and "Page 3 of 4<" in third  # counted on, to the end, from a deeper page
    found = owner_client.get(url, {"q": "Ring"}, HTTP_HX_REQUEST="true").content.decode()
    assert "More than 4 articles match" in found  # in the list's head and in its live status line
    assert found.count("More than 4 articles match") == 2


def test_the_sales_page_says_more_than_when_it_stopped_counting(owner_client, tenant, owner, short_pages):
    from apps.invoicing import services

    for _ in range(5):
        services.invoice_draft_create(tenant=tenant, actor=owner)
    html = owner_client.get(reverse("invoicing:invoice_list")).content.decode()
    assert "More than 4 invoices" in html and "Page 1 of more than 2" in html
