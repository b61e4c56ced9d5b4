"""The sale screen's buyer: found among any number of customers, picked, or added on the spot; and job
work, whose 5% is only for a GST-registered buyer."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.invoicing import services
from apps.invoicing.exceptions import InvoiceNotDraft
from apps.invoicing.models import Customer, Invoice
from tests.conftest import login
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db

TARGET_GSTIN = gstin_for("27", pan="AAFCZ6000Q")


@pytest.fixture
def counter(client, shop, staff_user):
    return login(client, staff_user, shop)


@pytest.fixture
def draft(shop, owner):
    return services.invoice_draft_create(tenant=shop, actor=owner)


@pytest.fixture
def many_customers(shop, owner, other_shop, other_owner):
    """700 customers; the 600th by name is the registered firm a salesperson looks for. The other shop
    has a customer with the same name and phone, who must never show."""
    Customer.objects.bulk_create(
        Customer(tenant=shop, name=f"Customer {n:04d}", phone=f"90000 {n:05d}", state_code="27")
        for n in range(1, 701)
        if n != 600
    )
    target = services.customer_create(
        tenant=shop, actor=owner, kind="registered", name="Customer 0600 Zaveri Traders", phone="98765 43210",
        gstin=TARGET_GSTIN,
    )  # fmt: skip
    services.customer_create(
        tenant=other_shop, actor=other_owner, name="Customer 0600 Zaveri Traders", phone="98765 43210",
        state_code="33", address="Their address",
    )  # fmt: skip
    assert list(Customer.objects.for_tenant(shop)).index(target) == 599
    return target


def _search(counter, invoice, q):
    return counter.get(
        reverse("invoicing:invoice_detail", args=[invoice.pk]), {"q": q},
        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="buyer-matches",
    )  # fmt: skip


@pytest.mark.parametrize("q", ["zaveri", "0600 Zav", "43210", "98765-43210", TARGET_GSTIN.lower()])
def test_the_search_finds_customer_600_of_700_by_name_phone_or_gstin(counter, draft, many_customers, q):
    response = _search(counter, draft, q)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="buyer-matches"' in page
    assert f'name="customer" value="{many_customers.pk}"' in page
    assert TARGET_GSTIN in page and "98765 43210" in page
    other = Customer.objects.exclude(tenant=draft.tenant).get()
    assert f'value="{other.pk}"' not in page and "Their address" not in page
    assert page.count('name="customer"') == 1


def test_a_broad_search_shows_ten_and_asks_for_more(counter, draft, many_customers):
    page = _search(counter, draft, "customer").content.decode()
    assert page.count('name="customer"') == 10
    assert "Only the first 10 are shown" in page


def test_nothing_found_points_to_the_new_customer_form(counter, draft, many_customers):
    page = _search(counter, draft, "Nobody Here").content.decode()
    assert 'name="customer"' not in page and "No customer matches “Nobody Here”" in page


def test_the_search_answer_costs_the_same_queries_for_one_or_ten_matches(
    counter, draft, many_customers, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(5) as one:  # session, user, membership and tenant, invoice, search
        assert _search(counter, draft, "zaveri").status_code == 200
    with django_assert_num_queries(len(one.captured_queries)):
        assert _search(counter, draft, "customer").content.decode().count('name="customer"') == 10


def test_without_javascript_the_search_is_part_of_the_sale_page(counter, draft, many_customers):
    response = counter.get(reverse("invoicing:invoice_detail", args=[draft.pk]), {"q": "43210"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page and 'id="buyer-matches"' in page
    assert f'name="customer" value="{many_customers.pk}"' in page
    assert 'value="43210"' in page  # the search box keeps what was typed


def test_picking_a_customer_makes_them_the_buyer(counter, draft, many_customers):
    response = counter.post(
        reverse("invoicing:invoice_buyer", args=[draft.pk]),
        {"customer": many_customers.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and b'id="sale"' in response.content
    assert b"Customer 0600 Zaveri Traders" in response.content
    draft.refresh_from_db()
    assert (draft.customer_id, draft.place_of_supply) == (many_customers.pk, "27")


def test_without_javascript_a_pick_goes_back_to_the_sale_page(counter, draft, buyer):
    response = counter.post(reverse("invoicing:invoice_buyer", args=[draft.pk]), {"customer": buyer.pk})
    assert response.status_code == 302 and response["Location"] == reverse(
        "invoicing:invoice_detail", args=[draft.pk]
    )
    assert Invoice.objects.get(pk=draft.pk).customer_id == buyer.pk


@pytest.mark.parametrize("bad", ["their", "999999999", "-1", "abc", str(2**70)])
def test_another_shops_or_an_unknown_customer_is_refused_and_nothing_changes(
    counter, shop, owner, buyer, other_shop, other_owner, bad
):
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    theirs = services.customer_create(
        tenant=other_shop, actor=other_owner, name="Their buyer", state_code="33"
    )
    customer = theirs.pk if bad == "their" else bad
    response = counter.post(
        reverse("invoicing:invoice_buyer", args=[draft.pk]), {"customer": customer, "place_of_supply": "33"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 422
    if bad in ("their", "999999999"):
        assert b"No such customer in this shop." in response.content
    draft.refresh_from_db()
    assert (draft.customer_id, draft.place_of_supply) == (buyer.pk, "27")


def test_a_walk_in_clears_the_buyer_and_the_place_alone_keeps_it(counter, shop, owner, buyer):
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=buyer)
    url = reverse("invoicing:invoice_buyer", args=[draft.pk])
    assert counter.post(url, {"place_of_supply": "29"}, HTTP_HX_REQUEST="true").status_code == 200
    draft.refresh_from_db()
    assert (draft.customer_id, draft.place_of_supply) == (buyer.pk, "29")
    assert counter.post(url, {"customer": ""}, HTTP_HX_REQUEST="true").status_code == 200
    draft.refresh_from_db()
    assert (draft.customer_id, draft.place_of_supply) == (None, "29")


NEW = {"new-kind": "registered", "new-name": "Shah Ornaments LLP", "new-phone": "98200 55555",
       "new-gstin": gstin_for("24", pan="AAKFS1234L").lower(), "new-address": "7 CG Road, Ahmedabad",
       "new-pan": ""}  # fmt: skip


def test_a_new_customer_made_on_the_sale_screen_becomes_the_buyer(counter, shop, draft):
    response = counter.post(
        reverse("invoicing:invoice_buyer_new", args=[draft.pk]), NEW, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"Shah Ornaments LLP" in response.content
    customer = Customer.objects.for_tenant(shop).get()
    assert (customer.kind, customer.gstin, customer.state_code) == (
        "registered",
        NEW["new-gstin"].upper(),
        "24",
    )
    assert Invoice.objects.get(pk=draft.pk).customer_id == customer.pk
    assert AuditEvent.objects.filter(tenant=shop, action="customer.create").count() == 1


def test_a_new_walk_in_customer_keeps_the_state_given(counter, shop, draft):
    values = {"new-kind": "unregistered", "new-name": "Ravi Kumar", "new-phone": "98450 11111", "new-state_code": "29",
              "new-form_60_given": "on"}  # fmt: skip
    assert counter.post(reverse("invoicing:invoice_buyer_new", args=[draft.pk]), values).status_code == 302
    customer = Invoice.objects.get(pk=draft.pk).customer
    assert (customer.name, customer.state_code, customer.gstin, customer.form_60_given) == (
        "Ravi Kumar",
        "29",
        "",
        True,
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"new-gstin": ""}, "gstin", "A GST-registered customer needs their GSTIN."),
        ({"new-gstin": "27AAPFU0939F1ZX"}, "gstin", "GSTIN"),
        ({"new-kind": "unregistered"}, "gstin", "An unregistered customer has no GSTIN"),
        ({"new-name": ""}, "name", "This field is required."),
        ({"new-pan": "ABC"}, "pan", "A PAN is 5 letters, 4 digits and a letter"),
    ],
)
def test_a_refused_new_customer_shows_the_error_by_its_field_and_keeps_what_was_typed(
    counter, shop, draft, values, field, message
):
    response = counter.post(
        reverse("invoicing:invoice_buyer_new", args=[draft.pk]), {**NEW, **values}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 422
    at = page.index(f'data-field="{field}"')
    assert message in page[at : page.index("</div>", page.index('class="error"', at)) + 6]
    assert '<details class="new-customer" open>' in page
    assert 'value="98200 55555"' in page and "7 CG Road, Ahmedabad" in page
    assert not Customer.objects.exists()
    assert Invoice.objects.get(pk=draft.pk).customer_id is None


def test_a_refused_buyer_leaves_no_customer_behind(shop, owner, draft):
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=draft, description="Polish", hsn_code="9987", amount="10"
    )
    services.invoice_issue(tenant=shop, actor=owner, invoice=draft)
    with pytest.raises(InvoiceNotDraft):
        services.invoice_buyer_create(
            tenant=shop, actor=owner, invoice=draft, name="Late buyer", state_code="27"
        )
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.filter(action="customer.create").exists()


def test_a_new_customer_sent_after_the_sale_was_issued_says_why_on_the_issued_page(
    counter, shop, owner, draft
):
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=draft, description="Polish", hsn_code="9987", amount="10"
    )
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=draft)
    url = reverse("invoicing:invoice_buyer_new", args=[draft.pk])
    response = counter.post(url, NEW, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("invoicing:invoice_detail", args=[draft.pk])
    page = counter.get(response["HX-Redirect"]).content.decode()
    assert page.count(f"{invoice.number} is issued: it can&#x27;t be changed.") == 1
    assert counter.post(url, NEW)["Location"] == response["HX-Redirect"]  # the same without JavaScript
    assert not Customer.objects.exists()


# --- job work (SAC 9988): 5% only for a GST-registered principal ---------------------------------


@pytest.fixture
def firm(shop, owner):
    return services.customer_create(
        tenant=shop,
        actor=owner,
        kind="registered",
        name="Shah Ornaments",
        gstin=gstin_for("27", pan="AAKFS1234L"),
    )


def _job_work(counter, invoice, rate=""):
    return counter.post(
        reverse("invoicing:invoice_free_line", args=[invoice.pk]),
        {"description": "Setting stones", "hsn_code": "998892", "amount": "1000", "gst_rate": rate},
        HTTP_HX_REQUEST="true",
    )


@pytest.mark.parametrize("customer", ["walk-in", "person"])
def test_job_work_at_five_percent_for_a_buyer_without_gstin_is_refused_at_line_add(
    counter, shop, owner, buyer, customer
):
    draft = services.invoice_draft_create(
        tenant=shop, actor=owner, customer=buyer if customer == "person" else None
    )
    response = _job_work(counter, draft, rate="5")
    assert response.status_code == 422
    assert b"5% is only for a GST-registered buyer" in response.content
    assert b"billed as a service at 18%: enter 18 as the GST rate" in response.content
    assert not draft.lines.exists()


def test_job_work_for_a_buyer_without_gstin_takes_the_rate_they_pay(counter, draft):
    assert _job_work(counter, draft).status_code == 200
    assert draft.lines.get().gst_rate == Decimal("18.00")


def test_job_work_for_a_registered_principal_is_at_five_percent(counter, shop, owner, firm):
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=firm)
    assert _job_work(counter, draft).status_code == 200
    assert draft.lines.get().gst_rate == Decimal("5.00")


def test_a_job_work_line_changed_to_five_percent_for_a_walk_in_is_refused(shop, owner, draft):
    line = services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=draft, description="Setting", hsn_code="998892", amount="1000"
    )
    with pytest.raises(Exception, match="only for a GST-registered buyer"):
        services.invoice_line_update(tenant=shop, actor=owner, line=line, gst_rate="5")
    line.refresh_from_db()
    assert line.gst_rate == Decimal("18.00")


def test_job_work_at_five_percent_is_refused_at_issue_once_the_buyer_is_a_walk_in(counter, shop, owner, firm):
    draft = services.invoice_draft_create(tenant=shop, actor=owner, customer=firm)
    assert _job_work(counter, draft).status_code == 200
    counter.post(reverse("invoicing:invoice_buyer", args=[draft.pk]), {"customer": ""})
    response = counter.post(reverse("invoicing:invoice_issue", args=[draft.pk]), follow=True)
    assert b"Setting stones: Job work on jewellery for a GST-registered principal (HSN/SAC 998892): 5% is only for " \
           b"a GST-registered buyer." in response.content  # fmt: skip
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", "")

    counter.post(reverse("invoicing:invoice_buyer", args=[draft.pk]), {"customer": firm.pk})
    counter.post(reverse("invoicing:invoice_issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.igst + draft.cgst + draft.sgst == Decimal("50.00")
