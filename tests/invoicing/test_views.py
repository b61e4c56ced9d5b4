from decimal import Decimal

import pytest
from django.urls import reverse

from apps.inventory.models import StockItem
from apps.invoicing import services
from apps.invoicing.models import Invoice, OldGoldVoucher, Payment
from tests.conftest import login
from tests.invoicing.conftest import article

pytestmark = pytest.mark.django_db

# The sale page's queries: the user, memberships, the AMC contract, the sale with its amounts, its lines and
# payments; an issued bill also what is due on its account, the buyer's advances, its notes, its e-invoice.
DRAFT_PAGE_QUERIES = 6
ISSUED_PAGE_QUERIES = 10


@pytest.fixture
def counter(client, shop, staff_user):
    """A salesperson signed in at the counter."""
    return login(client, staff_user, shop)


def _new_sale(counter) -> Invoice:
    response = counter.post(reverse("invoicing:invoice_new"))
    assert response.status_code == 302
    return Invoice.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_counter_sale_from_scan_to_print(counter, shop, owner, buyer):
    ring = article(shop, owner)
    invoice = _new_sale(counter)
    scanned = counter.post(reverse("invoicing:invoice_scan", args=[invoice.pk]), {"code": ring.huid.lower()},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert scanned.status_code == 200
    assert b'id="sale"' in scanned.content and b"<html" not in scanned.content  # the fragment only
    assert ring.huid.encode() in scanned.content and "₹67,700.00".encode() in scanned.content
    line = invoice.lines.get()
    changed = counter.post(
        reverse("invoicing:invoice_line", args=[invoice.pk, line.pk]),
        {f"line{line.pk}-{k}": v for k, v in {"gross_weight": "10.5", "stone_weight": "0.5", "making_charge_rate": "500",
                                              "stone_value": "1200", "hallmarking_charge": "45"}.items()},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert changed.status_code == 200
    line.refresh_from_db()
    assert (line.net_weight, line.taxable_value) == (Decimal("10.000"), Decimal("71245.00"))
    counter.post(
        reverse("invoicing:invoice_buyer", args=[invoice.pk]), {"customer": buyer.pk, "place_of_supply": "27"}
    )
    issued = counter.post(reverse("invoicing:invoice_issue", args=[invoice.pk]), follow=True)
    assert issued.status_code == 200 and b"Invoice issued" in issued.content
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.grand_total == Decimal("73382.00")
    ring.refresh_from_db()
    assert ring.stock_status == StockItem.StockStatus.SOLD

    old_gold = counter.post(
        reverse("invoicing:invoice_old_gold", args=[invoice.pk]),
        {"description": "Old chain", "gross_weight": "8", "deduction_weight": "0.2", "purity_percent": "91.6",
         "rate_per_gram": "7000"},
    )  # fmt: skip
    assert old_gold.status_code == 302
    voucher = OldGoldVoucher.objects.for_tenant(shop).get()
    assert voucher.value == Decimal("50015.00")
    paid = counter.post(
        reverse("invoicing:invoice_pay", args=[invoice.pk]),
        {"mode": "upi", "amount": "23367", "reference": "UPI9"},
    )
    assert paid.status_code == 302
    assert sum(p.amount for p in Payment.objects.filter(invoice=invoice)) == invoice.grand_total

    printed = counter.get(reverse("invoicing:invoice_print", args=[invoice.pk]))
    page = printed.content.decode()
    assert printed.status_code == 200 and invoice.number in page and shop.gstin in page
    assert "Rupees Seventy-Three Thousand Three Hundred Eighty-Two Only" in page
    assert "BIS-recognised assaying and hallmarking centre" in page and ring.huid in page
    assert "Meera Shah" in page and "Maharashtra" in page


def test_an_unknown_code_is_422_on_the_scan_field(counter, shop):
    invoice = _new_sale(counter)
    response = counter.post(
        reverse("invoicing:invoice_scan", args=[invoice.pk]), {"code": "NOPE01"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert b"No article with the HUID or SKU NOPE01" in response.content
    assert not invoice.lines.exists()


def test_a_refused_issue_says_why_and_leaves_a_draft(counter, shop, owner):
    invoice = _new_sale(counter)
    counter.post(reverse("invoicing:invoice_scan", args=[invoice.pk]), {"code": article(shop, owner).sku})
    response = counter.post(reverse("invoicing:invoice_issue", args=[invoice.pk]), follow=True)
    assert b"names them: add the customer" in response.content
    assert Invoice.objects.get(pk=invoice.pk).status == "draft"


def test_cash_over_the_limit_is_refused_on_the_payment_form(counter, shop, owner, buyer):
    buyer = services.customer_update(tenant=shop, actor=owner, customer=buyer, pan="ABCPS1234K")
    invoice = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    services.invoice_line_add_article(
        tenant=shop, actor=owner, invoice=invoice, item=article(shop, owner, gross_weight="40")
    )
    services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    response = counter.post(
        reverse("invoicing:invoice_pay", args=[invoice.pk]), {"mode": "cash", "amount": "200000"}
    )
    assert response.status_code == 422 and b"s.269ST" in response.content
    assert not Payment.objects.exists()


def test_staff_cannot_cancel_an_invoice(counter, shop, owner):
    invoice = services.invoice_draft_create(tenant=shop, actor=owner)
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="10"
    )
    services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    response = counter.post(reverse("invoicing:invoice_cancel", args=[invoice.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"


def test_discarding_a_draft_goes_back_to_the_list(counter):
    invoice = _new_sale(counter)
    response = counter.post(reverse("invoicing:invoice_discard", args=[invoice.pk]))
    assert response["Location"] == reverse("invoicing:invoice_list")
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


def test_customers_are_added_and_found(counter, shop):
    response = counter.post(reverse("invoicing:customer_new"), {"kind": "unregistered", "name": "Ravi Kumar", "phone": "98450 11111",
                                                                 "state_code": "27"})  # fmt: skip
    assert response.status_code == 302
    found = counter.get(reverse("invoicing:customer_list"), {"q": "11111"}, HTTP_HX_REQUEST="true")
    assert b"Ravi Kumar" in found.content and b"<html" not in found.content
    bad = counter.post(reverse("invoicing:customer_new"), {"kind": "registered", "name": "Firm"})
    assert bad.status_code == 422 and b"needs their GSTIN" in bad.content


def test_list_pages_cost_the_same_queries_for_one_or_many(counter, shop, owner, buyer, assert_app_queries):
    def sale():
        invoice = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
        services.invoice_line_add_free(
            tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="10"
        )
        services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
        services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="upi", amount="5")

    pages = [reverse("invoicing:invoice_list"), reverse("invoicing:customer_list"),
             reverse("invoicing:customer_detail", args=[buyer.pk])]  # fmt: skip
    sale()
    counts = {}
    for url in pages:
        with assert_app_queries() as first:
            counter.get(url)
        counts[url] = first.count
    for _ in range(4):
        sale()
    for url in pages:
        with assert_app_queries(counts[url]):
            assert counter.get(url).status_code == 200
    # The day's advances on the sales list; the customer's advances and their totals on their page; on every
    # page, the AMC banner's contract.
    assert counts == {pages[0]: 9, pages[1]: 5, pages[2]: 9}, counts


def test_the_sale_page_reads_the_sale_once_whatever_its_lines(
    counter, shop, owner, buyer, assert_app_queries
):
    """A draft and an issued bill cost the same queries with one line or five; the sale and its amounts
    are read once per page (a page after a form's work reads them again, once)."""
    invoice = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    url = reverse("invoicing:invoice_detail", args=[invoice.pk])

    def line():
        services.invoice_line_add_free(
            tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="10"
        )

    def count() -> int:
        with assert_app_queries() as counted:
            assert counter.get(url).status_code == 200
        return counted.count

    line()
    draft_one = count()
    for _ in range(4):
        line()
    assert count() == draft_one
    services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="upi", amount="5")
    issued = count()
    services.payment_record(tenant=shop, actor=owner, invoice=invoice, mode="cash", amount="5")
    assert count() == issued
    assert (draft_one, issued) == (DRAFT_PAGE_QUERIES, ISSUED_PAGE_QUERIES), (draft_one, issued)


def test_without_javascript_a_scan_goes_back_to_the_sale_page(counter, shop, owner):
    ring = article(shop, owner)
    invoice = _new_sale(counter)
    response = counter.post(reverse("invoicing:invoice_scan", args=[invoice.pk]), {"code": ring.sku})
    assert response.status_code == 302 and response["Location"] == reverse(
        "invoicing:invoice_detail", args=[invoice.pk]
    )
    assert invoice.lines.get().stock_item_id == ring.pk
