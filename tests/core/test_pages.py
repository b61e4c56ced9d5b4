import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_404_page_is_friendly(owner_client):
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn" in response.content.decode() and "Go to your dashboard" in response.content.decode()


def test_500_page_names_the_request_id(settings):
    from django.test import RequestFactory

    from apps.core.views import server_error_view

    request = RequestFactory().get("/")
    request.id = "req-abc-12345678"
    response = server_error_view(request)
    assert response.status_code == 500
    assert "req-abc-12345678" in response.content.decode()
    assert "nothing you entered was half-saved" in response.content.decode()


def test_base_layout_loads_htmx_from_our_own_static_files(owner_client):
    body = owner_client.get(reverse("tenants:dashboard")).content.decode()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', body)
    assert any(src.startswith("/static/django_htmx/htmx") for src in scripts), scripts
    assert all(src.startswith("/static/") for src in scripts), scripts
    assert all(href.startswith("/static/") for href in re.findall(r'<link[^>]+href="([^"]+)"', body))


def test_navigation_shows_only_built_areas(owner_client):
    body = owner_client.get(reverse("tenants:dashboard")).content.decode()
    assert ">Dashboard<" in body and ">Settings<" in body and ">Stock &amp; HUID<" in body
    for area in ["Invoices", "GST", "Infrastructure", "Billing"]:
        assert f">{area}<" not in body


def test_emulator_banner_only_when_aws_is_emulated(owner_client, settings):
    settings.AWS_ENDPOINT_URL = ""
    assert "AWS is emulated" not in owner_client.get(reverse("tenants:dashboard")).content.decode()
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5055"
    assert "AWS is emulated" in owner_client.get(reverse("tenants:dashboard")).content.decode()


def test_every_admin_page_opens_for_a_super_admin(tenant, owner):
    superuser = UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, _model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"})
        assert changelist.status_code == 200, info
        obj = model._default_manager.first()
        if obj is not None:
            assert (
                client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
            ), info


def test_admin_is_closed_to_shop_owners(owner_client):
    response = owner_client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_pages_declare_indian_english_so_date_boxes_read_day_first(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en-IN">' in page


@pytest.mark.parametrize("address", ["/api-docs", "/api-docs/"])
def test_api_docs_guesses_lead_to_the_api_docs(client, address):
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"] == reverse("api-docs") == "/api/docs/"
