"""Credit and debit notes (CGST s.34): they correct an issued invoice by lines of it, number in their own
series, move returned articles back to stock, change what the buyer owes, and keep to the law's limits."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.gst.periods import FinancialYear, credit_note_last_day
from apps.inventory.models import StockItem
from apps.invoicing import selectors, services
from apps.invoicing.exceptions import ArticleNotForSale, InvoiceNotDraft, InvoiceNotIssued, NoteNotAllowed
from apps.invoicing.models import DocumentSeries, Invoice, InvoiceLine
from apps.tenants.exceptions import RoleNotAllowedError
from tests.invoicing.conftest import RING_TAXABLE, article, draft_with

pytestmark = pytest.mark.django_db

RING_TAX = Decimal("1015.50")  # 1.5% of 67,700, CGST and SGST each
RING_TOTAL = Decimal("69731.00")
SOLD_TOTAL = Decimal("70911.00")  # the ring and a ₹1,000 repair at 18%


def _sell(shop, owner, buyer, *, place_of_supply=""):
    ring = article(shop, owner)
    invoice = draft_with(shop, owner, ring, customer=buyer)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Chain repair", hsn_code="9987", amount="1000"
    )
    if place_of_supply:
        services.invoice_draft_update(
            tenant=shop, actor=owner, invoice=invoice, place_of_supply=place_of_supply
        )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=invoice), ring


@pytest.fixture
def sold(shop, owner, buyer):
    """An issued invoice: the ring (₹67,700 taxable, 3%) and a chain repair (₹1,000, 18%)."""
    return _sell(shop, owner, buyer)


def _line(invoice, kind):
    return invoice.lines.get(kind=kind)


def _credit(shop, owner, invoice, reason="sales_return"):
    return services.credit_note_draft_create(tenant=shop, actor=owner, original=invoice, reason=reason)


def _issue(shop, owner, note):
    return services.invoice_issue(tenant=shop, actor=owner, invoice=note)


def test_a_credit_note_returns_an_article_to_stock_at_the_value_and_tax_it_was_sold_at(shop, owner, sold):
    invoice, ring = sold
    note = _credit(shop, owner, invoice)
    assert (note.customer_id, note.place_of_supply, note.series_code) == (invoice.customer_id, "27", "CN")
    line = services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "article")
    )
    assert (line.stock_item_id, line.taxable_value, line.gst_rate) == (ring.pk, RING_TAXABLE, Decimal("3"))
    assert (line.huid, line.net_weight, line.making_charge) == (
        ring.huid,
        Decimal("9.500"),
        Decimal("4750.00"),
    )

    note = _issue(shop, owner, note)

    assert note.number == f"CN/{FinancialYear.of(note.issued_on).short}/0001"
    assert (note.taxable_value, note.cgst, note.sgst, note.igst) == (RING_TAXABLE, RING_TAX, RING_TAX, 0)
    assert note.grand_total == RING_TOTAL and note.status == Invoice.Status.ISSUED
    assert (note.buyer_name, note.seller_gstin) == (invoice.buyer_name, shop.gstin)
    assert note.retain_until == invoice.retain_until
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.IN_STOCK
    back = AuditEvent.objects.filter(tenant=shop, action="stock.stock_status", target_id=str(ring.pk)).latest(
        "id"
    )
    assert back.summary == f"{ring.sku}: stock status Sold → In stock (returned on credit note {note.number})"
    issued = AuditEvent.objects.get(tenant=shop, action="credit_note.issue")
    assert (
        issued.summary
        == f"Issued credit note {note.number} against invoice {invoice.number} for ₹69,731.00 (1 line)"
    )
    assert selectors.invoice_due(tenant=shop, invoice=invoice) == SOLD_TOTAL - RING_TOTAL


def test_a_note_for_goods_delivered_in_another_state_credits_igst(shop, owner, buyer):
    invoice, _ = _sell(shop, owner, buyer, place_of_supply="29")
    note = _credit(shop, owner, invoice, reason="price_reduction")
    assert note.place_of_supply == "29"
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "free"), amount="500"
    )
    note = _issue(shop, owner, note)
    assert (note.taxable_value, note.cgst, note.sgst, note.igst, note.grand_total) == (
        Decimal("500.00"), 0, 0, Decimal("90.00"), Decimal("590.00"),
    )  # fmt: skip
    assert note.lines.get().description == "Discount after sale on Chain repair"


def test_notes_number_gapless_in_their_own_series(shop, owner, sold):
    invoice, _ = sold
    repair = _line(invoice, "free")
    numbers = []
    for amount in ("10", "20"):
        note = _credit(shop, owner, invoice, reason="price_reduction")
        services.note_line_add_amount(
            tenant=shop, actor=owner, note=note, original_line=repair, amount=amount
        )
        numbers.append(_issue(shop, owner, note).number)
    debit = services.debit_note_draft_create(
        tenant=shop, actor=owner, original=invoice, reason="price_increase"
    )
    services.note_line_add_amount(tenant=shop, actor=owner, note=debit, original_line=repair, amount="50")
    numbers.append(_issue(shop, owner, debit).number)
    fy = FinancialYear.of(invoice.issued_on).short
    assert numbers == [f"CN/{fy}/0001", f"CN/{fy}/0002", f"DN/{fy}/0001"]
    counters = dict(DocumentSeries.objects.for_tenant(shop).values_list("doc_type", "next_number"))
    assert counters == {"invoice": 2, "credit_note": 3, "debit_note": 2}


def test_no_line_is_credited_beyond_its_value(shop, owner, sold):
    invoice, _ = sold
    repair = _line(invoice, "free")
    note = _credit(shop, owner, invoice, reason="deficiency")
    with pytest.raises(NoteNotAllowed, match=re.escape("only ₹1,000.00 more can be credited")):
        services.note_line_add_amount(
            tenant=shop, actor=owner, note=note, original_line=repair, amount="1000.01"
        )
    with pytest.raises(ValidationError, match="above zero"):
        services.note_line_add_amount(tenant=shop, actor=owner, note=note, original_line=repair, amount="0")
    assert not note.lines.exists()

    # Two drafts each within the line's value, together beyond it: the second is refused at issue.
    first, second = note, _credit(shop, owner, invoice, reason="deficiency")
    for draft in (first, second):
        services.note_line_add_amount(
            tenant=shop, actor=owner, note=draft, original_line=repair, amount="600"
        )
    _issue(shop, owner, first)
    with pytest.raises(
        NoteNotAllowed,
        match=re.escape("only ₹400.00 can still be credited on this line, and this note credits ₹600.00"),
    ):
        _issue(shop, owner, second)
    second.refresh_from_db()
    assert (second.status, second.number) == ("draft", "")
    assert DocumentSeries.objects.get(tenant=shop, doc_type="credit_note").next_number == 2
    with pytest.raises(NoteNotAllowed, match=re.escape("only ₹0.00 more")):  # its own lines count too
        services.note_line_add_amount(tenant=shop, actor=owner, note=second, original_line=repair, amount="1")

    # A debit note raises the line's value, and what may be credited on it.
    debit = services.debit_note_draft_create(
        tenant=shop, actor=owner, original=invoice, reason="price_increase"
    )
    services.note_line_add_amount(tenant=shop, actor=owner, note=debit, original_line=repair, amount="300")
    _issue(shop, owner, debit)
    third = _credit(shop, owner, invoice, reason="deficiency")
    services.note_line_add_amount(tenant=shop, actor=owner, note=third, original_line=repair, amount="700")
    with pytest.raises(NoteNotAllowed):
        services.note_line_add_amount(
            tenant=shop, actor=owner, note=third, original_line=repair, amount="0.01"
        )


def test_an_article_is_returned_once(shop, owner, sold):
    invoice, ring = sold
    ring_line = _line(invoice, "article")
    first = _credit(shop, owner, invoice)
    services.credit_note_line_return(tenant=shop, actor=owner, note=first, original_line=ring_line)
    with pytest.raises(NoteNotAllowed, match="already on this credit note"):
        services.credit_note_line_return(tenant=shop, actor=owner, note=first, original_line=ring_line)
    second = _credit(shop, owner, invoice)
    with pytest.raises(
        NoteNotAllowed, match=f"already returned on draft credit note {first.pk}: issue or discard"
    ):
        services.credit_note_line_return(tenant=shop, actor=owner, note=second, original_line=ring_line)
    first = _issue(shop, owner, first)
    with pytest.raises(NoteNotAllowed, match=f"already returned on credit note {first.number}"):
        services.credit_note_line_return(tenant=shop, actor=owner, note=second, original_line=ring_line)
    with pytest.raises(NoteNotAllowed, match=re.escape("only ₹0.00 more can be credited")):
        services.note_line_add_amount(
            tenant=shop, actor=owner, note=second, original_line=ring_line, amount="1"
        )
    with pytest.raises(ValidationError, match="not an article from stock"):
        services.credit_note_line_return(
            tenant=shop, actor=owner, note=second, original_line=_line(invoice, "free")
        )
    assert not second.lines.exists()
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.IN_STOCK


def test_notes_are_made_only_against_an_issued_invoice(shop, owner, buyer, sold):
    invoice, _ = sold
    draft = draft_with(shop, owner, article(shop, owner, name="Bangle"), customer=buyer)
    with pytest.raises(NoteNotAllowed, match="is a draft"):
        _credit(shop, owner, draft)
    with pytest.raises(ValidationError, match="Choose why the credit note is issued"):
        _credit(shop, owner, invoice, reason="price_increase")
    credit = _credit(shop, owner, invoice, reason="price_reduction")
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=credit, original_line=_line(invoice, "free"), amount="5"
    )
    with pytest.raises(NoteNotAllowed, match="itself a note"):
        services.debit_note_draft_create(
            tenant=shop, actor=owner, original=_issue(shop, owner, credit), reason="correction"
        )

    other, _ = _sell(shop, owner, buyer)
    pending = services.debit_note_draft_create(
        tenant=shop, actor=owner, original=other, reason="price_increase"
    )
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=pending, original_line=_line(other, "free"), amount="5"
    )
    services.invoice_cancel(
        tenant=shop, actor=owner, invoice=other, reason="Wrong buyer"
    )  # a draft note does not hold it
    with pytest.raises(NoteNotAllowed, match="is cancelled"):
        _credit(shop, owner, other)
    with pytest.raises(NoteNotAllowed, match="is cancelled"):
        _issue(shop, owner, pending)
    assert Invoice.objects.get(pk=pending.pk).status == "draft"


def test_a_draft_note_takes_only_lines_of_its_invoice(shop, owner, buyer, sold):
    invoice, _ = sold
    other, _ = _sell(shop, owner, buyer)
    note = _credit(shop, owner, invoice, reason="price_reduction")
    for call in (
        lambda: services.invoice_line_add_article(
            tenant=shop, actor=owner, invoice=note, item=article(shop, owner)
        ),
        lambda: services.invoice_line_add_free(
            tenant=shop, actor=owner, invoice=note, description="x", hsn_code="9987", amount="1"
        ),
        lambda: services.invoice_draft_update(tenant=shop, actor=owner, invoice=note, customer=None),
    ):
        with pytest.raises(ValidationError, match="keeps the buyer of its invoice"):
            call()
    with pytest.raises(ValidationError, match="a line of the invoice this note corrects"):
        services.note_line_add_amount(
            tenant=shop, actor=owner, note=note, original_line=_line(other, "free"), amount="1"
        )
    line = services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "free"), amount="1"
    )
    with pytest.raises(ValidationError, match="keeps the buyer"):
        services.invoice_line_update(tenant=shop, actor=owner, line=line, amount="2")
    services.invoice_line_remove(tenant=shop, actor=owner, line=line)
    with pytest.raises(ValidationError, match="at least one line"):
        _issue(shop, owner, note)
    services.invoice_draft_discard(tenant=shop, actor=owner, invoice=note)
    assert AuditEvent.objects.get(tenant=shop, action="invoice.discard").summary == (
        "Discarded a draft credit note of 0 lines"
    )


def test_a_staff_member_cannot_make_or_issue_a_note(shop, owner, staff_user, sold):
    invoice, _ = sold
    with pytest.raises(RoleNotAllowedError, match="Only owners and admins"):
        _credit(shop, staff_user, invoice)
    note = _credit(shop, owner, invoice, reason="price_reduction")
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "free"), amount="1"
    )
    with pytest.raises(RoleNotAllowedError, match="Only owners and admins"):
        _issue(shop, staff_user, note)


@pytest.fixture
def on_day(monkeypatch):
    """Run the next calls as if today were `day` (the shop's clock, as every service reads it)."""

    def move(day: date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return move


def test_a_credit_note_is_refused_after_30_november_following_the_invoices_financial_year(
    shop, owner, buyer, on_day
):
    assert credit_note_last_day(date(2024, 6, 15)) == date(2025, 11, 30)
    assert credit_note_last_day(date(2025, 3, 31)) == date(2025, 11, 30)
    assert credit_note_last_day(date(2025, 4, 1)) == date(2026, 11, 30)
    on_day(date(2024, 6, 15))
    invoice = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Chain repair", hsn_code="9987", amount="1000"
    )
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    repair = _line(invoice, "free")

    on_day(date(2025, 11, 30))  # the last day
    in_time = _credit(shop, owner, invoice, reason="deficiency")
    services.note_line_add_amount(tenant=shop, actor=owner, note=in_time, original_line=repair, amount="100")
    late = _credit(shop, owner, invoice, reason="deficiency")
    services.note_line_add_amount(tenant=shop, actor=owner, note=late, original_line=repair, amount="100")
    assert _issue(shop, owner, in_time).number == "CN/25-26/0001"  # numbered in the note's own year

    on_day(date(2025, 12, 1))
    with pytest.raises(NoteNotAllowed, match=r"credited only until 30 Nov 2025 \(CGST s.34\(2\)\)"):
        _issue(shop, owner, late)
    with pytest.raises(NoteNotAllowed, match="the deadline has passed"):
        _credit(shop, owner, invoice, reason="deficiency")
    assert Invoice.objects.get(pk=late.pk).status == "draft"
    debit = services.debit_note_draft_create(
        tenant=shop, actor=owner, original=invoice, reason="price_increase"
    )
    services.note_line_add_amount(tenant=shop, actor=owner, note=debit, original_line=repair, amount="100")
    assert _issue(shop, owner, debit).number == "DN/25-26/0001"  # s.34(2) limits credit notes only


def test_an_invoice_with_issued_notes_is_not_cancelled(shop, owner, sold):
    invoice, _ = sold
    note = _credit(shop, owner, invoice, reason="price_reduction")
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "free"), amount="5"
    )
    note = _issue(shop, owner, note)
    with pytest.raises(
        InvoiceNotIssued, match=f"has notes issued against it \\({note.number}\\).*Issue a credit note"
    ):
        services.invoice_cancel(tenant=shop, actor=owner, invoice=invoice, reason="Changed mind")
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"


