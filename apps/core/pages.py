"""What list pages and their downloads share: the page size, paging links and the CSV byte-order mark."""

from __future__ import annotations

from django.http import HttpRequest

PAGE_SIZE = 50
# Spreadsheets (Excel on Windows above all) read a CSV as UTF-8 only when it starts with a BOM.
CSV_BOM = "\ufeff"


def querystring_without(request: HttpRequest, drop: str = "page") -> str:
    """The request's query string without `drop`, for links that keep the filters and change the page."""
    query = request.GET.copy()
    query.pop(drop, None)
    return query.urlencode()
