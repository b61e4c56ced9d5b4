"""The reads behind the sales list and the counter's scan, as they are written for large shops: the payment
filters agree with each invoice's own payment status, and a scanned code finds its article in any case."""

import pytest

from apps.invoicing import selectors, services
from tests.invoicing.conftest import article, draft_with

pytestmark = pytest.mark.django_db


def _sale(shop, owner, buyer):
    return services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner), customer=buyer)
    )


def _repair_sale(shop, owner, buyer):
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=draft, description="Polish", hsn_code="9987", amount="1000"
    )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=draft)


def _note(shop, owner, invoice, *, debit: bool):
    create = services.debit_note_draft_create if debit else services.credit_note_draft_create
    note = create(
        tenant=shop, actor=owner, original=invoice, reason="price_increase" if debit else "deficiency"
    )
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=note, original_line=invoice.lines.get(), amount="100"
    )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=note)


def test_payment_filters_agree_with_each_invoices_status(shop, owner, buyer, other_shop, other_owner):
    """Unpaid, part-paid and paid are read as tests of existence (anti-joins) on the list, and from the
    summed amounts on each row: both must sort every way an invoice is settled alike."""
    untouched = _repair_sale(shop, owner, buyer)
    cash = _repair_sale(shop, owner, buyer)
    services.payment_record(tenant=shop, actor=owner, invoice=cash, mode="cash", amount="100")
    credited = _repair_sale(shop, owner, buyer)
    _note(shop, owner, credited, debit=False)
    debited = _repair_sale(shop, owner, buyer)  # paid only on its debit note
    note = _note(shop, owner, debited, debit=True)
    services.payment_record(tenant=shop, actor=owner, invoice=note, mode="upi", amount="50")
    settled = _repair_sale(shop, owner, buyer)
    services.payment_record(
        tenant=shop, actor=owner, invoice=settled, mode="upi",
        amount=str(selectors.invoice_due(tenant=shop, invoice=settled)),
    )  # fmt: skip
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    # Another shop's unpaid bill is in none of shop A's lists.
    theirs = _repair_sale(other_shop, other_owner, None)

    rows = selectors.invoice_list(tenant=shop).filter(status="issued")
    by_status = {row.pk: selectors.payment_status(row) for row in rows}
    assert by_status == {
        untouched.pk: "unpaid", cash.pk: "part_paid", credited.pk: "part_paid", debited.pk: "part_paid",
        settled.pk: "paid",
    }  # fmt: skip
    for paid in ("unpaid", "part_paid", "paid"):
        found = {invoice.pk for invoice in selectors.invoice_search(tenant=shop, paid=paid)}
        assert found == {pk for pk, status in by_status.items() if status == paid}, paid
    assert draft.pk not in by_status and theirs.pk not in by_status


def test_a_scanned_code_finds_its_article_in_any_case(shop, owner, other_shop, other_owner):
    ring = article(shop, owner, sku="RG-0042", huid="AB12CD")
    mixed = article(shop, owner, sku="Ch-Mixed-7")
    article(other_shop, other_owner, sku="OT-1", huid="ZX98YU")

    def found(code):
        item = selectors.stock_item_for_code(tenant=shop, code=code)
        return item.pk if item else None

    assert found("RG-0042") == found("rg-0042") == found(" rg-0042 ") == ring.pk
    assert found("ab12cd") == found("AB12CD") == ring.pk
    assert found("ch-mixed-7") == found("CH-MIXED-7") == found("Ch-Mixed-7") == mixed.pk
    assert found("OT-1") is None and found("zx98yu") is None  # another shop's article is not there
    assert found("RG-9999") is None and found("  ") is None


def test_a_scan_reads_the_exact_code_in_one_query(shop, owner, django_assert_num_queries):
    """A code as printed (or all in small letters) is one lookup through the shop's unique indexes; only
    a code that matches no SKU as written is compared case-blind, a second query."""
    ring = article(shop, owner, sku="RG-0042")
    small = article(shop, owner, sku="lc-5")
    mixed = article(shop, owner, sku="Ch-Mixed-7")
    with django_assert_num_queries(1):
        assert selectors.stock_item_for_code(tenant=shop, code="rg-0042") == ring
    with django_assert_num_queries(1):
        assert selectors.stock_item_for_code(tenant=shop, code="LC-5") == small
    with django_assert_num_queries(1):
        assert selectors.stock_item_for_code(tenant=shop, code=ring.huid.lower()) == ring
    with django_assert_num_queries(2):
        assert selectors.stock_item_for_code(tenant=shop, code="ch-MIXED-7") == mixed