def test_cancelling_a_credit_note_on_its_day_sells_the_returned_article_again(shop, owner, buyer, sold):
    invoice, ring = sold
    note = _credit(shop, owner, invoice)
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "article")
    )
    note = _issue(shop, owner, note)
    note = services.invoice_cancel(tenant=shop, actor=owner, invoice=note, reason="Buyer kept the ring")
    assert note.status == "cancelled"
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.SOLD
    assert AuditEvent.objects.get(tenant=shop, action="credit_note.cancel").summary.startswith(
        f"Cancelled credit note {note.number}"
    )
    assert selectors.invoice_due(tenant=shop, invoice=invoice) == SOLD_TOTAL  # the credit no longer counts
    with pytest.raises(InvoiceNotIssued, match="Only an issued credit note"):
        services.invoice_cancel(tenant=shop, actor=owner, invoice=note, reason="again")

    # Returned again, then sold to someone else: the return can no longer be undone.
    again = _credit(shop, owner, invoice)
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=again, original_line=_line(invoice, "article")
    )
    again = _issue(shop, owner, again)
    ring.refresh_from_db()
    services.invoice_issue(tenant=shop, actor=owner, invoice=draft_with(shop, owner, ring, customer=buyer))
    with pytest.raises(ArticleNotForSale, match="is sold since it was returned"):
        services.invoice_cancel(tenant=shop, actor=owner, invoice=again, reason="Mistake")
    assert Invoice.objects.get(pk=again.pk).status == "issued"


