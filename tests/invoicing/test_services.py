from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.inventory.models import StockItem
from apps.invoicing import services
from apps.invoicing.exceptions import ArticleNotForSale, InvoiceNotDraft, InvoiceNotIssued
from apps.invoicing.models import Invoice, InvoiceLine
from apps.tenants.services import tenant_gstin_certificate_upload, tenant_update
from tests.invoicing.conftest import RING_TAXABLE, article, draft_with
from tests.tenants.factories import certificate_png, gstin_for, gstin_verified

pytestmark = pytest.mark.django_db


def test_an_article_line_is_priced_at_todays_rate_with_its_making_and_stones(shop, owner):
    ring = article(shop, owner)
    invoice = draft_with(shop, owner, ring)
    line = invoice.lines.get()
    assert (line.net_weight, line.rate_per_gram) == (Decimal("9.500"), Decimal("6500.00"))
    assert (line.metal_value, line.making_charge, line.stone_value) == (
        Decimal("61750.00"), Decimal("4750.00"), Decimal("1200.00"),
    )  # fmt: skip
    assert line.taxable_value == RING_TAXABLE and line.gst_rate == Decimal("3")
    assert (line.sku, line.huid, line.purity_label, line.hsn_code) == (ring.sku, ring.huid, "22K916", "7113")


def test_changing_the_weight_reprices_the_line_and_its_per_gram_making(shop, owner):
    invoice = draft_with(shop, owner, article(shop, owner))
    line = services.invoice_line_update(
        tenant=shop, actor=owner, line=invoice.lines.get(), gross_weight="12.5"
    )
    assert line.net_weight == Decimal("12.000")
    assert line.metal_value == Decimal("78000.00") and line.making_charge == Decimal("6000.00")


def test_issuing_numbers_taxes_freezes_and_sells(shop, owner, buyer):
    ring = article(shop, owner)
    invoice = services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, ring, customer=buyer)
    )
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.number.startswith("INV/") and invoice.number.endswith("/0001")
    assert invoice.taxable_value == RING_TAXABLE
    assert invoice.cgst == invoice.sgst == Decimal("1015.50") and invoice.igst == 0  # 1.5% of 67,700
    assert invoice.grand_total == Decimal("69731.00") and invoice.round_off == Decimal("0.00")
    assert invoice.amount_in_words == "Rupees Sixty-Nine Thousand Seven Hundred Thirty-One Only"
    assert invoice.seller_gstin == shop.gstin and invoice.retain_until >= date(
        invoice.issued_on.year + 6, 12, 31
    )
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.SOLD
    assert AuditEvent.objects.filter(tenant=shop, action="invoice.issue", target_id=str(invoice.pk)).exists()
    sold = AuditEvent.objects.get(tenant=shop, action="stock.stock_status", target_id=str(ring.pk))
    assert sold.summary == f"{ring.sku}: stock status In stock → Sold (sold on invoice {invoice.number})"


def test_goods_sent_to_another_state_pay_igst(shop, owner, buyer):
    invoice = draft_with(shop, owner, article(shop, owner), customer=buyer)
    services.invoice_draft_update(tenant=shop, actor=owner, invoice=invoice, place_of_supply="29")
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    assert (invoice.cgst, invoice.sgst, invoice.igst) == (0, 0, Decimal("2031.00"))


def test_a_gold_article_without_its_huid_is_refused_at_issue_and_nothing_is_written(shop, owner, buyer):
    ring = article(shop, owner, huid="", hallmark_status="pending")
    with pytest.raises(ArticleNotForSale, match="no HUID, no sale"):
        draft_with(shop, owner, ring)
    invoice = draft_with(shop, owner)
    services.invoice_line_add_free(tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987",
                                   amount="200")  # fmt: skip
    # Sold from under the draft by another invoice: the second issue is refused whole.
    chain = article(shop, owner, name="Chain")
    services.invoice_line_add_article(tenant=shop, actor=owner, invoice=invoice, item=chain)
    services.invoice_issue(tenant=shop, actor=owner, invoice=draft_with(shop, owner, chain, customer=buyer))
    with pytest.raises(ArticleNotForSale, match="sold"):
        services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT and invoice.number == ""
    assert invoice.lines.filter(cgst__gt=0).count() == 0


def test_a_free_line_takes_its_rate_from_the_rate_table(shop, owner):
    invoice = draft_with(shop, owner)
    line = services.invoice_line_add_free(
        tenant=shop,
        actor=owner,
        invoice=invoice,
        description="Ring resizing",
        hsn_code="998713",
        amount="500",
    )
    assert line.gst_rate == Decimal("18") and line.taxable_value == Decimal("500.00")
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    assert invoice.cgst == invoice.sgst == Decimal("45.00") and invoice.grand_total == Decimal("590.00")


def test_a_free_line_with_an_unknown_code_needs_a_rate(shop, owner):
    invoice = draft_with(shop, owner)
    with pytest.raises(ValidationError) as caught:
        services.invoice_line_add_free(
            tenant=shop, actor=owner, invoice=invoice, description="Box", hsn_code="4819", amount="50"
        )
    assert "give the rate" in caught.value.message_dict["gst_rate"][0]
    assert not InvoiceLine.objects.filter(invoice=invoice).exists()


