"""Tijori's own GST invoices to shops: issued when a payment is recorded, from the platform's GSTIN and
address, at the rate on record for its SAC, CGST and SGST within its state and IGST across, numbered in
its own gapless series per financial year, the PDF kept under the invoices' retention (locked in S3),
downloaded by the shop; a refund or a void is a credit note, never a deletion."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal

import boto3
import pytest
from django.core.files.storage import storages
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.billing import services
from apps.billing.exceptions import PaymentsOff, PlatformInvoiceRefused
from apps.billing.models import BillingPayment, BillingRecordImmutable, PlatformInvoice, PlatformSeries
from apps.core.rls import tenant_scope
from apps.core.storage import lock_instant
from apps.gst.periods import FinancialYear
from apps.invoicing.services.series import number_render
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.billing.conftest import contract_of
from tests.billing.signed import order_for, payment_id
from tests.conftest import INVOICES_BUCKET
from tests.tenants.factories import gstin_for, gstin_verified

pytestmark = pytest.mark.django_db


def _paid(tenant, *, today: date | None = None) -> PlatformInvoice:
    """The tenant pays its amount due online; Tijori's invoice for it."""
    order = order_for(tenant)
    payment = services.billing_payment_confirm(
        order=order,
        gateway_payment_id=payment_id(),
        amount_paise=order.amount_paise,
        caused_by="test",
        today=today,
    )
    return PlatformInvoice.objects.get(payment=payment, doc_type="invoice")


def test_a_shop_in_the_platforms_state_is_invoiced_cgst_and_sgst(tenant, settings):
    Tenant.objects.filter(pk=tenant.pk).update(gstin=gstin_for("27"), address="12 Zaveri Bazaar, Mumbai")
    tenant = gstin_verified(tenant)

    invoice = _paid(tenant)

    contract = contract_of(tenant)
    fy = FinancialYear.of(invoice.issued_on)
    assert invoice.number == f"TJ/{fy.short}/00001" and len(invoice.number) <= 16
    assert (invoice.seller_name, invoice.seller_gstin, invoice.seller_state_code) == (
        settings.PLATFORM_LEGAL_NAME, "27AAICT4821M1ZX", "27",
    )  # fmt: skip
    assert invoice.seller_address == settings.PLATFORM_ADDRESS
    assert (invoice.buyer_name, invoice.buyer_gstin, invoice.buyer_state_code, invoice.place_of_supply) == (
        "Shop A Jewellers", gstin_for("27"), "27", "27",
    )  # fmt: skip
    assert invoice.buyer_address == "12 Zaveri Bazaar, Mumbai"
    assert (invoice.sac, invoice.gst_rate) == ("998313", Decimal("18.00"))
    assert (invoice.taxable_value, invoice.cgst, invoice.sgst, invoice.igst, invoice.total) == (
        Decimal("10000.00"), Decimal("900.00"), Decimal("900.00"), Decimal("0.00"), Decimal("11800.00"),
    )  # fmt: skip
    assert invoice.amount_in_words == "Rupees Eleven Thousand Eight Hundred Only"
    assert invoice.description == (
        f"Annual maintenance contract, AMC: {contract.period_start:%d %b %Y} to {contract.period_end:%d %b %Y}"
    )
    assert invoice.retain_until == date(fy.end.year + 6, 12, 31)
    audit = AuditEvent.objects.get(tenant=tenant, action="platform_invoice.issue")
    assert invoice.number in audit.summary


def test_a_shop_in_another_state_is_invoiced_igst_and_an_unverified_gstin_is_left_off(other_tenant):
    Tenant.objects.filter(pk=other_tenant.pk).update(gstin=gstin_for("33"))  # typed, never verified

    invoice = _paid(Tenant.objects.get(pk=other_tenant.pk))

    assert (invoice.cgst, invoice.sgst, invoice.igst, invoice.total) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("1800.00"), Decimal("11800.00"),
    )  # fmt: skip
    assert (invoice.place_of_supply, invoice.buyer_gstin) == ("33", "")


def test_the_series_is_gapless_and_a_rolled_back_issue_gives_its_number_back(tenant, other_tenant):
    first = _paid(tenant)
    fy = FinancialYear.of(first.issued_on)
    with pytest.raises(RuntimeError), transaction.atomic():
        _series, number = services.platform_number_take(doc_type="invoice", fy=fy)
        assert number.endswith("/00002")
        raise RuntimeError("the payment's transaction failed after the number was taken")
    second = _paid(other_tenant)

    assert [first.number, second.number] == [f"TJ/{fy.short}/00001", f"TJ/{fy.short}/00002"]
    assert PlatformSeries.objects.get(doc_type="invoice", fy_start_year=fy.start_year).next_number == 3


