"""An issued document's PDF, stored in S3, is locked (Object Lock, COMPLIANCE) until its record's retention day."""

from datetime import date

import boto3
import pytest
from botocore.exceptions import ClientError

from apps.core.storage import lock_instant, retention_extend
from apps.invoicing import services
from tests.conftest import INVOICES_BUCKET
from tests.invoicing.conftest import article, draft_with

pytestmark = pytest.mark.django_db


def _s3():
    return boto3.client("s3", region_name="ap-south-1")


def test_an_issued_invoices_pdf_is_locked_until_its_retention_day_and_cannot_be_deleted(
    shop, owner, buyer, invoices_in_s3, invoices_s3_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker stores the PDF after issue
        invoice = services.invoice_issue(
            tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner), customer=buyer)
        )
    invoice.refresh_from_db()
    assert invoice.pdf.name.startswith(f"invoices/t{shop.pk}/") and invoice.retain_until.year >= 2032
    head = _s3().head_object(Bucket=INVOICES_BUCKET, Key=invoice.pdf.name)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == lock_instant(invoice.retain_until)
    with pytest.raises(ClientError, match="AccessDenied"):
        _s3().delete_object(Bucket=INVOICES_BUCKET, Key=invoice.pdf.name, VersionId=head["VersionId"])
    # Opening it again (the page, the API, an e-mail) stores nothing more and asks for no other lock.
    calls = len(invoices_s3_calls)
    assert services.invoice_pdf_store(tenant=shop, invoice=invoice).pdf.name == invoice.pdf.name
    assert len(invoices_s3_calls) == calls
    assert retention_extend(invoice.pdf, date(2030, 1, 1)) == lock_instant(invoice.retain_until)
    assert not [call for call in invoices_s3_calls if call[0] == "PutObjectRetention"]


def test_a_credit_notes_pdf_is_locked_until_its_own_retention_day(
    shop, owner, buyer, invoices_in_s3, django_capture_on_commit_callbacks
):
    invoice = services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner), customer=buyer)
    )
    note = services.credit_note_draft_create(
        tenant=shop, actor=owner, original=invoice, reason="sales_return"
    )
    services.credit_note_line_return(tenant=shop, actor=owner, note=note, original_line=invoice.lines.get())
    with django_capture_on_commit_callbacks(execute=True):
        note = services.invoice_issue(tenant=shop, actor=owner, invoice=note)
    note.refresh_from_db()
    assert note.is_note and note.pdf
    head = _s3().head_object(Bucket=INVOICES_BUCKET, Key=note.pdf.name)
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == (
        "COMPLIANCE",
        lock_instant(note.retain_until),
    )