def test_a_sale_over_two_lakh_needs_pan_or_form_60(shop, owner, buyer):
    big = article(shop, owner, gross_weight="40", stone_weight="0")  # ₹2.6 lakh of gold alone
    invoice = draft_with(shop, owner, big, customer=buyer)
    with pytest.raises(ValidationError, match="Rule 114B"):
        services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.DRAFT
    services.customer_update(tenant=shop, actor=owner, customer=buyer, form_60_given=True)
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    assert invoice.buyer_form_60 and invoice.buyer_name == "Meera Shah"


def test_an_unregistered_buyer_of_fifty_thousand_or_more_is_named(shop, owner):
    invoice = draft_with(shop, owner, article(shop, owner))
    with pytest.raises(ValidationError, match="names them"):
        services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)


def test_an_issued_invoice_cannot_be_edited_discarded_or_issued_again(shop, owner):
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=_small_draft(shop, owner))
    for call in (
        lambda: services.invoice_draft_update(
            tenant=shop, actor=owner, invoice=invoice, place_of_supply="29"
        ),
        lambda: services.invoice_draft_discard(tenant=shop, actor=owner, invoice=invoice),
        lambda: services.invoice_issue(tenant=shop, actor=owner, invoice=invoice),
        lambda: services.invoice_line_update(tenant=shop, actor=owner, line=invoice.lines.get(), amount="1"),
    ):
        with pytest.raises(InvoiceNotDraft):
            call()


def test_cancelling_keeps_the_number_and_puts_the_articles_back(shop, owner, buyer):
    ring = article(shop, owner)
    invoice = services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, ring, customer=buyer)
    )
    with pytest.raises(ValidationError):
        services.invoice_cancel(tenant=shop, actor=owner, invoice=invoice, reason="  ")
    invoice = services.invoice_cancel(
        tenant=shop, actor=owner, invoice=invoice, reason="Customer changed mind"
    )
    assert invoice.status == Invoice.Status.CANCELLED and invoice.number.endswith("/0001")
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.IN_STOCK
    assert AuditEvent.objects.filter(
        action="stock.stock_status",
        target_id=str(ring.pk),
        summary__endswith=f"(invoice {invoice.number} cancelled)",
    ).exists()
    with pytest.raises(InvoiceNotIssued):
        services.invoice_cancel(tenant=shop, actor=owner, invoice=invoice, reason="again")
    # The next invoice does not reuse the cancelled number.
    assert services.invoice_issue(
        tenant=shop, actor=owner, invoice=_small_draft(shop, owner)
    ).number.endswith("/0002")


def test_a_shop_without_gstin_or_address_cannot_issue(tenant, owner):
    invoice = _small_draft(tenant, owner)
    with pytest.raises(ValidationError, match="GSTIN and address"):
        services.invoice_issue(tenant=tenant, actor=owner, invoice=invoice)


@pytest.mark.usefixtures("certificates_in_tmp")
def test_a_shop_whose_gstin_is_not_verified_cannot_issue_and_is_told_how_to_get_it_verified(tenant, owner):
    tenant = tenant_update(tenant=tenant, actor=owner, name=tenant.name, state_code="27", gstin=gstin_for("27"),
                           address="12 Zaveri Bazaar")  # fmt: skip
    invoice = _small_draft(tenant, owner)
    with pytest.raises(ValidationError, match=r"not verified.*GST registration certificate in Settings"):
        services.invoice_issue(tenant=tenant, actor=owner, invoice=invoice)
    tenant = tenant_gstin_certificate_upload(tenant=tenant, actor=owner, upload=certificate_png())
    with pytest.raises(ValidationError, match="waiting to be verified"):
        services.invoice_issue(tenant=tenant, actor=owner, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT and not invoice.number
    assert not AuditEvent.objects.filter(tenant=tenant, action="invoice.issue").exists()

    issued = services.invoice_issue(tenant=gstin_verified(tenant), actor=owner, invoice=invoice)
    assert issued.status == Invoice.Status.ISSUED and issued.seller_gstin == gstin_for("27")


def test_discarding_a_draft_removes_it_and_is_audited(shop, owner):
    invoice = _small_draft(shop, owner)
    services.invoice_draft_discard(tenant=shop, actor=owner, invoice=invoice)
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert AuditEvent.objects.filter(tenant=shop, action="invoice.discard").count() == 1


def test_a_registered_customer_takes_the_state_of_their_gstin(shop, owner):
    customer = services.customer_create(tenant=shop, actor=owner, kind="registered", name="Ratna Traders",
                                        gstin=gstin_for("29", pan="AAACR1234C").lower(), state_code="27")  # fmt: skip
    assert customer.state_code == "29" and customer.gstin == gstin_for("29", pan="AAACR1234C")
    with pytest.raises(ValidationError) as caught:
        services.customer_create(tenant=shop, actor=owner, kind="registered", name="No GSTIN")
    assert "gstin" in caught.value.message_dict


def _small_draft(tenant, actor):
    invoice = services.invoice_draft_create(tenant=tenant, actor=actor)
    services.invoice_line_add_free(tenant=tenant, actor=actor, invoice=invoice, description="Polish",
                                   hsn_code="9987", amount="100")  # fmt: skip
    return invoice