def test_each_financial_year_has_its_own_series(tenant, other_tenant):
    this_year = _paid(tenant)
    fy = FinancialYear.of(this_year.issued_on)
    next_april = date(fy.start_year + 1, 4, 1)
    order = order_for(other_tenant)

    services.billing_payment_confirm(
        order=order, gateway_payment_id=payment_id(), amount_paise=order.amount_paise, caused_by="test",
        paid_at=timezone.now(), today=next_april,
    )  # fmt: skip

    later = PlatformInvoice.objects.get(tenant=other_tenant)
    assert later.number == f"TJ/{FinancialYear(fy.start_year + 1).short}/00001"
    assert later.issued_on == next_april


def test_the_pdf_is_stored_once_with_the_invoice_and_the_shop_downloads_it(
    owner_client, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker stores the PDF after commit
        invoice = _paid(tenant)
    invoice.refresh_from_db()

    assert invoice.pdf.name.startswith(f"invoices/t{tenant.pk}/platform-") and invoice.pdf_sha256
    with invoice.pdf.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    again = services.platform_invoice_pdf_store(tenant=tenant, invoice=invoice)
    assert again.pdf.name == invoice.pdf.name

    link = owner_client.get(reverse("billing:invoice_pdf", kwargs={"invoice_id": invoice.pk}))
    assert link.status_code == 302
    download = owner_client.get(link["Location"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number.replace("/", "-")}.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_pdf_shows_both_parties_the_tax_split_and_the_payment(tenant):
    invoice = _paid(tenant)
    data = services.platform_invoice_pdf_render(invoice=invoice)

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for words in (
        "Tax invoice", invoice.number, "Tijori Software Private Limited", "27AAICT4821M1ZX", "Shop A Jewellers",
        "998313", "CGST 9%", "SGST 9%", "11,800.00", "Rupees Eleven Thousand Eight Hundred Only",
        invoice.payment.gateway_payment_id,
    ):  # fmt: skip
        assert words in text, words


def test_in_s3_the_pdf_is_locked_until_the_invoices_retention_day(
    tenant, invoices_in_s3, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(PlatformInvoice._meta.get_field("pdf"), "storage", storages["invoices"])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _paid(tenant)
    invoice.refresh_from_db()

    head = boto3.client("s3", region_name="ap-south-1").head_object(
        Bucket=INVOICES_BUCKET, Key=invoice.pdf.name
    )
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == lock_instant(invoice.retain_until)


def test_a_refund_is_a_credit_note_reversing_the_invoice_never_a_deletion(
    root, root_client, owner_client, tenant
):
    invoice = _paid(tenant)
    url = reverse("admin:billing_platforminvoice_credit_note", args=[invoice.pk])

    asked = root_client.get(url)
    done = root_client.post(url, {"reason": "Refunded: the shop closed the branch"})
    twice = root_client.post(url, {"reason": "again"})

    assert asked.status_code == 200 and done.status_code == 302
    note = PlatformInvoice.objects.get(tenant=tenant, doc_type="credit_note")
    fy = FinancialYear.of(note.issued_on)
    assert note.number == f"TJC/{fy.short}/00001" and note.original == invoice
    assert (note.total, note.igst, note.cgst, note.reason, note.issued_by) == (
        invoice.total, invoice.igst, invoice.cgst, "Refunded: the shop closed the branch", root,
    )  # fmt: skip
    assert PlatformInvoice.objects.get(pk=invoice.pk).number == invoice.number  # the invoice stays
    assert (
        twice.status_code == 422
        and f"already reversed by credit note {note.number}" in twice.content.decode()
    )
    assert PlatformInvoice.objects.filter(tenant=tenant).count() == 2
    page = owner_client.get(reverse("billing:contract")).content.decode()
    assert note.number in page and f"Credit note reversing {invoice.number}" in page


def test_a_credit_note_needs_a_super_admin_a_reason_and_the_legal_time(tenant, owner, root):
    invoice = _paid(tenant)
    fy = FinancialYear.of(invoice.issued_on)

    with pytest.raises(Exception, match="Only a super admin"):
        services.platform_credit_note_issue(invoice=invoice, actor=owner, reason="refund")
    with pytest.raises(Exception, match="Say why"):
        services.platform_credit_note_issue(invoice=invoice, actor=root, reason=" ")
    with pytest.raises(PlatformInvoiceRefused, match=r"could be issued until 30 Nov"):
        services.platform_credit_note_issue(
            invoice=invoice, actor=root, reason="late", today=date(fy.end.year, 12, 1)
        )
    assert not PlatformInvoice.objects.filter(doc_type="credit_note").exists()


def test_issued_documents_and_payments_refuse_change_and_deletion_through_the_orm(tenant):
    invoice = _paid(tenant)
    payment = invoice.payment

    invoice.total = Decimal("1.00")
    with pytest.raises(BillingRecordImmutable):
        invoice.save()
    with pytest.raises(BillingRecordImmutable):
        invoice.delete()
    with pytest.raises(BillingRecordImmutable):
        PlatformInvoice.objects.filter(pk=invoice.pk).update(total=Decimal("1.00"))
    with pytest.raises(BillingRecordImmutable):
        PlatformInvoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(BillingRecordImmutable):
        payment.save()
    with pytest.raises(BillingRecordImmutable):
        BillingPayment.objects.filter(pk=payment.pk).update(amount=Decimal("1.00"))
    with pytest.raises(BillingRecordImmutable):
        BillingPayment.objects.filter(pk=payment.pk).delete()
    assert PlatformInvoice.objects.get(pk=invoice.pk).total == Decimal("11800.00")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_platforminvoice SET total = 1 WHERE id = %s",
        "UPDATE billing_platforminvoice SET pdf = 'invoices/elsewhere.pdf' WHERE id = %s AND pdf <> ''",
        "DELETE FROM billing_platforminvoice WHERE id = %s",
        "UPDATE billing_billingpayment SET amount = 1 WHERE id = (SELECT payment_id FROM billing_platforminvoice WHERE id = %s)",
        "DELETE FROM billing_billingpayment WHERE id = (SELECT payment_id FROM billing_platforminvoice WHERE id = %s)",
        "UPDATE billing_platformseries SET next_number = 1 WHERE id = (SELECT series_id FROM billing_platforminvoice WHERE id = %s)",
        "TRUNCATE billing_platforminvoice CASCADE",
    ],
)
def test_postgresql_itself_refuses_changing_or_removing_them(tenant, sql, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _paid(tenant)
    with (
        tenant_scope(tenant.pk),
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [invoice.pk] if "%s" in sql else [])
        if cursor.rowcount == 0:  # a guard that let nothing through must not pass as a refusal
            raise DatabaseError("nothing matched")
    assert PlatformInvoice.objects.get(pk=invoice.pk).total == Decimal("11800.00")


def test_without_the_platforms_gst_details_nothing_is_ordered(tenant, settings, owner_client):
    settings.PLATFORM_GSTIN = ""

    with pytest.raises(PaymentsOff):
        order_for(tenant)
    page = owner_client.get(reverse("billing:contract")).content.decode()
    assert "Tijori&#x27;s own GST details are not set up yet" in page and "Renew now" not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payments_confirmed_at_once_for_many_shops_take_contiguous_numbers():
    owners = [UserFactory(email=f"owner{n}@race.in") for n in range(12)]
    shops = [
        tenant_create(owner=o, kind="shop", name=f"Race Shop {n}", state_code="27" if n % 2 else "29")
        for n, o in enumerate(owners)
    ]
    orders = [order_for(shop) for shop in shops]
    start = threading.Barrier(len(orders))
    errors: list[BaseException] = []

    def confirm(order, roll_back: bool):
        try:
            start.wait(30)
            with tenant_scope(order.tenant_id), transaction.atomic():
                services.billing_payment_confirm(
                    order=order,
                    gateway_payment_id=payment_id(),
                    amount_paise=order.amount_paise,
                    caused_by="race",
                )
                if roll_back:
                    raise KeyError("rolled back after the number was taken")
        except KeyError:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(order, n % 4 == 0)) for n, order in enumerate(orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    numbers = sorted(PlatformInvoice.objects.values_list("number", flat=True))
    fy = FinancialYear.of(timezone.localdate())
    kept = len(orders) - len(range(0, len(orders), 4))
    assert numbers == [
        number_render("{CODE}/{FY}/{NNNNN}", code="TJ", fy=fy, n=n) for n in range(1, kept + 1)
    ]
    assert BillingPayment.objects.count() == kept


def test_super_admins_read_payments_orders_invoices_and_events_in_admin_and_change_none(root_client, tenant):
    invoice = _paid(tenant)

    for model in ("billingorder", "billingpayment", "platforminvoice", "platformseries", "webhookevent"):
        assert root_client.get(reverse(f"admin:billing_{model}_changelist")).status_code == 200, model
    page = root_client.get(reverse("admin:billing_platforminvoice_change", args=[invoice.pk]))
    pdf = root_client.get(reverse("admin:billing_platforminvoice_pdf", args=[invoice.pk]))

    assert page.status_code == 200 and invoice.number in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only: nothing to save
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert (
        root_client.post(
            reverse("admin:billing_billingpayment_delete", args=[invoice.payment.pk])
        ).status_code
        == 403
    )
