"""Razorpay's webhook: its signature checked over the raw body with the webhook secret, each event kept
once by its id in the same transaction as the change it makes (`billing_webhook_receive`).

A captured payment ends in `billing_payment_confirm`, a failed one in `billing_order_fail`; any other
event is kept and ignored. What each event did is written on its row (`WebhookEvent.outcome`).
"""

from __future__ import annotations

import json
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing import selectors
from apps.billing.exceptions import WebhookPayloadInvalid
from apps.billing.gateway import CAPTURED, gateway
from apps.billing.models import BillingOrder, BillingPayment, WebhookEvent
from apps.billing.services.orders import billing_order_fail
from apps.billing.services.payments import billing_payment_confirm
from apps.core.exceptions import ApplicationError
from apps.core.rls import tenant_scope

logger = logging.getLogger(__name__)


def _entity(payload: dict, name: str) -> dict:
    entity = (payload.get("payload") or {}).get(name) or {}
    entity = entity.get("entity") if isinstance(entity, dict) else None
    return entity if isinstance(entity, dict) else {}


def _timestamp(value) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


@dataclass
class WebhookAnswer:
    """What the webhook endpoint tells Razorpay, and what it did."""

    event: WebhookEvent
    duplicate: bool = False


def billing_webhook_receive(*, raw_body: bytes, signature: str, event_id: str) -> WebhookAnswer:
    """One webhook from Razorpay: verified over the raw body first (a bad signature raises, and nothing is
    written), then kept once by its event id in the same transaction as the change it makes: a duplicate
    finds the row and changes nothing, a failure rolls the row back so Razorpay's retry is handled again.
    The change is small (the PDF is rendered after commit by a worker), so the answer comes fast."""
    gateway().webhook_signature_verify(raw_body=raw_body, signature=signature)
    try:
        payload = json.loads(raw_body)
    except ValueError:
        raise WebhookPayloadInvalid("The webhook's body is not JSON.") from None
    event_id = (event_id or "").strip()
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        raise WebhookPayloadInvalid("The webhook's body is not a Razorpay event.")
    if not event_id or len(event_id) > 64:
        raise WebhookPayloadInvalid("The webhook carries no X-Razorpay-Event-Id.")
    payment, order = _entity(payload, "payment"), _entity(payload, "order")
    gateway_order_id = str(payment.get("order_id") or order.get("id") or "")[:40]
    tenant_id = (
        selectors.billing_order_tenant_id(gateway_order_id=gateway_order_id) if gateway_order_id else None
    )
    with tenant_scope(tenant_id) if tenant_id is not None else nullcontext():
        return _webhook_apply(
            event_id=event_id, payload=payload, gateway_order_id=gateway_order_id, tenant_id=tenant_id
        )


@transaction.atomic
def _webhook_apply(
    *, event_id: str, payload: dict, gateway_order_id: str, tenant_id: int | None
) -> WebhookAnswer:
    event_type = payload["event"][:64]
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                event_id=event_id, event_type=event_type, gateway_order_id=gateway_order_id, payload=payload
            )
    except IntegrityError:  # Razorpay sent it again (or a second delivery raced the first)
        return WebhookAnswer(event=WebhookEvent.objects.get(event_id=event_id), duplicate=True)
    outcome, detail = _webhook_dispatch(event_type, payload, gateway_order_id, tenant_id)
    event.outcome, event.detail, event.processed_at = outcome, detail[:300], timezone.now()
    event.save(update_fields=["outcome", "detail", "processed_at"])
    return WebhookAnswer(event=event)


PAID_EVENTS = ("payment.captured", "order.paid")


def _webhook_dispatch(
    event_type: str, payload: dict, gateway_order_id: str, tenant_id: int | None
) -> tuple[str, str]:
    E = WebhookEvent.Outcome
    if event_type not in (*PAID_EVENTS, "payment.failed"):
        return E.IGNORED, ""
    if tenant_id is None:
        return E.UNKNOWN_ORDER, f"No AMC order {gateway_order_id or '(none named)'}."
    order = (
        BillingOrder.objects.for_tenant(tenant_id)
        .select_related("tenant")
        .get(gateway_order_id=gateway_order_id)
    )
    payment = _entity(payload, "payment")
    payment_id = str(payment.get("id") or "")[:40]
    if event_type == "payment.failed":
        reason = str(payment.get("error_description") or "The payment failed.")
        if billing_order_fail(order=order, reason=reason):
            return E.PROCESSED, f"Order {gateway_order_id} failed: {reason}"
        return (
            E.UNCHANGED,
            f"Order {gateway_order_id} is {order.get_status_display().lower()}: a failure changes nothing.",
        )
    if not payment_id or payment.get("status") != CAPTURED:
        return E.UNCHANGED, "No captured payment in the event."
    if BillingPayment.objects.for_tenant(tenant_id).filter(gateway_payment_id=payment_id).exists():
        return E.UNCHANGED, f"Payment {payment_id} was already recorded."
    try:
        with transaction.atomic():
            recorded = billing_payment_confirm(
                order=order,
                gateway_payment_id=payment_id,
                amount_paise=int(payment.get("amount") or 0),
                paid_at=_timestamp(payment.get("created_at")),
                reference=str(payment.get("method") or ""),
                caused_by=f"Razorpay webhook {event_type}",
            )
    except (ApplicationError, ValidationError) as exc:
        # A rule refused it (a renewal the plan's new price no longer covers): retrying will not help.
        logger.warning("AMC payment %s of order %s refused: %s", payment_id, gateway_order_id, exc)
        return (
            E.REFUSED,
            f"Payment {payment_id} not recorded: {'; '.join(getattr(exc, 'messages', [str(exc)]))}",
        )
    return E.PROCESSED, f"Payment {recorded.gateway_payment_id} recorded."
