import hashlib
from io import BytesIO

import pytest
from django.core import mail, signing
from django.db import transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from apps.invoicing import services
from apps.invoicing.models import Invoice
from tests.conftest import login
from tests.invoicing.conftest import article, draft_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(shop, owner, buyer):
    ring = article(shop, owner)
    invoice = services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, ring, customer=buyer)
    )
    services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="upi", amount="1000")
    return invoice


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_pdf_carries_what_rule_46_and_bis_ask_and_renders_the_same_every_time(shop, sale):
    first = services.invoice_pdf_render(tenant=shop, invoice=sale)
    assert first.startswith(b"%PDF-")
    assert (
        hashlib.sha256(services.invoice_pdf_render(tenant=shop, invoice=sale)).digest()
        == hashlib.sha256(first).digest()
    )
    text = _text(first)
    for expected in (shop.name, shop.gstin, sale.number, "Meera Shah", "Maharashtra (27)", "7113", "22K916",
                     sale.lines.get().huid, "BIS-recognised", "Authorised signatory", "Sixty-Nine Thousand"):  # fmt: skip
        assert expected in text, expected


def test_the_pdf_is_stored_once_and_then_frozen(shop, owner, sale):
    stored = services.invoice_pdf_store(tenant=shop, invoice=sale)
    assert stored.pdf.name.startswith(f"invoices/t{shop.pk}/")
    with stored.pdf.open("rb") as pdf:
        assert hashlib.sha256(pdf.read()).hexdigest() == stored.pdf_sha256
    again = services.invoice_pdf_store(tenant=shop, invoice=sale)
    assert again.pdf.name == stored.pdf.name


@pytest.mark.postgres
def test_the_database_lets_the_pdf_be_recorded_once_only(shop, sale):
    services.invoice_pdf_store(tenant=shop, invoice=sale)
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        Invoice.objects.filter(pk=sale.pk).update(pdf="invoices/elsewhere.pdf")


def test_issuing_renders_the_pdf_after_commit(shop, owner, buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_issue(
            tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner), customer=buyer)
        )
    invoice.refresh_from_db()
    assert invoice.pdf and len(invoice.pdf_sha256) == 64


def test_members_get_the_pdf_through_an_expiring_link(client, shop, owner, sale):
    login(client, owner, shop)
    response = client.get(reverse("invoicing:invoice_pdf", args=[sale.pk]), follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_buyers_link_opens_the_bill_without_an_account_until_it_expires(shop, sale, settings):
    url = reverse("invoicing:bill_shared", args=[services.invoice_share_token(sale)])
    response = Client().get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert Client().get(url[:-3] + "xyz/").status_code == 404  # forged
    forged = signing.dumps({"i": sale.pk, "t": sale.tenant_id}, salt="something-else", compress=True)
    assert Client().get(reverse("invoicing:bill_shared", args=[forged])).status_code == 404


def test_a_link_to_a_draft_opens_nothing(shop, owner):
    draft = draft_with(shop, owner)
    url = reverse("invoicing:bill_shared", args=[services.invoice_share_token(draft)])
    assert Client().get(url).status_code == 404


def test_the_bill_is_e_mailed_with_its_pdf(client, shop, owner, sale, django_capture_on_commit_callbacks):
    login(client, owner, shop)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invoicing:invoice_email", args=[sale.pk]), {"to": "meera@example.in"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["meera@example.in"] and sale.number in message.subject
    (name, data, kind) = message.attachments[0]
    assert kind == "application/pdf" and data.startswith(b"%PDF-") and name.endswith(".pdf")
    bad = client.post(reverse("invoicing:invoice_email", args=[sale.pk]), {"to": "not-an-address"})
    assert bad.status_code == 422 and len(mail.outbox) == 1


def test_the_whatsapp_link_names_the_buyer_and_carries_the_bill_link(client, shop, owner, sale):
    login(client, owner, shop)
    page = client.get(reverse("invoicing:invoice_detail", args=[sale.pk])).content.decode()
    assert "https://wa.me/919820012345?text=" in page
    assert "%2Fbills%2F" in page
