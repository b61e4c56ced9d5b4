import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.utils import DatabaseError

from apps.invoicing import selectors, services
from apps.invoicing.exceptions import InvoiceNotIssued
from apps.invoicing.models import OldGoldVoucher, Payment
from tests.invoicing.conftest import article, draft_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(shop, owner, buyer):
    """An issued invoice of ₹69,731 for a 22K ring."""
    return services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, article(shop, owner), customer=buyer)
    )


def _status(shop, invoice):
    return selectors.payment_status(selectors.invoice_get(tenant=shop, invoice_id=invoice.pk))


def test_a_sale_is_paid_in_parts_across_modes(shop, owner, sale):
    assert _status(shop, sale) == "unpaid"
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="20000")
    assert _status(shop, sale) == "part_paid"
    services.payment_record(
        tenant=shop, actor=owner, invoice=sale, mode="upi", amount="49731", reference="UPI 1234"
    )
    assert _status(shop, sale) == "paid"
    assert selectors.invoice_search(tenant=shop, paid="paid").get() == sale
    with pytest.raises(ValidationError, match=re.escape("Only ₹0.00 is still due")):
        services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="card", amount="1")


def test_cash_for_one_sale_stays_under_two_lakh(shop, owner, buyer):
    buyer = services.customer_update(tenant=shop, actor=owner, customer=buyer, pan="ABCPS1234K")
    big = article(shop, owner, gross_weight="40", stone_weight="0")
    sale = services.invoice_issue(
        tenant=shop, actor=owner, invoice=draft_with(shop, owner, big, customer=buyer)
    )
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="150000")
    with pytest.raises(ValidationError, match=re.escape("s.269ST")):
        services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="50000")
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="49999.99")
    assert Payment.objects.filter(invoice=sale, mode="cash").count() == 2


def test_old_gold_pays_without_lowering_the_taxable_value(shop, owner, buyer, sale):
    voucher = services.old_gold_voucher_create(
        tenant=shop, actor=owner, customer=buyer, description="Old bangle", gross_weight="12.000",
        deduction_weight="0.500", purity_percent="91.60", rate_per_gram="7000",
    )  # fmt: skip
    assert (voucher.net_weight, voucher.fine_weight) == (Decimal("11.500"), Decimal("10.534"))
    assert voucher.value == Decimal("73738.00") and voucher.number.startswith("PV/")
    services.payment_record(
        tenant=shop, actor=owner, invoice=sale, mode="old_gold", amount="60000", old_gold_voucher=voucher
    )
    sale.refresh_from_db()
    assert sale.taxable_value == Decimal("67700.00")  # GST stays on the whole sale
    with pytest.raises(ValidationError, match=re.escape("Only ₹9,731.00 is still due")):
        services.payment_record(
            tenant=shop, actor=owner, invoice=sale, mode="old_gold", amount="13738", old_gold_voucher=voucher
        )
    services.payment_record(
        tenant=shop, actor=owner, invoice=sale, mode="old_gold", amount="9731", old_gold_voucher=voucher
    )
    assert services.old_gold_spent(voucher) == Decimal("69731.00")


def test_a_voucher_cannot_be_spent_twice(shop, owner, buyer, sale):
    voucher = services.old_gold_voucher_create(
        tenant=shop, actor=owner, customer=buyer, description="Coin", gross_weight="1", purity_percent="99.9",
        rate_per_gram="7000",
    )  # fmt: skip
    services.payment_record(
        tenant=shop, actor=owner, invoice=sale, mode="old_gold", amount="6993", old_gold_voucher=voucher
    )
    with pytest.raises(ValidationError, match=re.escape("has ₹0.00 left")):
        services.payment_record(
            tenant=shop, actor=owner, invoice=sale, mode="old_gold", amount="1", old_gold_voucher=voucher
        )


def test_drafts_and_cancelled_invoices_take_no_payment(shop, owner, buyer, sale):
    draft = draft_with(shop, owner, customer=buyer)
    with pytest.raises(InvoiceNotIssued):
        services.payment_record(tenant=shop, actor=owner, invoice=draft, mode="cash", amount="1")
    services.invoice_cancel(tenant=shop, actor=owner, invoice=sale, reason="Returned at once")
    with pytest.raises(InvoiceNotIssued):
        services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="1")


