"""Issued invoices are kept and frozen by the database itself, as the app role, whatever the channel."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from apps.invoicing import services
from apps.invoicing.models import DocumentSeries, Invoice, InvoiceLine, Payment, ReceiptVoucher

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def issued(shop, owner):
    invoice = services.invoice_draft_create(tenant=shop, actor=owner)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="100"
    )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)


def _refused(call):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        call()
    return str(caught.value)


def test_the_orm_and_querysets_cannot_change_an_issued_invoice(issued):
    issued.grand_total = 1
    assert "cannot be changed" in _refused(issued.save)
    assert "cannot be changed" in _refused(
        lambda: Invoice.objects.filter(pk=issued.pk).update(retain_until="2027-01-01")
    )
    assert "cannot be changed" in _refused(
        lambda: Invoice.objects.filter(pk=issued.pk).update(status="draft")
    )
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).delete())  # Django's PROTECT or the trigger
    issued.refresh_from_db()
    assert issued.grand_total == 118 and issued.status == "issued"


def test_an_issued_invoices_lines_cannot_be_changed_added_or_removed(issued, shop):
    line = issued.lines.get()
    assert "cannot be changed" in _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(amount=1))
    assert "cannot be changed" in _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).delete())
    assert "no new lines" in _refused(
        lambda: InvoiceLine.objects.create(
            tenant=shop,
            invoice=issued,
            position=2,
            kind="free",
            description="x",
            hsn_code="9987",
            gst_rate=18,
        )
    )


def test_sql_as_the_app_role_is_refused_too(issued):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
    assert not role.startswith("postgres")
    for sql, message in (
        ("UPDATE invoicing_invoice SET grand_total = 0 WHERE id = %s", "cannot be changed"),
        ("DELETE FROM invoicing_invoiceline WHERE invoice_id = %s", "cannot be changed"),
        ("DELETE FROM invoicing_invoice WHERE id = %s", "cannot be deleted"),  # before the foreign key speaks
    ):
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [issued.pk])
    for table in ("invoicing_invoice", "invoicing_invoiceline", "invoicing_documentseries"):
        with (
            pytest.raises(DatabaseError, match=r"permission denied|truncated"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Invoice.objects.filter(pk=issued.pk, grand_total=118).exists()


def test_cancellation_is_the_one_change_let_through_and_it_is_final(issued, shop, owner):
    cancelled = services.invoice_cancel(tenant=shop, actor=owner, invoice=issued, reason="Wrong customer")
    assert "cannot be changed" in _refused(
        lambda: Invoice.objects.filter(pk=cancelled.pk).update(status="issued")
    )
    assert "cannot be changed" in _refused(
        lambda: Invoice.objects.filter(pk=cancelled.pk).update(cancel_reason="x")
    )


def test_a_series_counter_only_moves_forward_and_a_used_series_stays(issued):
    series = DocumentSeries.objects.get(pk=issued.series_id)
    assert "only moves forward" in _refused(
        lambda: DocumentSeries.objects.filter(pk=series.pk).update(next_number=1)
    )
    assert "only its counter" in _refused(
        lambda: DocumentSeries.objects.filter(pk=series.pk).update(code="X")
    )
    with (
        pytest.raises(DatabaseError, match="cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM invoicing_documentseries WHERE id = %s", [series.pk])


def test_drafts_stay_free_to_edit_and_discard(shop, owner):
    invoice = services.invoice_draft_create(tenant=shop, actor=owner)
    line = services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="1"
    )
    InvoiceLine.objects.filter(pk=line.pk).update(amount=5)
    services.invoice_draft_discard(tenant=shop, actor=owner, invoice=invoice)
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.fixture
def credit_note(issued, shop, owner):
    note = services.credit_note_draft_create(tenant=shop, actor=owner, original=issued, reason="deficiency")
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=issued.lines.get(), amount="50"
    )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=note)


def test_an_issued_note_is_frozen_on_every_channel(credit_note, issued, shop, owner):
    from tests.api_helpers import ApiClient, make_key

    line = credit_note.lines.get()
    credit_note.grand_total = 1
    assert "cannot be changed" in _refused(credit_note.save)
    for change in ({"grand_total": 0}, {"original": None, "note_reason": ""}, {"note_reason": "correction"}):
        assert "cannot be changed" in _refused(
            lambda c=change: Invoice.objects.filter(pk=credit_note.pk).update(**c)
        )
    assert "cannot be changed" in _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(amount=1))
    _refused(lambda: Invoice.objects.filter(pk=credit_note.pk).delete())  # Django's PROTECT or the trigger
    assert "cannot be changed" in _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).delete())
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).delete())  # the original its note names stays too

    api = ApiClient(make_key(shop, owner, "owner"))
    assert (
        api.patch(f"/api/v1/credit-notes/{credit_note.pk}", {"note_reason": "correction"}).status_code == 405
    )
    assert api.delete(f"/api/v1/credit-notes/{credit_note.pk}").status_code == 409
    assert api.delete(f"/api/v1/credit-notes/{credit_note.pk}/lines/{line.pk}").status_code == 409

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert not cursor.fetchone()[0].startswith("postgres")
    for sql, message in (
        ("UPDATE invoicing_invoice SET grand_total = 0 WHERE id = %s", "cannot be changed"),
        (
            "UPDATE invoicing_invoice SET original_id = NULL, note_reason = '' WHERE id = %s",
            "cannot be changed",
        ),
        ("UPDATE invoicing_invoiceline SET taxable_value = 0 WHERE invoice_id = %s", "cannot be changed"),
        ("DELETE FROM invoicing_invoiceline WHERE invoice_id = %s", "cannot be changed"),
        ("DELETE FROM invoicing_invoice WHERE id = %s", "cannot be deleted"),
    ):
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [credit_note.pk])
    credit_note.refresh_from_db()
    assert (credit_note.grand_total, credit_note.status, credit_note.original_id) == (59, "issued", issued.pk)
    assert InvoiceLine.objects.get(pk=line.pk).taxable_value == 50


def test_a_receipt_voucher_and_its_adjustment_are_frozen_on_every_channel(shop, owner, buyer):
    sale = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=sale, description="Polish", hsn_code="9987", amount="1000"
    )
    sale = services.invoice_issue(tenant=shop, actor=owner, invoice=sale)
    voucher, unused = (
        services.receipt_voucher_create(
            tenant=shop, actor=owner, customer=buyer, mode="cash", amount="5000", description="Ring to order"
        )
        for _ in range(2)
    )
    adjustment = services.payment_record(
        tenant=shop, actor=owner, invoice=sale, mode="advance", amount="100", receipt_voucher=voucher
    )
    voucher.amount = 1
    assert "cannot be changed" in _refused(voucher.save)
    assert "cannot be changed" in _refused(
        lambda: ReceiptVoucher.objects.filter(pk=voucher.pk).update(mode="upi")
    )
    assert "cannot be deleted" in _refused(lambda: ReceiptVoucher.objects.filter(pk=unused.pk).delete())
    _refused(lambda: ReceiptVoucher.objects.filter(pk=voucher.pk).delete())  # Django's PROTECT or the trigger
    assert "cannot be changed" in _refused(
        lambda: Payment.objects.filter(pk=adjustment.pk).update(amount=5000)
    )
    for sql, message in (
        ("UPDATE invoicing_receiptvoucher SET amount = 1 WHERE id = %s", "cannot be changed"),
        ("UPDATE invoicing_receiptvoucher SET customer_id = NULL WHERE id = %s", "cannot be changed"),
        ("DELETE FROM invoicing_receiptvoucher WHERE id = %s", "cannot be deleted"),
    ):
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [unused.pk])
    with (
        pytest.raises(DatabaseError, match="cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("DELETE FROM invoicing_payment WHERE id = %s", [adjustment.pk])
    with (
        pytest.raises(DatabaseError, match=r"permission denied|truncated"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE invoicing_receiptvoucher CASCADE")
    kept = ReceiptVoucher.objects.filter(amount=5000, mode="cash")
    assert set(kept.values_list("pk", flat=True)) == {voucher.pk, unused.pk}
    assert Payment.objects.get(pk=adjustment.pk).receipt_voucher_id == voucher.pk


def test_the_person_who_issued_an_invoice_can_be_removed_from_it_and_nothing_else(issued):
    """Removing a user sets `created_by`/`issued_by` to NULL (SET NULL): the guard lets exactly that
    through, and still refuses the same update when it changes anything more."""
    Invoice.objects.filter(pk=issued.pk).update(created_by=None, issued_by=None)
    issued.refresh_from_db()
    assert (issued.created_by_id, issued.issued_by_id, issued.status) == (None, None, "issued")
    assert "cannot be changed" in _refused(
        lambda: Invoice.objects.filter(pk=issued.pk).update(created_by=None, grand_total=1)
    )