def test_what_is_owed_counts_payments_credit_notes_and_debit_notes(shop, owner, buyer, sold):
    invoice, _ = sold
    repair = _line(invoice, "free")
    services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="upi", amount="60000")
    credit = _credit(shop, owner, invoice, reason="deficiency")
    services.note_line_add_amount(tenant=shop, actor=owner, note=credit, original_line=repair, amount="500")
    credit = _issue(shop, owner, credit)  # 590 with GST
    debit = services.debit_note_draft_create(
        tenant=shop, actor=owner, original=invoice, reason="price_increase"
    )
    services.note_line_add_amount(tenant=shop, actor=owner, note=debit, original_line=repair, amount="1000")
    debit = _issue(shop, owner, debit)  # 1,180 with GST
    due = SOLD_TOTAL - 60000 - 590 + 1180
    assert selectors.invoice_due(tenant=shop, invoice=invoice) == due
    row = selectors.invoice_list(tenant=shop).get(pk=invoice.pk)
    assert (row.amount_paid, row.amount_credited, row.amount_debited, row.amount_due) == (
        60000,
        590,
        1180,
        due,
    )
    assert selectors.payment_status(row) == "part_paid"

    with pytest.raises(InvoiceNotIssued, match="is a credit note: it lowers what is owed"):
        services.payment_record(tenant=shop, actor=owner, invoice=credit, mode="upi", amount="1")
    with pytest.raises(ValidationError, match=re.escape("Only ₹1,180.00 is still due")):
        services.payment_record(tenant=shop, actor=owner, invoice=debit, mode="upi", amount="1181")
    services.payment_record(
        tenant=shop, actor=owner, invoice=debit, mode="upi", amount="1180"
    )  # on the debit note
    assert selectors.invoice_due(tenant=shop, invoice=invoice) == due - 1180
    assert selectors.invoice_due(tenant=shop, invoice=debit) == 0
    services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="card", amount=str(due - 1180))
    assert selectors.invoice_due(tenant=shop, invoice=invoice) == 0
    row = selectors.invoice_list(tenant=shop).get(pk=invoice.pk)
    assert selectors.payment_status(row) == "paid"
    assert list(selectors.invoice_search(tenant=shop, paid="paid")) == [invoice]
    assert not selectors.invoice_search(tenant=shop, paid="part_paid").exists()

    ledger = selectors.customer_ledger(tenant=shop, customer=buyer)
    assert (ledger["billed"], ledger["credited"], ledger["owed"]) == (SOLD_TOTAL + 1180, 590, 0)
    assert {i.pk for i in ledger["invoices"]} == {invoice.pk, credit.pk, debit.pk}


