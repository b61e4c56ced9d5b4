"""Advances on receipt vouchers (CGST Rule 50) and their adjustment against the customer's invoices."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.gst.periods import FinancialYear, retain_until
from apps.invoicing import selectors, services
from apps.invoicing.models import DocumentSeries, Payment, ReceiptVoucher
from apps.tenants.services import tenant_update
from tests.conftest import login
from tests.invoicing.conftest import article, draft_with
from tests.races import overlap
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db


def _advance(shop, owner, customer, amount="50000", mode="upi", **values):
    values.setdefault("description", "Bridal necklace to order")
    return services.receipt_voucher_create(
        tenant=shop, actor=owner, customer=customer, mode=mode, amount=amount, **values
    )


def _sale(shop, owner, customer, **item_values):
    """An issued invoice of ₹69,731 for a 22K ring, unless the article says otherwise."""
    return services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner, **item_values), customer=customer)
    )  # fmt: skip


def _adjust(shop, owner, invoice, voucher, amount=None):
    return services.payment_record(
        tenant=shop, actor=owner, invoice=invoice, mode="advance", amount=amount, receipt_voucher=voucher
    )


@pytest.fixture
def other_buyer(shop, owner):
    return services.customer_create(
        tenant=shop, actor=owner, name="Ravi Kumar", address="9 Sea Road, Mumbai", state_code="27"
    )


@pytest.fixture
def rich_buyer(shop, owner, buyer):
    """The buyer with a PAN, so a sale over ₹2 lakh can be issued to them."""
    return services.customer_update(tenant=shop, actor=owner, customer=buyer, pan="ABCPS1234K")


# --- receiving an advance ---------------------------------------------------------------------------


def test_an_advance_is_numbered_in_its_own_gapless_series_kept_and_audited(shop, owner, buyer):
    fy = FinancialYear.of(timezone.localdate())
    first = _advance(shop, owner, buyer, amount="25,000", reference=" UPI  77 ")
    with pytest.raises(RuntimeError), transaction.atomic():  # a rolled-back advance gives its number back
        _advance(shop, owner, buyer)
        raise RuntimeError
    second = _advance(shop, owner, buyer, mode="cash", amount="10000")
    assert (first.number, second.number) == (f"RV/{fy.short}/0001", f"RV/{fy.short}/0002")
    series = DocumentSeries.objects.for_tenant(shop).get(doc_type="receipt_voucher")
    assert (series.code, series.next_number, series.gstin) == ("RV", 3, shop.gstin)
    assert (first.amount, first.reference, first.retain_until) == (
        Decimal("25000.00"), "UPI 77", retain_until(first.received_on)
    )  # fmt: skip
    event = AuditEvent.objects.get(action="advance.receive", target_id=str(first.pk))
    assert first.number in event.summary and "₹25,000.00" in event.summary and "Meera Shah" in event.summary
    invoice = _sale(shop, owner, buyer)  # invoices keep their own series
    assert invoice.number == f"INV/{fy.short}/0001"


def test_a_cash_advance_stays_under_two_lakh(shop, owner, buyer):
    with pytest.raises(ValidationError, match=re.escape("s.269ST")) as caught:
        _advance(shop, owner, buyer, mode="cash", amount="200000")
    assert list(caught.value.message_dict) == ["amount"]
    assert not ReceiptVoucher.objects.exists()
    assert _advance(shop, owner, buyer, mode="cash", amount="199999.99").amount == Decimal("199999.99")
    assert _advance(shop, owner, buyer, mode="bank", amount="500000").amount == Decimal("500000.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [({"mode": "cheque"}, "mode"), ({"amount": "0"}, "amount"), ({"amount": "-1"}, "amount"),
     ({"amount": "lots"}, "amount"), ({"description": "   "}, "description"), ({"reference": "x" * 61}, "reference")],
)  # fmt: skip
def test_bad_advances_are_refused_on_their_field_and_nothing_is_written(shop, owner, buyer, values, field):
    with pytest.raises(ValidationError) as caught:
        _advance(shop, owner, buyer, **values)
    assert field in caught.value.message_dict
    assert not ReceiptVoucher.objects.exists()
    assert not DocumentSeries.objects.filter(doc_type="receipt_voucher", next_number__gt=1).exists()


def test_a_shop_without_a_gstin_takes_no_advance_on_a_voucher(shop, owner, buyer):
    shop = tenant_update(tenant=shop, actor=owner, name=shop.name, state_code="27", gstin="", address="x")
    with pytest.raises(ValidationError, match="GSTIN"):
        _advance(shop, owner, buyer)
    assert not ReceiptVoucher.objects.exists()


# --- adjusting it against a sale --------------------------------------------------------------------


def test_an_advance_is_adjusted_in_part_then_in_full_across_two_sales(shop, owner, buyer):
    voucher = _advance(shop, owner, buyer, amount="100000")
    first = _sale(shop, owner, buyer)
    paid = _adjust(shop, owner, first, voucher)  # no amount: as much as is due and left
    assert (paid.amount, paid.mode, paid.receipt_voucher) == (Decimal("69731.00"), "advance", voucher)
    assert selectors.payment_status(selectors.invoice_get(tenant=shop, invoice_id=first.pk)) == "paid"
    assert services.voucher_left(voucher) == Decimal("30269.00")
    first.refresh_from_db()
    assert first.taxable_value == Decimal("67700.00")  # GST stays on the whole sale
    second = _sale(shop, owner, buyer)
    _adjust(shop, owner, second, voucher, amount="10000")
    _adjust(shop, owner, second, voucher)  # the rest of the voucher
    assert services.voucher_left(voucher) == 0
    assert selectors.invoice_due(tenant=shop, invoice=second) == Decimal("69731.00") - Decimal("30269.00")
    listed = selectors.receipt_voucher_search(tenant=shop, customer_id=buyer.pk).get()
    assert (listed.adjusted, listed.left) == (Decimal("100000.00"), 0)
    assert not selectors.receipt_voucher_search(tenant=shop, open_only=True).exists()


def test_an_advance_pays_neither_more_than_it_has_left_nor_more_than_is_due(shop, owner, buyer):
    voucher = _advance(shop, owner, buyer, amount="50000")
    sale = _sale(shop, owner, buyer)
    with pytest.raises(ValidationError, match=re.escape(f"Voucher {voucher.number} has ₹50,000.00 left")):
        _adjust(shop, owner, sale, voucher, amount="50000.01")
    _adjust(shop, owner, sale, voucher, amount="45000")
    with pytest.raises(ValidationError, match=re.escape("has ₹5,000.00 left")):
        _adjust(shop, owner, sale, voucher, amount="6000")
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="upi", amount="24731")
    with pytest.raises(ValidationError, match=re.escape("Only ₹0.00 is still due")):
        _adjust(shop, owner, sale, voucher)
    assert services.voucher_left(voucher) == Decimal("5000.00")
    assert Payment.objects.filter(receipt_voucher=voucher).count() == 1


def test_a_used_up_advance_says_so(shop, owner, buyer):
    voucher = _advance(shop, owner, buyer, amount="1000")
    _adjust(shop, owner, _sale(shop, owner, buyer), voucher)
    with pytest.raises(ValidationError, match=re.escape("has ₹0.00 left")):
        _adjust(shop, owner, _sale(shop, owner, buyer), voucher)


def test_another_customers_advance_is_refused(shop, owner, buyer, other_buyer):
    theirs = _advance(shop, owner, other_buyer)
    with pytest.raises(ValidationError) as caught:
        _adjust(shop, owner, _sale(shop, owner, buyer), theirs, amount="100")
    assert caught.value.message_dict == {
        "receipt_voucher": [
            f"Advance {theirs.number} was received from Ravi Kumar: adjust it only against Ravi Kumar's invoices."
        ]
    }
    walk_in = services.invoice_draft_create(tenant=shop, actor=owner)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=walk_in, description="Polish", hsn_code="9987", amount="100"
    )
    walk_in = services.invoice_issue(tenant=shop, actor=owner, invoice=walk_in)
    with pytest.raises(ValidationError, match="adjust it only against"):
        _adjust(shop, owner, walk_in, theirs, amount="10")
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [({"mode": "advance", "amount": "1"}, "receipt_voucher"), ({"mode": "upi", "amount": "1", "voucher": True}, "receipt_voucher"),
     ({"mode": "advance", "amount": "ten", "voucher": True}, "amount"), ({"mode": "advance", "amount": "0", "voucher": True}, "amount")],
)  # fmt: skip
def test_an_advance_names_its_voucher_and_money_names_none(shop, owner, buyer, values, field):
    voucher = _advance(shop, owner, buyer)
    sale = _sale(shop, owner, buyer)
    values = dict(values)
    if values.pop("voucher", False):
        values["receipt_voucher"] = voucher
    with pytest.raises(ValidationError) as caught:
        services.payment_record(tenant=shop, actor=owner, invoice=sale, **values)
    assert field in caught.value.message_dict
    assert not Payment.objects.exists()


# --- s.269ST: a cash advance is cash of the sale it is adjusted against -----------------------------


def test_a_cash_advance_adjusted_counts_toward_the_sales_cash(shop, owner, rich_buyer):
    sale = _sale(shop, owner, rich_buyer, gross_weight="40", stone_weight="0")
    assert sale.grand_total > 260000
    cash_advance = _advance(shop, owner, rich_buyer, mode="cash", amount="150000")
    _adjust(shop, owner, sale, cash_advance)
    with pytest.raises(ValidationError) as caught:
        services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="60000")
    message = caught.value.message_dict["amount"][0]
    assert "s.269ST" in message and "₹1,50,000.00 of this sale is already paid in cash" in message
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="49999.99")
    rest = sale.grand_total - Decimal("199999.99")
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="upi", amount=rest)
    assert selectors.invoice_due(tenant=shop, invoice=sale) == 0


def test_cash_at_the_counter_first_then_a_cash_advance_is_refused_too(shop, owner, rich_buyer):
    sale = _sale(shop, owner, rich_buyer, gross_weight="40", stone_weight="0")
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="60000")
    cash_advance = _advance(shop, owner, rich_buyer, mode="cash", amount="150000")
    with pytest.raises(ValidationError, match=re.escape("s.269ST")):
        _adjust(shop, owner, sale, cash_advance)
    assert not Payment.objects.filter(mode="advance").exists()
    # The same advance taken by UPI is not cash: it adjusts in full.
    upi_advance = _advance(shop, owner, rich_buyer, mode="upi", amount="150000")
    assert _adjust(shop, owner, sale, upi_advance).amount == Decimal("150000.00")


# --- the customer's ledger --------------------------------------------------------------------------


def test_the_ledger_holds_advances_until_they_are_adjusted(shop, owner, buyer, other_buyer):
    voucher = _advance(shop, owner, buyer, amount="100000")
    _advance(shop, owner, other_buyer, amount="7")  # someone else's
    ledger = selectors.customer_ledger(tenant=shop, customer=buyer)
    assert (ledger["advance_received"], ledger["advance_held"], ledger["owed"]) == (100000, 100000, 0)
    assert ledger["balance"] == -100000  # the shop holds it for them
    assert [v.number for v in ledger["advances"]] == [voucher.number]
    sale = _sale(shop, owner, buyer)
    assert selectors.customer_ledger(tenant=shop, customer=buyer)["balance"] == Decimal("-30269.00")
    _adjust(shop, owner, sale, voucher, amount="60000")
    ledger = selectors.customer_ledger(tenant=shop, customer=buyer)
    assert (ledger["paid"], ledger["owed"], ledger["advance_held"]) == (60000, Decimal("9731.00"), 40000)
    assert ledger["balance"] == Decimal("-30269.00")  # adjusting moves money, it does not change the balance
    assert [(p.mode, p.receipt_voucher_id) for p in ledger["payments"]] == [("advance", voucher.pk)]
    assert ledger["advances"][0].left == 40000


# --- two counters at once ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sales_adjusting_one_advance_at_once_take_turns_and_never_overspend_it(shop, owner, buyer):
    voucher = _advance(shop, owner, buyer, amount="50000")
    first_sale, second_sale = _sale(shop, owner, buyer), _sale(shop, owner, buyer)
    race = overlap(
        shop,
        lambda: _adjust(shop, owner, first_sale, voucher, amount="40000"),
        lambda: _adjust(shop, owner, second_sale, voucher, amount="40000"),
    )
    assert race.second_waited  # on the voucher's row lock: the two sales lock different invoices
    assert isinstance(race.first, Payment), race.first
    assert isinstance(race.second, ValidationError), race.second
    assert race.second.message_dict == {"amount": [f"Voucher {voucher.number} has ₹10,000.00 left to spend."]}
    assert services.voucher_left(voucher) == Decimal("10000.00")
    assert Payment.objects.filter(receipt_voucher=voucher).count() == 1


# --- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def counter(client, shop, staff_user):
    """A salesperson signed in at the counter: staff take advances as they take payments."""
    return login(client, staff_user, shop)


def test_an_advance_taken_on_the_customer_page_prints_as_a_rule_50_receipt_voucher(counter, shop, buyer):
    fy = FinancialYear.of(timezone.localdate())
    response = counter.post(
        reverse("invoicing:customer_advance", args=[buyer.pk]),
        {"mode": "upi", "amount": "1,25,000", "description": "Bridal set to order", "reference": "UPI 4242"},
    )
    voucher = ReceiptVoucher.objects.for_tenant(shop).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoicing:receipt_voucher_detail", args=[voucher.pk])
    page = counter.get(response["Location"]).content.decode()
    assert f"Receipt voucher RV/{fy.short}/0001" in page and "₹1,25,000.00" in page
    assert "No GST is payable on an advance for goods" in page and "Not adjusted yet" in page
    printed = counter.get(reverse("invoicing:receipt_voucher_print", args=[voucher.pk])).content.decode()
    for rule_50 in (
        shop.name, "12 Zaveri Bazaar", shop.gstin,  # the supplier
        f"RV/{fy.short}/0001", voucher.received_on.strftime("%d-%m-%Y"),  # number and date
        "Meera Shah", "4 Hill Road, Mumbai",  # the recipient
        "Bridal set to order", "₹1,25,000.00", "Rupees One Lakh Twenty-Five Thousand Only",
        "Maharashtra (27)",  # place of supply
        "No GST is payable on an advance for goods (Notification 66/2017-Central Tax)", "Authorised signatory",
    ):  # fmt: skip
        assert rule_50 in printed, rule_50
    ledger = counter.get(reverse("invoicing:customer_detail", args=[buyer.pk])).content.decode()
    assert "Advance held for them" in ledger and f"RV/{fy.short}/0001" in ledger


def test_a_registered_customers_gstin_is_on_their_receipt_voucher(counter, shop, owner):
    firm = services.customer_create(
        tenant=shop, actor=owner, kind="registered", name="Ratna Traders", gstin=gstin_for("27", pan="AAFCR1234K"),
        state_code="27", address="5 Market Lane, Pune",
    )  # fmt: skip
    voucher = _advance(shop, owner, firm)
    printed = counter.get(reverse("invoicing:receipt_voucher_print", args=[voucher.pk])).content.decode()
    assert f"GSTIN {firm.gstin}" in printed


@pytest.mark.parametrize(
    ("values", "message"),
    [({"mode": "cash", "amount": "2,00,000", "description": "Order"}, "s.269ST"),
     ({"mode": "upi", "amount": "0", "description": "Order"}, "above zero"),
     ({"mode": "upi", "amount": "100", "description": ""}, "This field is required")],
)  # fmt: skip
def test_a_refused_advance_says_why_on_the_customer_page_and_writes_nothing(counter, buyer, values, message):
    response = counter.post(reverse("invoicing:customer_advance", args=[buyer.pk]), values)
    assert response.status_code == 422 and message in response.content.decode()
    assert b'class="take-advance" open' in response.content
    assert not ReceiptVoucher.objects.exists()


def test_the_sale_screen_adjusts_the_buyers_advance(counter, shop, owner, buyer, other_buyer):
    voucher = _advance(shop, owner, buyer, amount="50000")
    theirs = _advance(shop, owner, other_buyer, amount="90000")
    sale = _sale(shop, owner, buyer)
    url = reverse("invoicing:invoice_detail", args=[sale.pk])
    page = counter.get(url).content.decode()
    assert "Adjust an advance" in page and voucher.number in page and theirs.number not in page
    refused = counter.post(
        reverse("invoicing:invoice_advance", args=[sale.pk]), {"receipt_voucher": theirs.pk, "amount": ""}
    )
    assert refused.status_code == 422 and b"Select a valid choice" in refused.content
    too_much = counter.post(
        reverse("invoicing:invoice_advance", args=[sale.pk]),
        {"receipt_voucher": voucher.pk, "amount": "50001"},
    )
    assert too_much.status_code == 422 and "has ₹50,000.00 left" in too_much.content.decode()
    assert not Payment.objects.exists()
    done = counter.post(
        reverse("invoicing:invoice_advance", args=[sale.pk]), {"receipt_voucher": voucher.pk, "amount": ""}
    )
    assert done.status_code == 302
    page = counter.get(url).content.decode()
    assert f"₹50,000.00 of advance {voucher.number} adjusted against this bill." in page
    assert "Adjust an advance" not in page  # nothing left on the buyer's advances
    payment = Payment.objects.get()
    assert (payment.mode, payment.amount, payment.receipt_voucher) == (
        "advance",
        Decimal("50000.00"),
        voucher,
    )
    printed = counter.get(reverse("invoicing:invoice_print", args=[sale.pk])).content.decode()
    assert f"Advance {voucher.number} ₹50,000.00" in printed


def test_a_walk_in_sale_offers_no_advance(counter, shop, owner, buyer):
    _advance(shop, owner, buyer)
    walk_in = services.invoice_draft_create(tenant=shop, actor=owner)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=walk_in, description="Polish", hsn_code="9987", amount="100"
    )
    walk_in = services.invoice_issue(tenant=shop, actor=owner, invoice=walk_in)
    assert (
        b"Adjust an advance"
        not in counter.get(reverse("invoicing:invoice_detail", args=[walk_in.pk])).content
    )


def test_the_day_end_counts_an_advance_when_it_is_received_not_when_it_is_adjusted(shop, owner, buyer):
    voucher = _advance(shop, owner, buyer, mode="cash", amount="40000")
    _adjust(shop, owner, _sale(shop, owner, buyer), voucher)
    services.payment_record(
        tenant=shop, actor=owner, invoice=_sale(shop, owner, buyer), mode="cash", amount="100"
    )
    today = selectors.day_summary(tenant=shop, day=timezone.localdate())
    assert (today["cash_in"], today["advances"]) == (Decimal("40100.00"), Decimal("40000.00"))
    assert "Advance (receipt voucher)" not in dict(today["received"])
    assert today["received_total"] == Decimal("40100.00")


def test_advance_pages_cost_the_same_queries_for_one_advance_or_many(
    counter, shop, owner, buyer, django_assert_num_queries
):
    sale = _sale(shop, owner, buyer)

    def advance():
        voucher = _advance(shop, owner, buyer, amount="100")
        _adjust(shop, owner, sale, voucher, amount="1")
        return voucher

    first = advance()
    pages = [reverse("invoicing:customer_detail", args=[buyer.pk]), reverse("invoicing:invoice_detail", args=[sale.pk]),
             reverse("invoicing:receipt_voucher_detail", args=[first.pk])]  # fmt: skip
    counts = {}
    for url in pages:
        with CaptureQueriesContext(connection) as captured:
            assert counter.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for _ in range(4):
        advance()
    for url in pages:
        with django_assert_num_queries(counts[url]):
            assert counter.get(url).status_code == 200
