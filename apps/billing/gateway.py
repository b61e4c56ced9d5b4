"""The payment gateway behind AMC renewals: Razorpay, or the app's local stand-in for it.

Four calls, one interface: `order_create`, `order_fetch`, `payment_signature_verify` and
`webhook_signature_verify`. Both gateways verify signatures with the `razorpay` SDK's own functions
(HMAC-SHA256 of `order_id|payment_id` with the key secret for the checkout, of the raw body with the
webhook secret for webhooks), so the same checks run offline as in production; only making and reading
orders differ. Settings choose (`config.settings.billing`): the stand-in when `RAZORPAY_STANDIN` is on,
Razorpay when its key is set, else none (online payments are off).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime

import razorpay
import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from apps.billing.exceptions import PaymentGatewayUnavailable, PaymentSignatureInvalid, PaymentsOff

CAPTURED = "captured"
FAILED = "failed"


@dataclass(frozen=True)
class GatewayPayment:
    """A payment of an order as the gateway reports it."""

    id: str
    status: str  # created, authorized, captured, refunded, failed
    amount_paise: int
    method: str = ""
    created_at: datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class GatewayOrder:
    """An order as the gateway reports it, with its payments."""

    id: str
    status: str  # created, attempted, paid
    amount_paise: int
    payments: list[GatewayPayment] = field(default_factory=list)

    @property
    def captured(self) -> GatewayPayment | None:
        return next((p for p in self.payments if p.status == CAPTURED), None)


def _random_id(prefix: str) -> str:
    """An id shaped like Razorpay's: a prefix and 14 letters and digits."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(14))