def test_a_credit_note_beyond_what_is_owed_is_money_to_pay_back(shop, owner, buyer, sold):
    invoice, _ = sold
    services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="card", amount=str(SOLD_TOTAL))
    note = _credit(shop, owner, invoice)
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "article")
    )
    _issue(shop, owner, note)
    assert selectors.invoice_list(tenant=shop).get(pk=invoice.pk).amount_due == -RING_TOTAL
    assert selectors.invoice_due(tenant=shop, invoice=invoice) == 0
    assert selectors.customer_ledger(tenant=shop, customer=buyer)["owed"] == -RING_TOTAL


def test_invoice_lists_and_the_days_sales_leave_notes_out(shop, owner, sold):
    invoice, _ = sold
    note = _credit(shop, owner, invoice)
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "article")
    )
    note = _issue(shop, owner, note)
    assert list(selectors.invoice_list(tenant=shop)) == [invoice]
    assert list(selectors.invoice_search(tenant=shop, q="CN/")) == []
    assert list(selectors.note_list(tenant=shop, doc_type="credit_note")) == [note]
    assert not selectors.note_list(tenant=shop, doc_type="debit_note").exists()
    today = selectors.day_summary(tenant=shop, day=invoice.issued_on)
    assert (today["count"], today["total"]) == (1, SOLD_TOTAL)