@pytest.mark.parametrize(
    ("values", "field"),
    [({"mode": "cheque", "amount": "1"}, "mode"), ({"mode": "cash", "amount": "0"}, "amount"),
     ({"mode": "cash", "amount": "-5"}, "amount"),
     ({"mode": "cash", "amount": "ten"}, "amount"), ({"mode": "old_gold", "amount": "1"}, "old_gold_voucher")],
)  # fmt: skip
def test_bad_payments_are_refused_on_their_field_and_nothing_is_written(shop, owner, sale, values, field):
    with pytest.raises(ValidationError) as caught:
        services.payment_record(tenant=shop, actor=owner, invoice=sale, **values)
    assert field in caught.value.message_dict
    assert not Payment.objects.exists()


@pytest.mark.postgres
def test_a_recorded_payment_cannot_be_changed_or_deleted(shop, owner, sale):
    payment = services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="upi", amount="100")
    for call in (
        lambda: Payment.objects.filter(pk=payment.pk).update(amount=1),
        lambda: Payment.objects.filter(pk=payment.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            call()
    assert Payment.objects.get(pk=payment.pk).amount == Decimal("100.00")


def test_a_zero_payment_is_refused_in_plain_words(shop, owner, sale):
    with pytest.raises(ValidationError) as caught:
        services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="cash", amount="0")
    assert caught.value.message_dict == {"amount": ["Enter an amount above zero."]}


def test_a_voucher_needs_metal_left_after_the_deduction_and_names_what_was_bought(shop, owner, buyer):
    with pytest.raises(ValidationError) as caught:
        services.old_gold_voucher_create(
            tenant=shop, actor=owner, customer=buyer, gross_weight="5", deduction_weight="5", purity_percent="91.6",
            rate_per_gram="7000",
        )  # fmt: skip
    assert "deduction_weight" in caught.value.message_dict
    plain = services.old_gold_voucher_create(
        tenant=shop, actor=owner, customer=buyer, gross_weight="5", purity_percent="91.6", rate_per_gram="7000",
        description="  ",
    )  # fmt: skip
    named = services.old_gold_voucher_create(
        tenant=shop, actor=owner, customer=buyer, gross_weight="5", purity_percent="91.6", rate_per_gram="7000",
        description="  Broken   chain ",
    )  # fmt: skip
    assert (plain.description, named.description) == ("Old gold", "Broken chain")


def test_a_payment_reference_is_kept_as_typed_without_stray_spaces(shop, owner, sale):
    payment = services.payment_record(
        tenant=shop, actor=owner, invoice=sale, mode="upi", amount="1", reference=" UPI  42 "
    )
    assert payment.reference == "UPI 42"


def test_an_exchange_that_cannot_pay_leaves_no_voucher(shop, owner, sale):
    services.invoice_cancel(tenant=shop, actor=owner, invoice=sale, reason="Returned")
    with pytest.raises(InvoiceNotIssued):
        services.old_gold_exchange(
            tenant=shop,
            actor=owner,
            invoice=sale,
            gross_weight="5",
            purity_percent="91.6",
            rate_per_gram="7000",
        )
    assert not OldGoldVoucher.objects.exists()


def test_gold_worth_more_than_the_bill_pays_what_is_due_and_keeps_the_rest(shop, owner, sale):
    voucher = services.old_gold_exchange(
        tenant=shop, actor=owner, invoice=sale, gross_weight="20", purity_percent="91.6", rate_per_gram="7000"
    )
    assert voucher.value == Decimal("128240.00")
    assert services.old_gold_spent(voucher) == sale.grand_total


def test_an_exchange_pays_only_what_is_still_due(shop, owner, sale):
    services.payment_record(tenant=shop, actor=owner, invoice=sale, mode="upi", amount=sale.grand_total - 1)
    last_rupee = services.old_gold_exchange(
        tenant=shop, actor=owner, invoice=sale, gross_weight="1", purity_percent="91.6", rate_per_gram="7000"
    )
    assert services.old_gold_spent(last_rupee) == Decimal("1.00")
    nothing_due = services.old_gold_exchange(
        tenant=shop, actor=owner, invoice=sale, gross_weight="1", purity_percent="91.6", rate_per_gram="7000"
    )
    assert services.old_gold_spent(nothing_due) == 0  # kept whole for a later bill
