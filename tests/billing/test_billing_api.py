"""/api/v1/billing for integrations: the plan, state, period, the amount due with its GST, Tijori's invoices
with links to their PDFs, and the payments; for owners' and admins' keys only, in one fixed number of
queries however many years were paid."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.billing import services
from apps.billing.models import PlatformInvoice
from apps.tenants.models import Role, Tenant
from apps.tenants.services import tenant_create
from tests.api_helpers import ApiClient, make_key
from tests.billing.conftest import contract_of
from tests.billing.signed import order_for, payment_id
from tests.conftest import add_member

pytestmark = pytest.mark.django_db


def _pay(tenant) -> PlatformInvoice:
    order = order_for(tenant)
    payment = services.billing_payment_confirm(
        order=order, gateway_payment_id=payment_id(), amount_paise=order.amount_paise, caused_by="test"
    )
    return PlatformInvoice.objects.get(payment=payment)


def test_the_amc_with_its_amount_due_invoices_and_payments(api, tenant):
    invoice = _pay(tenant)
    contract = contract_of(tenant)

    response = api.get("/api/v1/billing")

    assert response.status_code == 200
    body = response.json()
    assert body["plan"] == {"code": "amc", "name": "AMC", "yearly_price": "10000.00"}
    assert (body["state"], body["period_kind"]) == ("active", "paid")
    assert (body["period_start"], body["period_end"], body["grace_until"]) == (
        contract.period_start.isoformat(), contract.period_end.isoformat(), None,
    )  # fmt: skip
    assert body["amount_due"] == {
        "sac": "998313", "gst_rate": "18.00", "place_of_supply": "27", "taxable_value": "10000.00",
        "cgst": "900.00", "sgst": "900.00", "igst": "0.00", "amount": "11800.00",
    }  # fmt: skip
    assert body["amount_due_note"] == ""
    [listed] = body["invoices"]
    assert (listed["number"], listed["doc_type"], listed["total"], listed["original"]) == (
        invoice.number, "invoice", "11800.00", None,
    )  # fmt: skip
    assert listed["pdf"] == f"http://testserver/api/v1/billing/invoices/{invoice.pk}/pdf"
    [paid] = body["payments"]
    assert (paid["method"], paid["amount"], paid["gateway_payment_id"]) == (
        "razorpay", "11800.00", invoice.payment.gateway_payment_id,
    )  # fmt: skip


def test_the_pdf_link_opens_the_stored_pdf(api, tenant, owner, make_client):
    invoice = _pay(tenant)

    response = api.get(f"/api/v1/billing/invoices/{invoice.pk}/pdf")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"url", "expires_at"}
    download = make_client(owner, tenant).get(body["url"].removeprefix("http://testserver"))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_answer_costs_the_same_queries_for_one_year_or_several(api, tenant, assert_app_queries):
    _pay(tenant)
    api.get("/api/v1/billing")  # the key's first use is written down once
    # The key, the contract, the GST rate, the invoices, the payments.
    with assert_app_queries(5):
        api.get("/api/v1/billing")
    _pay(tenant)
    _pay(tenant)

    with assert_app_queries(5):
        response = api.get("/api/v1/billing")

    assert len(response.json()["invoices"]) == 3


def test_staff_keys_and_anonymous_callers_are_refused(tenant):
    staff = add_member(tenant, Role.STAFF)
    staff_key = ApiClient(make_key(tenant, staff, "staff"))

    assert staff_key.get("/api/v1/billing").status_code == 403
    assert Client().get("/api/v1/billing").status_code in (401, 403)


def test_a_free_workspace_has_no_amount_due(owner):
    builds = tenant_create(owner=owner, kind="personal", name="Side Builds")

    body = ApiClient(make_key(builds, owner, "owner")).get("/api/v1/billing").json()

    assert (body["amount_due"], body["period_end"], body["invoices"]) == (None, None, [])


def test_a_shop_without_its_state_is_told_why_there_is_no_amount_due(api, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(state_code="")

    body = api.get("/api/v1/billing").json()

    assert body["amount_due"] is None and body["amount_due_note"].startswith("Set the shop's state")


def test_another_workspaces_invoice_is_404(api, other_tenant):
    invoice = _pay(other_tenant)

    response = api.get(f"/api/v1/billing/invoices/{invoice.pk}/pdf")

    assert response.status_code == 404 and response.json()["code"] == "not_found"