def test_an_issued_note_is_not_edited(shop, owner, sold):
    invoice, _ = sold
    note = _credit(shop, owner, invoice, reason="price_reduction")
    line = services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "free"), amount="5"
    )
    _issue(shop, owner, note)
    for call in (
        lambda: services.note_line_add_amount(
            tenant=shop, actor=owner, note=note, original_line=_line(invoice, "free"), amount="1"
        ),
        lambda: services.invoice_line_remove(tenant=shop, actor=owner, line=line),
        lambda: services.invoice_draft_discard(tenant=shop, actor=owner, invoice=note),
        lambda: _issue(shop, owner, note),
    ):
        with pytest.raises(InvoiceNotDraft):
            call()
    assert InvoiceLine.objects.filter(invoice=note).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_credit_notes_issued_at_once_cannot_credit_a_line_beyond_its_value(shop, owner, sold):
    """The second issuer waits on the original invoice's row lock and then sees the first's credit."""
    from tests.races import overlap

    invoice, _ = sold
    ring_line = _line(invoice, "article")
    returning = _credit(shop, owner, invoice)
    services.credit_note_line_return(tenant=shop, actor=owner, note=returning, original_line=ring_line)
    discount = _credit(shop, owner, invoice, reason="price_reduction")
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=discount, original_line=ring_line, amount="100"
    )

    race = overlap(shop, lambda: _issue(shop, owner, returning), lambda: _issue(shop, owner, discount))

    assert isinstance(race.first, Invoice) and race.first.status == "issued", race.first
    assert isinstance(race.second, NoteNotAllowed), race.second
    assert race.second_waited
    assert Invoice.objects.get(pk=discount.pk).status == "draft"
    credited = InvoiceLine.objects.filter(
        original_line=ring_line, invoice__status="issued", invoice__doc_type="credit_note"
    )
    assert sum(line.taxable_value for line in credited) == RING_TAXABLE
    assert DocumentSeries.objects.get(tenant=shop, doc_type="credit_note").next_number == 2


