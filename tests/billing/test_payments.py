"""Renewing the AMC online: "Renew now" makes one Razorpay order for the amount due, the checkout's signed
answer renews the contract once and issues Tijori's invoice, a payment after expiry starts the year that
day, the daily reconciliation records a payment whose webhook never came, and a super admin records a
payment received by bank or UPI. Every payment ends in the same one-time record."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.billing import services
from apps.billing.gateway import standin_order_get, standin_payment_add
from apps.billing.models import (
    BillingOrder,
    BillingPayment,
    ContractEvent,
    Plan,
    PlatformInvoice,
    WebhookEvent,
)
from apps.tenants.models import Role, Tenant
from apps.tenants.services import tenant_create
from tests.billing.conftest import A, S, after_trial, contract_of, events_of
from tests.billing.signed import checkout_answer, hmac_hex, order_for, payment_id
from tests.conftest import add_member

pytestmark = pytest.mark.django_db


def _counts(tenant) -> tuple[int, int, int, int]:
    return (
        BillingPayment.objects.filter(tenant=tenant).count(),
        ContractEvent.objects.filter(tenant=tenant, action=A.RENEWED).count(),
        PlatformInvoice.objects.filter(tenant=tenant).count(),
        AuditEvent.objects.filter(tenant=tenant).count(),
    )


def _return(client, order, answer):
    return client.post(reverse("billing:checkout_return", kwargs={"order_id": order.pk}), answer)


# --- the order ---------------------------------------------------------------------------------------------


def test_renew_now_makes_an_order_for_the_amount_due_and_opens_its_checkout(owner_client, tenant):
    response = owner_client.post(reverse("billing:renew"))

    order = BillingOrder.objects.get(tenant=tenant)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:checkout", kwargs={"order_id": order.pk})
    # Shop A is in Maharashtra, like the platform: CGST and SGST at 9% each on ₹10,000.
    assert (order.taxable_value, order.cgst, order.sgst, order.igst) == (
        Decimal("10000.00"), Decimal("900.00"), Decimal("900.00"), Decimal("0.00"),
    )  # fmt: skip
    assert (order.amount, order.amount_paise, order.status, order.sac) == (
        Decimal("11800.00"),
        1180000,
        "created",
        "998313",
    )
    assert len(order.receipt) <= 40 and order.receipt.startswith(f"amc-t{tenant.pk}-")
    remote = standin_order_get(order.gateway_order_id)
    assert remote["amount"] == 1180000 and remote["receipt"] == order.receipt
    assert remote["notes"]["contract_id"] == str(contract_of(tenant).pk)
    assert remote["notes"]["tenant_id"] == str(tenant.pk)

    checkout = owner_client.get(response["Location"])
    standin = reverse("payments:standin_checkout", kwargs={"order_id": order.gateway_order_id})
    assert checkout.status_code == 302 and checkout["Location"].startswith(standin)
    page = owner_client.get(checkout["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Local stand-in for Razorpay: no money moves" in html and "Pay ₹11,800.00" in html


def test_renewing_again_reuses_the_open_order_and_a_new_price_gives_it_up(tenant):
    first = order_for(tenant)
    again = order_for(tenant)
    assert again.pk == first.pk and again.attempts == 2

    Plan.objects.filter(code="amc").update(yearly_price=Decimal("12000.00"))
    third = order_for(tenant)

    first.refresh_from_db()
    assert first.status == BillingOrder.Status.EXPIRED
    assert third.pk != first.pk and third.amount == Decimal("14160.00")
    assert BillingOrder.objects.filter(tenant=tenant, status="created").get() == third


def test_a_shop_in_another_state_pays_igst(other_tenant):
    order = order_for(other_tenant)  # Shop B is in Tamil Nadu (33)
    assert (order.cgst, order.sgst, order.igst, order.amount) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("1800.00"), Decimal("11800.00"),
    )  # fmt: skip
    assert order.place_of_supply == "33"


def test_staff_can_not_renew_and_nothing_is_ordered(tenant, staff_user, make_client):
    response = make_client(staff_user, tenant).post(reverse("billing:renew"))
    assert response.status_code == 403
    assert not BillingOrder.objects.filter(tenant=tenant).exists()


def test_an_admin_renews(tenant, admin_user, make_client):
    response = make_client(admin_user, tenant).post(reverse("billing:renew"))
    assert response.status_code == 302 and BillingOrder.objects.filter(tenant=tenant).count() == 1


def test_a_suspended_amc_is_not_renewed_online(owner_client, tenant, root):
    services.contract_suspend(contract=contract_of(tenant), reason="chargeback", actor=root)

    response = owner_client.post(reverse("billing:renew"))

    assert response.status_code == 409
    assert "Tijori has suspended this AMC: contact Tijori to renew it." in response.content.decode()
    assert not BillingOrder.objects.filter(tenant=tenant).exists()


def test_a_shop_without_its_state_is_told_to_set_it_and_nothing_is_ordered(owner_client, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(state_code="")

    page = owner_client.get(reverse("billing:contract")).content.decode()
    response = owner_client.post(reverse("billing:renew"))

    assert "Set the shop&#x27;s state on its profile first" in page and "Renew now" not in page
    assert response.status_code == 409 and not BillingOrder.objects.filter(tenant=tenant).exists()


def test_a_personal_workspace_on_the_free_plan_has_nothing_to_pay(make_client, owner):
    builds = tenant_create(owner=owner, kind="personal", name="Side Builds")
    client = make_client(owner, builds)

    page = client.get(reverse("billing:contract")).content.decode()
    response = client.post(reverse("billing:renew"))

    assert "Renew now" not in page and "Amount due" not in page
    assert (
        response.status_code == 409
        and "Personal is free: there is nothing to pay." in response.content.decode()
    )


# --- the checkout's answer ---------------------------------------------------------------------------------


def test_the_checkout_answer_renews_once_and_issues_the_invoice(owner_client, tenant, owner):
    order = order_for(tenant)
    trial_end = contract_of(tenant).period_end
    pay = payment_id()

    response = _return(owner_client, order, checkout_answer(order, pay))
    again = _return(owner_client, order, checkout_answer(order, pay))  # a reload sends it again

    assert response.status_code == 302 and again.status_code == 302
    payment = BillingPayment.objects.get(tenant=tenant)
    contract = contract_of(tenant)
    assert (payment.gateway_payment_id, payment.amount, payment.method, payment.caused_by) == (
        pay, Decimal("11800.00"), "razorpay", "checkout",
    )  # fmt: skip
    assert (contract.state, contract.period_start) == (S.ACTIVE, trial_end + timedelta(days=1))
    assert payment.renewal.caused_by == f"payment {pay}" and payment.renewal.actor == owner
    order.refresh_from_db()
    assert order.status == BillingOrder.Status.PAID and order.paid_at is not None
    invoice = PlatformInvoice.objects.get(tenant=tenant)
    assert invoice.payment == payment and invoice.total == Decimal("11800.00")
    assert _counts(tenant)[:3] == (1, 1, 1)
    page = owner_client.get(reverse("billing:contract")).content.decode()
    assert f"Paid ₹11,800.00: the AMC is renewed until {contract.period_end:%d %b %Y}" in page
    assert invoice.number in page and pay in page


def test_a_forged_checkout_answer_is_refused_and_records_nothing(owner_client, tenant):
    order = order_for(tenant)
    before = _counts(tenant)

    wrong_secret = _return(
        owner_client, order, checkout_answer(order, payment_id(), secret="not-the-key-secret")
    )
    tampered = checkout_answer(order, payment_id())
    tampered["razorpay_payment_id"] = payment_id()  # the signature was made for another payment
    swapped = _return(owner_client, order, tampered)

    for response in (wrong_secret, swapped):
        assert response.status_code == 400
        assert "did not carry Razorpay&#x27;s signature" in response.content.decode()
    assert _counts(tenant) == before
    order.refresh_from_db()
    assert order.status == BillingOrder.Status.CREATED


def test_an_answer_for_another_order_of_the_shop_is_refused(owner_client, tenant):
    order = order_for(tenant)
    answer = checkout_answer(order, payment_id())
    answer["razorpay_order_id"] = "order_someoneelse01"

    response = _return(owner_client, order, answer)

    assert response.status_code == 404 and not BillingPayment.objects.exists()


def test_a_payment_after_expiry_starts_the_year_on_the_payment_date(tenant):
    contract = contract_of(tenant)
    expired_on = after_trial(contract, contract.plan.grace_days + 1)
    services.contracts_lifecycle_advance(today=expired_on)
    assert contract_of(tenant).state == S.EXPIRED
    order = order_for(tenant)
    paid_on = expired_on + timedelta(days=10)

    services.billing_payment_confirm(
        order=order, gateway_payment_id=payment_id(), amount_paise=order.amount_paise, caused_by="test",
        paid_at=timezone.make_aware(timezone.datetime.combine(paid_on, timezone.datetime.min.time())), today=paid_on,
    )  # fmt: skip

    contract = contract_of(tenant)
    assert (contract.state, contract.period_start) == (S.ACTIVE, paid_on)
    assert contract.period_end == services.year_from(paid_on)
    assert [e[0] for e in events_of(tenant)][-1] == A.RENEWED


def test_a_payment_in_grace_follows_on_from_the_period(tenant):
    contract = contract_of(tenant)
    in_grace = after_trial(contract, 3)
    services.contracts_lifecycle_advance(today=in_grace)
    order = order_for(tenant)

    services.billing_payment_confirm(
        order=order, gateway_payment_id=payment_id(), amount_paise=order.amount_paise, caused_by="test",
        today=in_grace,
    )  # fmt: skip

    renewed = contract_of(tenant)
    assert (renewed.state, renewed.period_start) == (S.ACTIVE, contract.period_end + timedelta(days=1))


def test_an_expired_shop_renews_from_its_billing_page(owner_client, tenant):
    contract = contract_of(tenant)
    services.contracts_lifecycle_advance(today=after_trial(contract, contract.plan.grace_days + 1))
    assert contract_of(tenant).state == S.EXPIRED

    started = owner_client.post(reverse("billing:renew"))
    order = BillingOrder.objects.get(tenant=tenant)
    paid = _return(owner_client, order, checkout_answer(order, payment_id()))

    assert started.status_code == 302 and paid.status_code == 302
    assert contract_of(tenant).state == S.ACTIVE
    assert (
        owner_client.post(
            reverse("invoicing:customer_new"), {"kind": "unregistered", "name": "M"}
        ).status_code
        != 402
    )


# --- the daily reconciliation -----------------------------------------------------------------------------


def test_reconciliation_records_a_paid_order_whose_webhook_never_came(tenant):
    order = order_for(tenant)
    remote = standin_order_get(order.gateway_order_id)
    paid = standin_payment_add(remote, captured=True)  # paid at the gateway; no webhook, no return
    later = timezone.now() + timedelta(hours=2)

    run = services.billing_orders_reconcile(now=later)
    again = services.billing_orders_reconcile(now=later)

    assert (run.asked, run.paid, run.failed) == (1, 1, [])
    assert (again.asked, again.paid) == (0, 0)
    payment = BillingPayment.objects.get(tenant=tenant)
    assert (payment.gateway_payment_id, payment.caused_by) == (paid["id"], "daily reconciliation")
    assert (
        contract_of(tenant).state == S.ACTIVE and PlatformInvoice.objects.filter(tenant=tenant).count() == 1
    )


def test_reconciliation_leaves_recent_orders_and_gives_up_stale_ones(tenant, other_tenant):
    recent = order_for(tenant)
    stale = order_for(other_tenant)
    now = timezone.now()
    BillingOrder.objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=8))

    run = services.billing_orders_reconcile(now=now)

    assert (run.asked, run.paid, run.expired) == (1, 0, 1)
    recent.refresh_from_db()
    stale.refresh_from_db()
    assert (recent.status, stale.status) == ("created", "expired")
    assert AuditEvent.objects.filter(tenant=other_tenant, action="billing_order.expire").exists()


# --- a payment recorded by a super admin ------------------------------------------------------------------


def _manage(contract):
    return reverse("admin:billing_contract_manage", args=[contract.pk])


def test_a_super_admin_records_a_bank_transfer_with_its_reference_and_reason(root_client, root, tenant):
    contract = contract_of(tenant)

    response = root_client.post(
        _manage(contract),
        {
            "action": "renew", "renew-method": "bank", "renew-paid_on": contract.period_start.isoformat(),
            "renew-amount": "11,800", "renew-reference": "UTR HDFC0001234", "renew-reason": "Paid by NEFT",
        },
    )  # fmt: skip

    assert response.status_code == 302
    payment = BillingPayment.objects.get(tenant=tenant)
    assert (payment.method, payment.reference, payment.recorded_by, payment.order) == (
        "bank", "UTR HDFC0001234", root, None,
    )  # fmt: skip
    assert payment.renewal.caused_by == "payment recorded by super admin root@tijori.in: UTR HDFC0001234"
    invoice = PlatformInvoice.objects.get(tenant=tenant)
    assert invoice.issued_by == root and invoice.total == Decimal("11800.00")
    audit = AuditEvent.objects.get(tenant=tenant, action="billing_payment.record")
    assert (
        audit.actor == root and audit.summary.endswith(": Paid by NEFT") and invoice.number in audit.summary
    )


def test_a_payment_recorded_for_a_wrong_amount_is_refused_and_writes_nothing(root_client, tenant):
    contract = contract_of(tenant)
    before = _counts(tenant)

    response = root_client.post(
        _manage(contract),
        {
            "action": "renew", "renew-method": "upi", "renew-paid_on": contract.period_start.isoformat(),
            "renew-amount": "10000", "renew-reference": "UPI 1234", "renew-reason": "Paid on UPI",
        },
    )  # fmt: skip

    assert response.status_code == 422
    assert "The amount due is ₹11,800.00 (₹1,800.00 GST)" in response.content.decode()
    assert _counts(tenant) == before and contract_of(tenant).state == S.TRIALING


def test_only_a_super_admin_records_a_payment(tenant, owner):
    with pytest.raises(Exception, match="Only a super admin"):
        services.billing_payment_record(
            contract=contract_of(tenant), actor=owner, method="bank", reference="UTR 1",
            paid_on=timezone.localdate(), amount="11800",
        )  # fmt: skip
    assert not BillingPayment.objects.exists()


# --- the page ---------------------------------------------------------------------------------------------


def test_the_billing_page_shows_the_amount_due_with_its_gst(owner_client, tenant, assert_app_queries):
    for n in range(3):  # three years paid: the lists grow, the page's queries do not
        order = order_for(tenant)
        services.billing_payment_confirm(
            order=order,
            gateway_payment_id=f"pay_page{n:010d}",
            amount_paise=order.amount_paise,
            caused_by="test",
        )

    # Member, contract, GST rate, open order, invoices, payments, history (and the session's user).
    with assert_app_queries(8):
        page = owner_client.get(reverse("billing:contract"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "CGST 9%" in html and "SGST 9%" in html and "IGST" not in html
    assert 'id="amount-due">₹11,800.00<' in html and "Renew now" in html
    for invoice in PlatformInvoice.objects.filter(tenant=tenant):
        assert reverse("billing:invoice_pdf", kwargs={"invoice_id": invoice.pk}) in html
        assert invoice.number in html


def test_admins_see_renew_now_and_staff_do_not_see_billing(tenant, make_client):
    viewer = add_member(tenant, Role.ADMIN)
    html = make_client(viewer, tenant).get(reverse("billing:contract")).content.decode()
    assert "Renew now" in html  # admins renew, as owners do
    staff = add_member(tenant, Role.STAFF)
    assert make_client(staff, tenant).get(reverse("billing:contract")).status_code == 403


def test_with_razorpay_the_checkout_page_loads_its_script_on_that_page_only(owner_client, tenant, settings):
    order = order_for(tenant)
    settings.RAZORPAY_STANDIN = False
    settings.RAZORPAY_KEY_ID = "rzp_live_example"

    page = owner_client.get(reverse("billing:checkout", kwargs={"order_id": order.pk}))
    billing = owner_client.get(reverse("billing:contract"))

    html = page.content.decode()
    assert page.status_code == 200
    assert '<script src="https://checkout.razorpay.com/v1/checkout.js"></script>' in html
    assert f'data-order-id="{order.gateway_order_id}"' in html and 'data-amount="1180000"' in html
    assert 'data-key="rzp_live_example"' in html
    assert "https://checkout.razorpay.com" in page["Content-Security-Policy"]
    assert "razorpay" not in billing["Content-Security-Policy"]
    assert "Local stand-in" not in billing.content.decode()


def test_a_super_admins_manual_payment_and_an_online_one_share_one_invoice_series(root, tenant, other_tenant):
    services.billing_payment_record(
        contract=contract_of(tenant), actor=root, method="upi", reference="UPI 77", reason="UPI to the bank",
        paid_on=timezone.localdate(), amount="11800",
    )  # fmt: skip
    order = order_for(other_tenant)
    services.billing_payment_confirm(
        order=order, gateway_payment_id=payment_id(), amount_paise=order.amount_paise, caused_by="test"
    )

    numbers = list(PlatformInvoice.objects.order_by("pk").values_list("number", flat=True))
    assert [n.rsplit("/", 1)[1] for n in numbers] == ["00001", "00002"]


def test_a_visitor_is_sent_to_sign_in(tenant):
    order = order_for(tenant)
    response = Client().get(reverse("billing:checkout", kwargs={"order_id": order.pk}))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- the local stand-in, end to end: its signed answer and its signed webhooks -----------------------------


@pytest.mark.django_db(transaction=True)
def test_the_stand_in_pays_posts_its_signed_answer_and_sends_signed_webhooks(
    live_server, settings, tenant, owner, make_client
):
    settings.SITE_URL = live_server.url  # the stand-in's webhooks go to this running site
    client = make_client(owner, tenant)
    checkout = client.get(client.post(reverse("billing:renew"))["Location"])
    order = BillingOrder.objects.get(tenant=tenant)

    answer = client.post(
        checkout["Location"].split("?")[0],
        {"outcome": "pay", "callback_url": reverse("billing:checkout_return", kwargs={"order_id": order.pk})},
    )

    # The webhooks were delivered (by the eager task) before the answer page: the payment is in.
    assert answer.status_code == 200
    events = dict(WebhookEvent.objects.values_list("event_type", "outcome"))
    assert events == {"payment.captured": "processed", "order.paid": "unchanged"}
    payment = BillingPayment.objects.get(tenant=tenant)
    assert payment.caused_by == "Razorpay webhook payment.captured"
    html = answer.content.decode()
    assert "data-auto-submit" in html and payment.gateway_payment_id in html
    fields = dict(re.findall(r'name="(razorpay_[a-z_]+)" value="([^"]+)"', html))
    assert fields["razorpay_signature"] == hmac_hex(
        f"{order.gateway_order_id}|{payment.gateway_payment_id}", settings.RAZORPAY_KEY_SECRET
    )

    back = client.post(reverse("billing:checkout_return", kwargs={"order_id": order.pk}), fields)

    assert back.status_code == 302
    assert _counts(tenant)[:3] == (1, 1, 1)
    assert contract_of(tenant).state == S.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_a_payment_declined_on_the_stand_in_fails_the_order_and_a_retry_pays_it(
    live_server, settings, tenant, owner, make_client
):
    settings.SITE_URL = live_server.url
    client = make_client(owner, tenant)
    order = order_for(tenant)
    url = reverse("payments:standin_checkout", kwargs={"order_id": order.gateway_order_id})

    declined = client.post(url, {"outcome": "fail"})

    assert declined.status_code == 200 and "The payment was declined" in declined.content.decode()
    order.refresh_from_db()
    assert order.status == "failed" and not BillingPayment.objects.exists()
    retried = client.post(url, {"outcome": "pay"})
    assert retried.status_code == 200
    order.refresh_from_db()
    assert order.status == "paid" and contract_of(tenant).state == S.ACTIVE
    assert (
        client.post(url, {"outcome": "pay"}).status_code == 409
    )  # Razorpay takes no payment of a paid order


# --- production: Razorpay's order API through its SDK (answered here by `responses`, no network) ----------


@pytest.fixture
def razorpay_api(settings):
    settings.RAZORPAY_STANDIN = False
    settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET = "rzp_live_key", "live-key-secret"
    with responses.RequestsMock() as api:
        yield api


def test_razorpay_gets_the_order_in_paise_with_the_receipt_and_notes(tenant, razorpay_api):
    razorpay_api.post(
        "https://api.razorpay.com/v1/orders", json={"id": "order_LiveOrder0001", "status": "created"}
    )

    order = order_for(tenant)

    sent = razorpay_api.calls[0].request
    body = json.loads(sent.body)
    assert body == {
        "amount": 1180000, "currency": "INR", "receipt": order.receipt,
        "notes": {"tenant_id": str(tenant.pk), "contract_id": str(contract_of(tenant).pk), "plan": "amc", "purpose": "AMC"},
    }  # fmt: skip
    assert (
        sent.headers["Authorization"] == "Basic " + base64.b64encode(b"rzp_live_key:live-key-secret").decode()
    )
    assert order.gateway_order_id == "order_LiveOrder0001"


def test_razorpay_down_charges_nothing_and_records_nothing(owner_client, tenant, razorpay_api):
    razorpay_api.post(
        "https://api.razorpay.com/v1/orders",
        status=500,
        json={"error": {"code": "SERVER_ERROR", "description": "The server encountered an error."}},
    )

    response = owner_client.post(reverse("billing:renew"))

    assert response.status_code == 503
    assert "Razorpay could not be reached just now: nothing was charged" in response.content.decode()
    assert not BillingOrder.objects.exists()


def test_reconciliation_reads_the_orders_payments_from_razorpay(tenant, razorpay_api):
    razorpay_api.post("https://api.razorpay.com/v1/orders", json={"id": "order_LiveOrder0002"})
    order = order_for(tenant)
    paid_at = timezone.now() - timedelta(days=2)
    razorpay_api.get(
        "https://api.razorpay.com/v1/orders/order_LiveOrder0002",
        json={"id": "order_LiveOrder0002", "status": "paid", "amount": 1180000},
    )
    razorpay_api.get(
        "https://api.razorpay.com/v1/orders/order_LiveOrder0002/payments",
        json={"items": [
            {"id": "pay_Failed00000001", "status": "failed", "amount": 1180000, "method": "card", "created_at": 1},
            {"id": "pay_Captured000001", "status": "captured", "amount": 1180000, "method": "netbanking",
             "created_at": int(paid_at.timestamp())},
        ]},
    )  # fmt: skip

    run = services.billing_orders_reconcile(now=timezone.now() + timedelta(hours=1))

    assert (run.paid, run.failed) == (1, [])
    payment = BillingPayment.objects.get(order=order)
    assert (payment.gateway_payment_id, payment.reference, payment.paid_on) == (
        "pay_Captured000001", "netbanking", timezone.localdate(paid_at),
    )  # fmt: skip
