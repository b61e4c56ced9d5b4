"""Every page carries a Content-Security-Policy that runs only our own scripts and styles."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from apps.core.views import server_error_view
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def _assert_strict(policy: dict[str, list[str]]) -> None:
    for directive in ("script-src", "style-src"):
        assert policy[directive][0] == "'self'", policy
        assert "'unsafe-inline'" not in policy[directive] and "'unsafe-eval'" not in policy[directive]
        assert not any(source in ("*", "data:", "https:") for source in policy[directive])
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("tenants:dashboard"),
        reverse("inventory:stock_list"),
        reverse("tenants:settings_profile"),
        reverse("provisioning:project_list"),
        "/no-such-page/",
    ],
)
def test_pages_allow_only_our_own_scripts_and_styles(owner_client, url):
    response = owner_client.get(url)
    assert response.status_code in (200, 404)
    policy = _policy(response)
    _assert_strict(policy)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]


def test_login_page_and_admin_carry_the_policy(client):
    _assert_strict(_policy(client.get(reverse("accounts:login"))))
    client.force_login(UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:tenants_tenant_changelist"))
    assert response.status_code == 200
    _assert_strict(_policy(response))


def test_api_docs_run_only_their_own_nonced_start_up_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = _policy(response)
    _assert_strict(policy)
    nonce = next(s for s in policy["script-src"] if s.startswith("'nonce-"))[len("'nonce-") : -1]
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert client.get("/api/docs/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_the_error_page_runs_no_script_and_only_its_own_style():
    request = RequestFactory().get("/")
    request.id = "req-1"
    response = server_error_view(request)
    policy = _policy(response)
    assert policy["default-src"] == ["'none'"] and "script-src" not in policy
    nonce = policy["style-src"][0][len("'nonce-") : -1]
    assert f'<style nonce="{nonce}">' in response.content.decode()


def _templates() -> list[Path]:
    folders = [Path(settings.BASE_DIR) / "templates", *(Path(settings.BASE_DIR) / "apps").glob("*/templates")]
    return [path for folder in folders for path in folder.rglob("*.html")]


def test_templates_have_no_inline_script_style_or_handler():
    """Inline code would be blocked by the policy: behaviour belongs in static/js, looks in static/css."""
    found = []
    for path in _templates():
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\b(src|nonce)=)[^>]*>",  # an inline script without this request's nonce
            r"<style(?![^>]*\bnonce=)[^>]*>",
            r"\sstyle=[\"']",
            r"\son[a-z]+=[\"']",
            r"javascript:",
            r"\bhx-on",
        ):
            found += [f"{path.name}: {match.group(0)}" for match in re.finditer(pattern, text)]
    assert not found, found