# --- the pages and the document ---------------------------------------------------------------------


def test_the_credit_notes_pdf_is_titled_and_names_the_invoice_it_corrects(shop, owner, sold):
    from io import BytesIO

    from pypdf import PdfReader

    invoice, ring = sold
    note = _credit(shop, owner, invoice)
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=_line(invoice, "article")
    )
    note = _issue(shop, owner, note)
    data = services.invoice_pdf_render(tenant=shop, invoice=note)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    issued_on = invoice.issued_on.strftime("%d-%m-%Y")
    for expected in ("CREDIT NOTE", f"Credit Note no. {note.number}", f"Against invoice {invoice.number} of {issued_on}",
                     "Goods returned", "Meera Shah", ring.huid, "₹67,700.00", "₹1,015.50", "₹69,731.00",
                     "Sixty-Nine Thousand Seven Hundred Thirty-One"):  # fmt: skip
        assert expected in text, expected
    assert "Tax invoice" not in text and "TAX INVOICE" not in text
    assert services.invoice_pdf_name(note) == f"{note.number.replace('/', '-')}.pdf"


def test_the_invoice_page_starts_notes_for_admins_and_lists_them(client, shop, owner, staff_user, sold):
    from django.urls import reverse

    from tests.conftest import login

    invoice, _ = sold
    page = reverse("invoicing:invoice_detail", args=[invoice.pk])
    staff = login(client, staff_user, shop)
    assert "Why a credit note" not in staff.get(page).content.decode()
    refused = staff.post(
        reverse("invoicing:credit_note_new", args=[invoice.pk]), {"credit_note-reason": "sales_return"}
    )
    assert refused.status_code == 403 and not Invoice.objects.filter(doc_type="credit_note").exists()

    admin = login(client, owner, shop)
    html = admin.get(page).content.decode()
    assert "Why a credit note" in html and "Why a debit note" in html and "Cancel this invoice" in html
    started = admin.post(
        reverse("invoicing:credit_note_new", args=[invoice.pk]), {"credit_note-reason": "sales_return"}
    )
    note = Invoice.objects.get(doc_type="credit_note")
    assert started["Location"] == reverse("invoicing:invoice_detail", args=[note.pk])
    ring_line = _line(invoice, "article")
    picked = admin.post(
        reverse("invoicing:note_line", args=[note.pk]),
        {"original_line": ring_line.pk},
        HTTP_HX_REQUEST="true",
    )
    assert picked.status_code == 200 and b"<html" not in picked.content
    assert "Issue credit note for ₹69,731.00" in " ".join(picked.content.decode().split())
    again = admin.post(
        reverse("invoicing:note_line", args=[note.pk]), {"original_line": ring_line.pk, "amount": "1"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert again.status_code == 422 and "only ₹0.00 more can be credited" in again.content.decode()
    issued = admin.post(reverse("invoicing:note_issue", args=[note.pk]), follow=True)
    note.refresh_from_db()
    assert note.status == "issued" and f"Credit note {note.number}" in issued.content.decode()

    html = " ".join(admin.get(page).content.decode().split())
    assert f"Credit note {note.number}</a>" in html and "\u2212 ₹69,731.00" in html
    assert "Cancel this invoice" not in html  # its notes keep it
    listing = admin.get(reverse("invoicing:invoice_list")).content.decode()
    assert invoice.number in listing and note.number not in listing
    printed = admin.get(reverse("invoicing:invoice_print", args=[note.pk])).content.decode()
    assert "Credit Note" in printed and f"{invoice.number} of" in printed
