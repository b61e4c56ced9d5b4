"""Issued invoices are kept and frozen by the database itself, as the app role, whatever the channel."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from apps.invoicing import services
from apps.invoicing.models import DocumentSeries, Invoice, InvoiceLine

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
