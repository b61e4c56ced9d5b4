"""What pages and the links to them share: the page size, paging links, the CSV byte-order mark, and
links that leave the site (in e-mails and WhatsApp messages)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

PAGE_SIZE = 50
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
