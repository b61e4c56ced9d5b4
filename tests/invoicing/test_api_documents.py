"""`GET /api/v1/invoices/{id}/pdf`: the expiring link to an issued document's stored PDF."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.invoicing import services
from apps.invoicing.models import Invoice
from tests.api_helpers import ApiClient, make_key
from tests.conftest import login
from tests.invoicing.conftest import article, draft_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_api(shop, staff_user):
    return ApiClient(make_key(shop, staff_user, "staff"))


@pytest.fixture
def issued(shop, owner, buyer):
    """An issued invoice whose PDF the worker has not stored yet."""
    return services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner), customer=buyer)
    )


def _link(api, invoice) -> dict:
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_link_opens_the_stored_pdf_for_its_member_until_it_expires(
    client, shop, staff_user, issued, shop_api, settings
):
    before = timezone.now()
    body = _link(shop_api, issued)
    assert set(body) == {"url", "expires_at"}
    expires_at = parse_datetime(body["expires_at"])
    expiry = timedelta(seconds=settings.PRIVATE_FILE_URL_EXPIRY_SECONDS)
    assert before + expiry - timedelta(seconds=1) <= expires_at <= timezone.now() + expiry
    issued.refresh_from_db()
    assert issued.pdf  # not stored by the worker yet: rendered and stored now, as the page does
    url = urlsplit(body["url"])
    assert url.scheme == "http" and url.netloc == "testserver"
    login(client, staff_user, shop)  # on local disk the link is the page's: for the member's browser
    response = client.get(url.path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert _link(shop_api, issued)["expires_at"] >= body["expires_at"]  # asking again gives a new link
    assert Invoice.objects.get(pk=issued.pk).pdf.name == issued.pdf.name  # and stores nothing again


def test_in_s3_the_link_is_presigned_and_opens_without_credentials(shop, issued, shop_api, invoices_in_s3):
    body = _link(shop_api, issued)
    assert "X-Amz-Expires=300" in body["url"] and "X-Amz-Signature=" in body["url"]
    response = requests.get(body["url"], timeout=10)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/pdf"


def test_a_draft_has_no_pdf_and_is_409(shop, owner, shop_api):
    draft = draft_with(shop, owner, article(shop, owner))
    response = shop_api.get(f"/api/v1/invoices/{draft.pk}/pdf")
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_issued"
    assert "Issue it first" in response.json()["message"]
    draft.refresh_from_db()
    assert not draft.pdf
