"""Razorpay's answers and webhooks as Razorpay sends them, signed the way Razorpay signs: HMAC-SHA256 with
the key secret over `order_id|payment_id` (the checkout), with the webhook secret over the raw body (a
webhook). Written here from the algorithm, not with the code under test, so a test proves the app
accepts what Razorpay sends and refuses anything else. The secrets are the test settings' (the stand-in's)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime

from django.conf import settings
from django.test import Client
from django.utils import timezone

from apps.billing import services
from apps.billing.models import BillingOrder
from apps.tenants.models import Membership, Role

WEBHOOK_URL = "/billing/webhooks/razorpay"


def hmac_hex(message: str | bytes, secret: str) -> str:
    body = message.encode() if isinstance(message, str) else message
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payment_id() -> str:
    return "pay_" + secrets.token_hex(7)


def event_id() -> str:
    return "evt_" + secrets.token_hex(7)


def checkout_answer(order: BillingOrder, pay_id: str, *, secret: str | None = None) -> dict[str, str]:
    """What Razorpay's checkout hands the page once a payment went through."""
    return {
        "razorpay_order_id": order.gateway_order_id,
        "razorpay_payment_id": pay_id,
        "razorpay_signature": hmac_hex(
            f"{order.gateway_order_id}|{pay_id}", secret or settings.RAZORPAY_KEY_SECRET
        ),
    }


def event_body(
    event: str,
    order: BillingOrder | None,
    pay_id: str,
    *,
    amount_paise: int | None = None,
    paid_at: datetime | None = None,
    order_id: str | None = None,
) -> bytes:
    """A webhook's raw body, as Razorpay writes it (compact JSON)."""
    status = "failed" if event == "payment.failed" else "captured"
    gateway_order_id = order_id or (order.gateway_order_id if order else "order_unknown00000")
    payment = {
        "id": pay_id, "entity": "payment", "amount": amount_paise if amount_paise is not None else order.amount_paise,
        "currency": "INR", "status": status, "order_id": gateway_order_id, "method": "upi",
        "captured": status == "captured", "created_at": int((paid_at or timezone.now()).timestamp()),
        "error_description": "Payment was cancelled by the bank." if status == "failed" else None,
    }  # fmt: skip
    payload = {"payment": {"entity": payment}}
    if event == "order.paid":
        payload["order"] = {"entity": {"id": gateway_order_id, "entity": "order", "status": "paid"}}
    body = {
        "entity": "event", "account_id": "acc_test", "event": event, "contains": list(payload),
        "payload": payload, "created_at": int(timezone.now().timestamp()),
    }  # fmt: skip
    return json.dumps(body, separators=(",", ":")).encode()


def webhook(
    client: Client | None,
    body: bytes,
    *,
    evt: str | None = None,
    signature: str | None = None,
    secret: str | None = None,
):
    """POST a webhook as Razorpay does: the raw body, its signature and the event id in headers."""
    client = client or Client(enforce_csrf_checks=True)
    headers = {"X-Razorpay-Event-Id": evt or event_id()}
    headers["X-Razorpay-Signature"] = (
        signature if signature is not None else hmac_hex(body, secret or settings.RAZORPAY_WEBHOOK_SECRET)
    )
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", headers=headers)


def owner_of(tenant):
    return Membership.objects.for_tenant(tenant).get(role=Role.OWNER).user


def order_for(tenant) -> BillingOrder:
    """The tenant's order for the amount due, started as its owner's "Renew now" starts it."""
    return services.billing_order_start(tenant=tenant, actor=owner_of(tenant))
