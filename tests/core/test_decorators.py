"""Reloading the address a form posted to (a GET) goes back to the form's page, never a blank 405."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

APPS = Path(settings.BASE_DIR) / "apps"


def _post_only_urls(resolver: URLResolver, namespace: str = "") -> list[tuple[str, str, dict, dict]]:
    """Every URL whose view is wrapped in post_only: (name, the page it goes back to, URL arguments,
    the page's arguments)."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _post_only_urls(entry, inner)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "post_only_page"):
            arguments = {name: 1 for name in entry.pattern.regex.groupindex}
            page_arguments = {name: 1 for name in entry.callback.post_only_arguments}
            found.append(
                (f"{namespace}{entry.name}", entry.callback.post_only_page, arguments, page_arguments)
            )
    return found


POST_ONLY = _post_only_urls(get_resolver())


def test_no_page_view_refuses_a_get_with_405():
    """A view that takes only a POST says where a GET goes back to (post_only), so none can be missed."""
    for views in [*APPS.glob("*/views.py"), *APPS.glob("*/views/*.py")]:
        source = views.read_text()
        assert "require_POST" not in source, views
        assert not re.search(r"require_http_methods\(\[\s*[\"']POST[\"']\s*\]\)", source), views
    names = {name for name, *_ in POST_ONLY}
    assert {
        "tenants:invitation_create",
        "tenants:switch",
        "accounts:logout",
        "inventory:stock_delete",
    } <= names
    assert len(POST_ONLY) == 50


@pytest.mark.parametrize(
    "name, page, arguments, page_arguments", POST_ONLY, ids=[name for name, *_ in POST_ONLY]
)
def test_reloading_a_form_address_goes_back_to_its_page(owner_client, name, page, arguments, page_arguments):
    url = reverse(name, kwargs=arguments)
    response = owner_client.get(url)
    assert response.status_code == 302, url
    assert response["Location"] == reverse(page, kwargs=page_arguments)
    assert owner_client.head(url).status_code == 302
    assert owner_client.put(url).status_code == 405


def test_reloading_the_invitation_address_shows_the_team_page(owner_client):
    response = owner_client.get(reverse("tenants:invitation_create"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("tenants:team"), 302)]
