"""What pages and the links to them share: the page size, paging links, the CSV byte-order mark, and
links that leave the site (in e-mails and WhatsApp messages)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property

PAGE_SIZE = 50
# A long list counts its rows only so far: this many, or ten pages past the one asked for.
COUNT_LIMIT = 1000
PAGES_AHEAD = 10
# Spreadsheets (Excel on Windows above all) read a CSV as UTF-8 only when it starts with a BOM.
CSV_BOM = "\ufeff"


def querystring_without(request: HttpRequest, drop: str = "page") -> str:
    """The request's query string without `drop`, for links that keep the filters and change the page."""
    query = request.GET.copy()
    query.pop(drop, None)
    return query.urlencode()


def site_link(url_name: str, *args) -> str:
    """An absolute link to one of our pages, for a message read outside the site (TIJORI_SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse(url_name, args=args)


class CappedPaginator(Paginator):
    """Pages whose count stops at `limit` rows: "more than 1,000 articles match" instead of a count of
    all the shop's matches on every page.

    The count reads at most `limit` + 1 rows (COUNT over a LIMIT), so it costs what reading that many
    does, not what the shop holds: a search that PostgreSQL cannot answer from an index (a part of a
    name, under row-level security) stops after the first thousand matches. Paging stays open-ended:
    `limit` is at least ten pages past the page asked for, so "Next" always leads on while there is more.
    Templates read `capped` (more rows than counted), `limit` and `counted_pages`.
    """

    def __init__(self, object_list, per_page, *, number: int = 1, limit: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.limit = max(limit or COUNT_LIMIT, (number + PAGES_AHEAD) * per_page)

    @cached_property
    def count(self) -> int:
        """The rows, or `limit` + 1 when there are more (so the last page counted in full has a next one).

        Counted without the list's order and columns: any `limit` + 1 rows will do, and the amounts
        a list shows per row (subqueries) are not worked out for rows only counted."""
        rows = self.object_list
        if hasattr(rows, "values"):
            rows = rows.order_by().values("pk")
        return rows[: self.limit + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.limit

    @property
    def counted_pages(self) -> int:
        """The pages the count covers in full ("page 3 of more than 20")."""
        return self.limit // self.per_page


def list_page(object_list, request: HttpRequest, *, per_page: int | None = None) -> Page:
    """The page `?page=` names of a long list (the last one for a number past the end), counted only
    so far (`CappedPaginator`)."""
    asked = request.GET.get("page")
    try:
        number = max(1, int(asked or 1))
    except ValueError:
        number = 1
    return CappedPaginator(object_list, per_page or PAGE_SIZE, number=number).get_page(asked)