def signature_make(message: str | bytes, secret: str) -> str:
    """Sign as Razorpay signs: hex HMAC-SHA256 of the message with the secret."""
    body = message.encode() if isinstance(message, str) else message
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Gateway:
    """What both gateways share: the key pair, the webhook secret, and signature checks by the SDK."""

    name = ""
    standin = False

    def __init__(self, *, key_id: str, key_secret: str, webhook_secret: str) -> None:
        self.key_id = key_id
        self.key_secret = key_secret
        self.webhook_secret = webhook_secret
        self._utility = razorpay.Client(auth=(key_id, key_secret)).utility

    def payment_signature_verify(self, *, order_id: str, payment_id: str, signature: str) -> None:
        """The checkout's answer is Razorpay's: else PaymentSignatureInvalid (and nothing is recorded)."""
        try:
            self._utility.verify_payment_signature(
                {
                    "razorpay_order_id": order_id,
                    "razorpay_payment_id": payment_id,
                    "razorpay_signature": signature,
                }
            )
        except SignatureVerificationError:
            raise PaymentSignatureInvalid(
                "The payment's confirmation did not carry Razorpay's signature, so it was not recorded. "
                "If money left your account, it is recorded as soon as Razorpay tells us directly."
            ) from None

    def webhook_signature_verify(self, *, raw_body: bytes, signature: str) -> None:
        """The webhook's body is exactly what Razorpay signed with the webhook secret."""
        try:
            body = raw_body.decode("utf-8")
        except UnicodeDecodeError:
            raise PaymentSignatureInvalid("The webhook's body is not UTF-8 text.") from None
        if not signature or not self.webhook_secret:
            raise PaymentSignatureInvalid("The webhook carries no signature.")
        try:
            self._utility.verify_webhook_signature(body, signature, self.webhook_secret)
        except SignatureVerificationError:
            raise PaymentSignatureInvalid("The webhook's signature does not match its body.") from None

    def order_create(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> str:
        raise NotImplementedError

    def order_fetch(self, *, order_id: str) -> GatewayOrder:
        raise NotImplementedError


class RazorpayGateway(Gateway):
    """Razorpay's order API through its SDK, with a timeout (the SDK has none of its own)."""

    name = "Razorpay"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._client = razorpay.Client(auth=(self.key_id, self.key_secret))
        self._client.set_app_details({"title": "Tijori"})

    def _call(self, call, *args):
        try:
            return call(*args, timeout=settings.RAZORPAY_TIMEOUT_SECONDS)
        except (BadRequestError, GatewayError, ServerError, requests.RequestException, ValueError) as exc:
            raise PaymentGatewayUnavailable(
                "Razorpay could not be reached just now: nothing was charged. Try again in a minute.",
                extra={"error": str(exc)[:200]},
            ) from exc

    def order_create(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> str:
        order = self._call(
            self._client.order.create,
            {"amount": amount_paise, "currency": "INR", "receipt": receipt, "notes": notes},
        )
        return order["id"]

    def order_fetch(self, *, order_id: str) -> GatewayOrder:
        order = self._call(self._client.order.fetch, order_id)
        payments = self._call(self._client.order.payments, order_id).get("items", [])
        return GatewayOrder(
            id=order["id"],
            status=order["status"],
            amount_paise=int(order["amount"]),
            payments=[
                GatewayPayment(
                    id=p["id"],
                    status=p["status"],
                    amount_paise=int(p["amount"]),
                    method=p.get("method") or "",
                    created_at=datetime.fromtimestamp(p["created_at"], tz=UTC)
                    if p.get("created_at")
                    else None,
                    error=p.get("error_description") or "",
                )
                for p in payments
            ],
        )


# --- the local stand-in ------------------------------------------------------------------------------

STANDIN_KEY = "billing:standin:order:{}"
STANDIN_KEEP_SECONDS = 60 * 60 * 24 * 90  # longer than any order is reconciled


class StandinGateway(Gateway):
    """The app's own stand-in for Razorpay's order API (`make run`, the tests): no money moves.

    Orders live in the shared cache (the database cache on the embedded defaults), as Razorpay would
    report them; its checkout page (`apps.billing.standin`) pays or fails them.
    """

    name = "the local stand-in for Razorpay"
    standin = True

    def order_create(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> str:
        order_id = _random_id("order_")
        standin_order_save(
            {
                "id": order_id,
                "amount": amount_paise,
                "currency": "INR",
                "receipt": receipt,
                "notes": dict(notes),
                "status": "created",
                "payments": [],
                "created_at": int(timezone.now().timestamp()),
            }
        )
        return order_id

    def order_fetch(self, *, order_id: str) -> GatewayOrder:
        order = standin_order_get(order_id)
        if order is None:
            raise PaymentGatewayUnavailable(
                f"The stand-in has no order {order_id}: it may have been cleared."
            )
        return GatewayOrder(
            id=order["id"],
            status=order["status"],
            amount_paise=order["amount"],
            payments=[
                GatewayPayment(
                    id=p["id"],
                    status=p["status"],
                    amount_paise=p["amount"],
                    method=p["method"],
                    created_at=datetime.fromtimestamp(p["created_at"], tz=UTC),
                    error=p.get("error_description") or "",
                )
                for p in order["payments"]
            ],
        )


def standin_order_get(order_id: str) -> dict | None:
    return cache.get(STANDIN_KEY.format(order_id))


def standin_order_save(order: dict) -> None:
    cache.set(STANDIN_KEY.format(order["id"]), order, STANDIN_KEEP_SECONDS)


def standin_payment_add(order: dict, *, captured: bool) -> dict:
    """A payment of a stand-in order, captured (the order is then paid) or failed, as Razorpay records it."""
    payment = {
        "id": _random_id("pay_"),
        "entity": "payment",
        "amount": order["amount"],
        "currency": "INR",
        "status": CAPTURED if captured else FAILED,
        "order_id": order["id"],
        "method": "upi",
        "captured": captured,
        "created_at": int(timezone.now().timestamp()),
        "error_description": "" if captured else "The payment was declined on the stand-in's checkout.",
        "notes": order["notes"],
    }
    order["payments"].append(payment)
    order["status"] = "paid" if captured else "attempted"
    standin_order_save(order)
    return payment


def gateway() -> Gateway:
    """The gateway settings choose; PaymentsOff when neither the stand-in nor a Razorpay key is set."""
    keys = {
        "key_id": settings.RAZORPAY_KEY_ID,
        "key_secret": settings.RAZORPAY_KEY_SECRET,
        "webhook_secret": settings.RAZORPAY_WEBHOOK_SECRET,
    }
    if settings.RAZORPAY_STANDIN:
        return StandinGateway(**keys)
    if settings.RAZORPAY_KEY_ID:
        return RazorpayGateway(**keys)
    raise PaymentsOff(
        "Online payments are not set up: pay by bank transfer or UPI and tell Tijori the reference."
    )


def payments_online() -> bool:
    return bool(settings.RAZORPAY_STANDIN or settings.RAZORPAY_KEY_ID)
