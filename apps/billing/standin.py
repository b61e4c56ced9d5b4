"""The local stand-in for Razorpay's hosted checkout (`RAZORPAY_STANDIN`: `make run` and the tests).

Razorpay cannot be reached from here, so the stand-in plays its part, as the AWS emulator plays AWS's,
under a banner saying no money moves. Its checkout page (mounted under /billing/standin/ only when the
stand-in is on) pays or declines one of the orders `StandinGateway` made, then does what Razorpay does:
- on "Pay", signs `order_id|payment_id` with the key secret and posts the answer to the shop's return
  address, where it is verified with the Razorpay SDK like a real one;
- sends the signed `payment.captured` and `order.paid` (or `payment.failed`) webhooks, signed over the raw
  body with the webhook secret, to the site's webhook endpoint through a Celery task that retries while
  the site does not answer, so the webhook path runs offline too.
It knows orders, not shops: an order names its workspace in its notes, and only that workspace's members
see its page (another's answers 404, like a missing order).
"""

from __future__ import annotations

import json
from decimal import Decimal

import requests
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from apps.billing import tasks
from apps.billing.gateway import _random_id, signature_make, standin_order_get, standin_payment_add
from apps.core.money import inr
from apps.core.pages import site_link
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view

# Razorpay sends a webhook a few seconds after the payment; the checkout's answer usually comes first.
WEBHOOK_DELAY_SECONDS = 3


def standin_event_body(*, event: str, order: dict, payment: dict) -> str:
    """A webhook's body as Razorpay writes it (the fields billing reads, and their neighbours)."""
    contains = ["payment", "order"] if event == "order.paid" else ["payment"]
    payload = {"payment": {"entity": payment}}
    if event == "order.paid":
        payload["order"] = {
            "entity": {k: order[k] for k in ("id", "amount", "currency", "receipt", "notes", "status")}
            | {"entity": "order"}
        }
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_standin",
            "event": event,
            "contains": contains,
            "payload": payload,
            "created_at": int(timezone.now().timestamp()),
        },
        separators=(",", ":"),
    )


def standin_webhooks_send(*, order: dict, payment: dict) -> list[str]:
    """Send the events Razorpay sends for this payment, after commit; returns their event ids."""
    events = ["payment.captured", "order.paid"] if payment["status"] == "captured" else ["payment.failed"]
    ids = []
    for event in events:
        body, event_id = standin_event_body(event=event, order=order, payment=payment), _random_id("evt_")
        transaction.on_commit(
            lambda body=body, event_id=event_id: tasks.standin_webhook_send_task.apply_async(
                args=[body, event_id], countdown=WEBHOOK_DELAY_SECONDS
            )
        )
        ids.append(event_id)
    return ids


def standin_webhook_url() -> str:
    return settings.RAZORPAY_STANDIN_WEBHOOK_URL or site_link("payments:razorpay_webhook")


def standin_webhook_deliver(*, body: str, event_id: str) -> None:
    """POST one signed event to the site's webhook; an error or a non-2xx answer raises (the task retries)."""
    response = requests.post(
        standin_webhook_url(),
        data=body.encode(),
        headers={
            "Content-Type": "application/json",
            "X-Razorpay-Signature": signature_make(body, settings.RAZORPAY_WEBHOOK_SECRET),
            "X-Razorpay-Event-Id": event_id,
            "User-Agent": "Razorpay-Webhook/v1 (local stand-in)",
        },
        timeout=10,
    )
    response.raise_for_status()


def _order_of(request, order_id: str) -> dict:
    order = standin_order_get(order_id)
    if order is None or order.get("notes", {}).get("tenant_id") != str(request.tenant.pk):
        raise Http404("No such order.")
    return order


def _callback(request) -> str:
    """Where the answer goes: the shop's return address on this site (never another site's)."""
    url = request.POST.get("callback_url") or request.GET.get("callback_url") or ""
    if not url.startswith("/") or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}
    ):
        return reverse("billing:contract")
    return url


@require_http_methods(["GET", "POST"])
@tenant_view(rights.BILLING_PAY)
def standin_checkout_view(request, order_id: str):
    """The stand-in's checkout: pay the order (the answer goes back to the shop) or decline the payment."""
    order = _order_of(request, order_id)
    context = {
        "order": order,
        "amount": inr(Decimal(order["amount"]) / 100),
        "callback_url": _callback(request),
        "merchant": settings.PLATFORM_LEGAL_NAME or "Tijori",
    }
    if request.method == "GET":
        return render(request, "billing/standin_checkout.html", context)
    if order["status"] == "paid":
        context["error"] = "This order is already paid."
        return render(request, "billing/standin_checkout.html", context, status=409)
    captured = request.POST.get("outcome") == "pay"
    payment = standin_payment_add(order, captured=captured)
    standin_webhooks_send(order=order, payment=payment)
    if not captured:
        context["error"] = (
            f"The payment was declined (stand-in payment {payment['id']}). Try again, or go back."
        )
        return render(request, "billing/standin_checkout.html", context)
    answer = {
        "razorpay_payment_id": payment["id"],
        "razorpay_order_id": order["id"],
        "razorpay_signature": signature_make(f"{order['id']}|{payment['id']}", settings.RAZORPAY_KEY_SECRET),
    }
    return render(request, "billing/standin_return.html", {**context, "answer": answer})
