"""Razorpay's webhook at /billing/webhooks/razorpay: no session, its own authentication is the signature
over the raw body. A bad signature gets 400 and writes nothing; each event is kept once by its id in the
same transaction as the change it makes, so a duplicate changes nothing; events arriving out of order
(a failure after the capture, the capture before or after the checkout's answer) renew the AMC once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.billing.models import BillingOrder, BillingPayment, ContractEvent, PlatformInvoice, WebhookEvent
from tests.billing.conftest import A, S, contract_of
from tests.billing.signed import (
    checkout_answer,
    event_body,
    event_id,
    hmac_hex,
    order_for,
    payment_id,
    webhook,
)

pytestmark = pytest.mark.django_db


def _written(tenant) -> dict[str, int]:
    return {
        "events": WebhookEvent.objects.count(),
        "payments": BillingPayment.objects.filter(tenant=tenant).count(),
        "renewals": ContractEvent.objects.filter(tenant=tenant, action=A.RENEWED).count(),
        "invoices": PlatformInvoice.objects.filter(tenant=tenant).count(),
        "audit": AuditEvent.objects.filter(tenant=tenant).count(),
    }


def test_a_captured_payment_renews_the_amc_and_issues_the_invoice(tenant):
    order = order_for(tenant)
    pay = payment_id()

    response = webhook(None, event_body("payment.captured", order, pay))

    assert response.status_code == 200 and response.json() == {"status": "ok", "outcome": "processed"}
    payment = BillingPayment.objects.get(tenant=tenant)
    assert (payment.gateway_payment_id, payment.caused_by, payment.reference) == (
        pay, "Razorpay webhook payment.captured", "upi",
    )  # fmt: skip
    assert contract_of(tenant).state == S.ACTIVE
    assert PlatformInvoice.objects.get(tenant=tenant).payment == payment
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.gateway_order_id, event.outcome) == (
        "payment.captured", order.gateway_order_id, "processed",
    )  # fmt: skip
    assert event.processed_at is not None and event.payload["payload"]["payment"]["entity"]["id"] == pay


@pytest.mark.parametrize(
    "signature",
    ["", "not-a-signature", "wrong secret", "other body"],
)
def test_a_webhook_with_a_bad_signature_gets_400_and_changes_nothing(tenant, signature):
    order = order_for(tenant)
    body = event_body("payment.captured", order, payment_id())
    forged = {
        "": "",
        "not-a-signature": "0" * 64,
        "wrong secret": hmac_hex(body, "someone-elses-secret"),
        "other body": hmac_hex(event_body("payment.captured", order, payment_id()), "standin-webhook-secret"),
    }[signature]
    before = _written(tenant)

    response = webhook(None, body, signature=forged)

    assert response.status_code == 400
    assert response.json()["code"] == "payment_signature_invalid"
    assert _written(tenant) == before
    assert BillingOrder.objects.get(pk=order.pk).status == "created"


def test_a_signed_body_that_is_not_an_event_or_has_no_event_id_gets_400(tenant):
    before = _written(tenant)
    not_json = webhook(None, b"payment captured")
    no_event = webhook(None, b'{"entity": "event"}')
    no_id = Client().post(
        "/billing/webhooks/razorpay", data=b'{"event": "payment.captured"}', content_type="application/json",
        headers={"X-Razorpay-Signature": hmac_hex(b'{"event": "payment.captured"}', "standin-webhook-secret")},
    )  # fmt: skip

    assert [r.status_code for r in (not_json, no_event, no_id)] == [400, 400, 400]
    assert [r.json()["code"] for r in (not_json, no_event, no_id)] == ["webhook_payload_invalid"] * 3
    assert _written(tenant) == before


def test_the_same_event_twice_is_kept_once(tenant):
    order = order_for(tenant)
    body, evt = event_body("payment.captured", order, payment_id()), event_id()

    first = webhook(None, body, evt=evt)
    again = webhook(None, body, evt=evt)

    assert (first.json()["status"], again.json()["status"]) == ("ok", "duplicate")
    assert _written(tenant) | {"audit": 0} == {
        "events": 1,
        "payments": 1,
        "renewals": 1,
        "invoices": 1,
        "audit": 0,
    }


def test_captured_and_order_paid_for_one_payment_renew_once(tenant):
    order = order_for(tenant)
    pay = payment_id()

    captured = webhook(None, event_body("payment.captured", order, pay))
    paid = webhook(None, event_body("order.paid", order, pay))

    assert (captured.json()["outcome"], paid.json()["outcome"]) == ("processed", "unchanged")
    assert _written(tenant)["payments"] == 1 and _written(tenant)["renewals"] == 1


def test_a_failure_reported_after_the_capture_changes_nothing(tenant):
    order = order_for(tenant)
    webhook(None, event_body("payment.captured", order, payment_id()))
    before = _written(tenant)

    late = webhook(None, event_body("payment.failed", order, payment_id()))

    assert late.status_code == 200 and late.json()["outcome"] == "unchanged"
    assert BillingOrder.objects.get(pk=order.pk).status == "paid"
    assert {k: v for k, v in _written(tenant).items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }


def test_a_failed_attempt_then_a_captured_retry_renews_once(tenant):
    order = order_for(tenant)

    failed = webhook(None, event_body("payment.failed", order, payment_id()))
    assert failed.json()["outcome"] == "processed"
    order.refresh_from_db()
    assert (order.status, order.failure_reason, order.attempts) == (
        "failed", "Payment was cancelled by the bank.", 2,
    )  # fmt: skip

    webhook(None, event_body("payment.captured", order, payment_id()))

    order.refresh_from_db()
    assert order.status == "paid" and _written(tenant)["renewals"] == 1


def test_the_webhook_before_the_checkout_answer_renews_once(owner_client, tenant):
    order = order_for(tenant)
    pay = payment_id()

    webhook(None, event_body("payment.captured", order, pay))
    answer = owner_client.post(
        reverse("billing:checkout_return", kwargs={"order_id": order.pk}), checkout_answer(order, pay)
    )

    assert answer.status_code == 302
    assert BillingPayment.objects.get(tenant=tenant).caused_by == "Razorpay webhook payment.captured"
    assert _written(tenant)["renewals"] == 1 and _written(tenant)["invoices"] == 1


def test_the_checkout_answer_before_the_webhook_renews_once(owner_client, tenant):
    order = order_for(tenant)
    pay = payment_id()

    owner_client.post(
        reverse("billing:checkout_return", kwargs={"order_id": order.pk}), checkout_answer(order, pay)
    )
    late = webhook(None, event_body("payment.captured", order, pay))

    assert late.json() == {"status": "ok", "outcome": "unchanged"}
    assert BillingPayment.objects.get(tenant=tenant).caused_by == "checkout"
    assert _written(tenant)["renewals"] == 1 and _written(tenant)["invoices"] == 1


def test_a_second_payment_of_a_paid_order_is_kept_for_a_refund_and_renews_nothing(tenant):
    order = order_for(tenant)
    webhook(None, event_body("payment.captured", order, payment_id()))
    end = contract_of(tenant).period_end

    second = webhook(None, event_body("payment.captured", order, payment_id()))

    assert second.json()["outcome"] == "processed"
    assert _written(tenant)["payments"] == 2 and _written(tenant)["renewals"] == 1
    assert _written(tenant)["invoices"] == 1 and contract_of(tenant).period_end == end
    assert "to be refunded" in AuditEvent.objects.filter(action="billing_payment.record").latest("id").summary


def test_an_amount_other_than_the_orders_is_refused_and_recorded_as_such(tenant):
    order = order_for(tenant)

    response = webhook(None, event_body("payment.captured", order, payment_id(), amount_paise=100))

    assert response.status_code == 200 and response.json()["outcome"] == "refused"
    assert "but the order asks ₹11,800.00" in WebhookEvent.objects.get().detail
    assert _written(tenant)["payments"] == 0 and contract_of(tenant).state == S.TRIALING


def test_an_order_that_is_not_ours_and_other_events_are_kept_and_change_nothing(tenant):
    order_for(tenant)
    before = _written(tenant)

    unknown = webhook(
        None, event_body("payment.captured", None, payment_id(), amount_paise=100, order_id="order_x1")
    )
    refund = webhook(None, event_body("refund.processed", None, payment_id(), amount_paise=100))

    assert (unknown.json()["outcome"], refund.json()["outcome"]) == ("unknown_order", "ignored")
    assert _written(tenant) == before | {"events": before["events"] + 2}


def test_the_webhook_needs_no_session_nor_csrf_token_and_only_takes_post(tenant):
    order = order_for(tenant)
    strict = Client(enforce_csrf_checks=True)

    assert strict.get("/billing/webhooks/razorpay").status_code == 405
    response = webhook(strict, event_body("payment.captured", order, payment_id()))

    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_the_webhook_is_rate_limited_per_address(tenant, settings):
    settings.BILLING_WEBHOOK_RATE = "2/min"
    body = b'{"event": "x"}'

    answers = [webhook(None, body).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_event_delivered_twice_at_once_is_kept_once(tenant):
    order = order_for(tenant)
    body, evt = event_body("payment.captured", order, payment_id()), event_id()
    start = threading.Barrier(4)
    answers: list = []

    def deliver():
        try:
            start.wait(30)
            answers.append(webhook(Client(), body, evt=evt).json()["status"])
        except BaseException as exc:
            answers.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(answers) == ["duplicate", "duplicate", "duplicate", "ok"], answers
    assert _written(tenant) | {"audit": 0} == {
        "events": 1,
        "payments": 1,
        "renewals": 1,
        "invoices": 1,
        "audit": 0,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_webhook_and_the_checkout_answer_at_once_renew_once(tenant, make_client, owner):
    order = order_for(tenant)
    pay = payment_id()
    start = threading.Barrier(2)
    answers: list = []

    client = make_client(owner, tenant)
    url = reverse("billing:checkout_return", kwargs={"order_id": order.pk})

    def run(send):
        try:
            start.wait(30)
            answers.append(send().status_code)
        except BaseException as exc:
            answers.append(exc)
        finally:
            connection.close()

    sends = [
        lambda: webhook(Client(), event_body("payment.captured", order, pay)),
        lambda: client.post(url, checkout_answer(order, pay)),
    ]
    threads = [threading.Thread(target=run, args=[send]) for send in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(answers) == [200, 302], answers
    assert _written(tenant)["payments"] == 1 and _written(tenant)["renewals"] == 1
    assert _written(tenant)["invoices"] == 1
