"""Paying for the AMC: an online order, and the one function every confirmed payment ends in.

A payment is heard of in four ways, and all end in `billing_payment_confirm` (online) or its sibling
`billing_payment_record` (by hand), which record it once per Razorpay payment id, renew the contract once
(`contract_renew`), issue the platform's invoice and audit:
- the checkout's answer, its signature checked with the key secret (`billing_checkout_return`);
- Razorpay's webhook, its signature checked over the raw body with the webhook secret, each event kept
  once by its id in the same transaction as the change it makes (`billing_webhook_receive`);
- the daily reconciliation, asking Razorpay about orders still open (`billing_orders_reconcile`);
- a super admin recording a bank transfer or UPI payment with its reference (`billing_payment_record`).
Whichever comes first records the payment; the others find it and change nothing. A failure reported
after a capture changes nothing either.
"""

from __future__ import annotations

import json
import logging
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.billing import selectors
from apps.billing.exceptions import BillingOrderRefused, WebhookPayloadInvalid
from apps.billing.gateway import CAPTURED, gateway
from apps.billing.models import BillingOrder, BillingPayment, Contract, ContractEvent, WebhookEvent
from apps.billing.services.contracts import _amount, contract_renew
from apps.billing.services.platform_invoices import platform_invoice_issue
from apps.billing.services.transitions import today_local
from apps.core.exceptions import ApplicationError
from apps.core.money import inr
from apps.core.rls import tenant_scope
from apps.gst.periods import retain_until

if TYPE_CHECKING:
    from datetime import date

    from apps.accounts.models import User
    from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

OrderStatus = BillingOrder.Status
M = BillingPayment.Method
CHECKOUT = "checkout"
RECONCILIATION = "daily reconciliation"


# --- the order ------------------------------------------------------------------------------------------


def _receipt(tenant: Tenant) -> str:
    """Our reference for an order, unique and within Razorpay's 40 characters: amc-t12-20261201-1f2e3d4c."""
    return f"amc-t{tenant.pk}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(4)}"


def _same_amount(order: BillingOrder, due: selectors.AmountDue) -> bool:
    return (order.plan_id, order.taxable_value, order.cgst, order.sgst, order.igst) == (
        due.plan.pk, due.taxable_value, due.cgst, due.sgst, due.igst,
    )  # fmt: skip


@transaction.atomic
def _order_reuse(*, tenant: Tenant, due: selectors.AmountDue) -> BillingOrder | None:
    """The open order, once more, if it asks for the amount due now; an open order for another amount is
    given up (the shop is shown the new one)."""
    order = BillingOrder.objects.for_tenant(tenant).open().select_for_update(of=("self",)).first()
    if order is None:
        return None
    if _same_amount(order, due):
        order.attempts += 1
        order.save(update_fields=["attempts", "updated_at"])
        return order
    order.status = OrderStatus.EXPIRED
    order.save(update_fields=["status", "updated_at"])
    audit_record(
        tenant=tenant, actor=None, action="billing_order.expire", target=order,
        summary=f"AMC order {order.gateway_order_id} for {inr(order.amount)} given up: the amount due is now {inr(due.amount)}",
    )  # fmt: skip
    return None


@transaction.atomic
def _order_record(
    *,
    tenant: Tenant,
    contract: Contract,
    due: selectors.AmountDue,
    receipt: str,
    gateway_order_id: str,
    actor: User,
) -> BillingOrder:
    order = BillingOrder(
        tenant=tenant, contract=contract, plan=due.plan, receipt=receipt, gateway_order_id=gateway_order_id,
        sac=due.sac, gst_rate=due.gst_rate, place_of_supply=due.place_of_supply, taxable_value=due.taxable_value,
        cgst=due.cgst, sgst=due.sgst, igst=due.igst, amount=due.amount, amount_paise=due.amount_paise,
        created_by=actor if actor.is_authenticated else None,
    )  # fmt: skip
    order.full_clean(exclude=["tenant", "contract", "plan", "created_by"], validate_constraints=False)
    order.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=order.created_by, action="billing_order.start", target=order,
        summary=f"AMC renewal started online: {inr(order.amount)} ({inr(order.taxable_value)} + {inr(order.tax)} GST), "
        f"order {gateway_order_id}",
    )  # fmt: skip
    return order


def billing_order_start(*, tenant: Tenant, actor: User, today: date | None = None) -> BillingOrder:
    """The order the shop pays to renew its AMC: the open one when it asks for the amount due now, else a
    new Razorpay order for it (in paise, the contract in its notes, a unique receipt).

    Not one transaction, on purpose: the call to Razorpay runs with no row locked and nothing open, and its
    order is recorded just after. Two clicks at once both make a Razorpay order; the database keeps one open
    order per contract, so the second finds the first's and uses it (an order never paid costs nothing).
    """
    today = today or today_local()
    contract = selectors.contract_for(tenant=tenant)
    if contract is None:
        raise BillingOrderRefused("No AMC is recorded for this workspace yet: contact Tijori.")
    if contract.state == Contract.State.SUSPENDED:
        raise BillingOrderRefused("Tijori has suspended this AMC: contact Tijori to renew it.")
    contract.tenant = tenant
    due = selectors.amount_due(contract=contract, on=today)
    if due is None:
        raise BillingOrderRefused(f"{contract.plan.name} is free: there is nothing to pay.")
    paying = gateway()  # refuses before anything is written when payments are off
    reused = _order_reuse(tenant=tenant, due=due)
    if reused is not None:
        return reused
    receipt = _receipt(tenant)
    notes = {
        "tenant_id": str(tenant.pk),
        "contract_id": str(contract.pk),
        "plan": due.plan.code,
        "purpose": "AMC",
    }
    gateway_order_id = paying.order_create(amount_paise=due.amount_paise, receipt=receipt, notes=notes)
    try:
        return _order_record(
            tenant=tenant,
            contract=contract,
            due=due,
            receipt=receipt,
            gateway_order_id=gateway_order_id,
            actor=actor,
        )
    except IntegrityError:  # another click recorded an open order meanwhile
        reused = _order_reuse(tenant=tenant, due=due)
        if reused is None:
            raise
        return reused


# --- confirming a payment -------------------------------------------------------------------------------


def _renewal_of(contract: Contract) -> ContractEvent:
    """The renewal `contract_renew` just recorded, in this transaction, under the contract's lock."""
    return (
        ContractEvent.objects.for_tenant(contract.tenant)
        .filter(contract=contract, action=ContractEvent.Action.RENEWED)
        .order_by("-id")
        .first()
    )


def _payment_save(payment: BillingPayment) -> BillingPayment:
    payment.full_clean(
        exclude=["tenant", "contract", "order", "recorded_by", "renewal"], validate_constraints=False
    )
    payment.save(force_insert=True)
    return payment


def _paid_on(paid_at: datetime | None, today: date) -> date:
    """The day a payment was made, in India; never after today."""
    return min(timezone.localdate(paid_at), today) if paid_at is not None else today


@transaction.atomic
def billing_payment_confirm(
    *,
    order: BillingOrder,
    gateway_payment_id: str,
    amount_paise: int,
    caused_by: str,
    paid_at: datetime | None = None,
    reference: str = "",
    actor: User | None = None,
    today: date | None = None,
) -> BillingPayment:
    """Record an online payment of `order` once, whichever channel heard of it first, and what it buys:
    the year (`contract_renew`, paid on the payment's day, so a payment after expiry starts the year that
    day) and the platform's invoice (its PDF after commit). A payment already recorded is returned as it
    is. A second payment of an order already paid is recorded (the money came in) but renews nothing:
    it is left for a super admin to refund.
    """
    today = today or today_local()
    tenant = order.tenant
    payments = BillingPayment.objects.for_tenant(tenant)
    found = payments.filter(gateway_payment_id=gateway_payment_id).first()
    if found is not None:
        return found
    # Each channel waits here for the one before it, then finds what it recorded.
    order = (
        BillingOrder.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("contract", "plan")
        .get(pk=order.pk)
    )
    found = payments.filter(gateway_payment_id=gateway_payment_id).first()
    if found is not None:
        return found
    if amount_paise != order.amount_paise:
        raise ValidationError(
            {
                "amount": [
                    f"The payment is for {inr(Decimal(amount_paise) / 100)}, but the order asks {inr(order.amount)}."
                ]
            }
        )
    paid_on = _paid_on(paid_at, today)
    renewal, contract = None, order.contract
    contract.tenant = tenant
    if order.status != OrderStatus.PAID:
        contract = contract_renew(
            contract=contract, paid_on=paid_on, amount=order.amount, caused_by=f"payment {gateway_payment_id}",
            actor=actor, today=today,
        )  # fmt: skip
        renewal = _renewal_of(contract)
        order.status, order.paid_at = OrderStatus.PAID, paid_at or timezone.now()
        order.save(update_fields=["status", "paid_at", "updated_at"])
    payment = _payment_save(
        BillingPayment(
            tenant=tenant,
            contract=contract,
            order=order,
            gateway_payment_id=gateway_payment_id,
            method=M.RAZORPAY,
            reference=reference[:100],
            amount=order.amount,
            paid_on=paid_on,
            caused_by=caused_by[:200],
            renewal=renewal,
            retain_until=retain_until(paid_on),
        )
    )
    if renewal is None:
        logger.warning(
            "AMC order %s was paid twice (%s): refund the second payment", order, gateway_payment_id
        )
        summary = f"paid again ({inr(payment.amount)}, order {order.gateway_order_id} was already paid): to be refunded"
    else:
        # Issued by the platform itself, not by whoever paid.
        invoice = platform_invoice_issue(
            payment=payment, contract=contract, figures=order, actor=None, today=today
        )
        summary = f"{inr(payment.amount)} received online ({caused_by}); invoice {invoice.number}"
    audit_record(
        tenant=tenant, actor=actor, action="billing_payment.record", target=payment,
        summary=f"AMC payment {gateway_payment_id} {summary}",
    )  # fmt: skip
    return payment


@transaction.atomic
def billing_order_fail(*, order: BillingOrder, reason: str) -> bool:
    """A payment of the order failed: an order still open is marked failed (the next "Renew now" makes a
    new one; a retry on this one that succeeds is still recorded). An order already paid is left as it is:
    a failure reported after a capture (events arrive out of order) changes nothing. Returns whether it
    changed anything."""
    order = BillingOrder.objects.for_tenant(order.tenant).select_for_update(of=("self",)).get(pk=order.pk)
    if order.status != OrderStatus.CREATED:
        return False
    order.status, order.failure_reason = OrderStatus.FAILED, (reason or "The payment failed.")[:300]
    order.attempts += 1
    order.save(update_fields=["status", "failure_reason", "attempts", "updated_at"])
    audit_record(
        tenant=order.tenant, actor=None, action="billing_order.fail", target=order,
        summary=f"AMC payment of order {order.gateway_order_id} failed: {order.failure_reason}",
    )  # fmt: skip
    return True


def billing_checkout_return(
    *, tenant: Tenant, actor: User, order: BillingOrder, gateway_payment_id: str, signature: str
) -> BillingPayment:
    """The checkout's answer: recorded once its signature proves Razorpay made it for this order (a forged
    or altered answer is refused and records nothing)."""
    assert order.tenant_id == tenant.id
    gateway_payment_id = (gateway_payment_id or "").strip()
    gateway().payment_signature_verify(
        order_id=order.gateway_order_id, payment_id=gateway_payment_id, signature=(signature or "").strip()
    )
    order.tenant = tenant
    return billing_payment_confirm(
        order=order, gateway_payment_id=gateway_payment_id, amount_paise=order.amount_paise,
        caused_by=CHECKOUT, actor=actor,
    )  # fmt: skip


@transaction.atomic
def billing_payment_record(
    *,
    contract: Contract,
    actor: User,
    method: str,
    reference: str,
    paid_on: date,
    amount,
    reason: str = "",
    today: date | None = None,
) -> BillingPayment:
    """A payment received outside the checkout (a bank transfer or cheque, UPI), recorded by a super admin
    with its reference: it renews the contract (from `paid_on`, by the renewal rule) and the platform's
    invoice is issued for it, as for a payment online. It must be the amount due, GST included."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied("Only a super admin can record a payment received outside the checkout.")
    today = today or today_local()
    errors: dict[str, list[str]] = {}
    if method not in (M.BANK, M.UPI):
        errors["method"] = ["Choose how it was paid: bank transfer or cheque, or UPI."]
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = [
            "Give the payment's reference: a bank transfer's UTR, a cheque number, a UPI id."
        ]
    if errors:
        raise ValidationError(errors)
    amount = _amount(amount)
    contract = (
        Contract.objects.for_tenant(contract.tenant_id).select_related("plan", "tenant").get(pk=contract.pk)
    )
    due = selectors.amount_due(contract=contract, on=paid_on)
    if due is not None and amount != due.amount:
        price = contract.plan.yearly_price
        raise ValidationError(
            {
                "amount": [
                    f"{inr(amount)} was paid, but a year of {contract.plan.name} costs {inr(price)} before GST. "
                    f"The amount due is {inr(due.amount)} ({inr(due.tax)} GST): record the payment for that "
                    "amount, once it is all in."
                ]
            }
        )
    contract = contract_renew(
        contract=contract, paid_on=paid_on, amount=amount, actor=actor, today=today,
        caused_by=f"payment recorded by super admin {actor.email}: {reference}",
    )  # fmt: skip
    payment = _payment_save(
        BillingPayment(
            tenant=contract.tenant,
            contract=contract,
            method=method,
            reference=reference[:100],
            amount=amount,
            paid_on=paid_on,
            caused_by=f"super admin {actor.email}"[:200],
            recorded_by=actor,
            renewal=_renewal_of(contract),
            retain_until=retain_until(paid_on),
        )
    )
    invoice = platform_invoice_issue(
        payment=payment, contract=contract, figures=due, actor=actor, today=today
    )
    reason = (reason or "").strip()
    audit_record(
        tenant=contract.tenant, actor=actor, action="billing_payment.record", target=payment,
        summary=f"AMC payment of {inr(amount)} by {payment.get_method_display().lower()} recorded "
        f"({reference}); invoice {invoice.number}{': ' + reason if reason else ''}",
    )  # fmt: skip
    return payment


# --- webhooks ---------------------------------------------------------------------------------------------


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


# --- the daily reconciliation ------------------------------------------------------------------------------


@dataclass
class ReconcileRun:
    """What one run of the reconciliation did."""

    asked: int = 0
    paid: int = 0
    expired: int = 0
    failed: list[str] = field(default_factory=list)  # Razorpay order ids it could not settle

    def as_dict(self) -> dict:
        return {"asked": self.asked, "paid": self.paid, "expired": self.expired, "failed": self.failed}


def billing_orders_reconcile(*, now: datetime | None = None) -> ReconcileRun:
    """Beat, daily: ask the gateway about every order still open (or failed) made more than
    `BILLING_RECONCILE_AFTER_MINUTES` ago, and record a payment whose webhook never came (Razorpay stops
    retrying after 24 hours). An order nobody paid within `BILLING_ORDER_EXPIRE_DAYS` is given up. Each
    order is settled on its own, acting for its shop; one that fails is logged and the others go on.
    Platform-wide: the beat task runs bypassing row-level security."""
    now = now or timezone.now()
    run = ReconcileRun()
    cutoff = now - timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    give_up = now - timedelta(days=settings.BILLING_ORDER_EXPIRE_DAYS)
    pending = list(
        BillingOrder.objects.filter(
            status__in=[OrderStatus.CREATED, OrderStatus.FAILED], created_at__lte=cutoff
        )
        .order_by("created_at", "pk")
        .values_list("pk", "tenant_id", "gateway_order_id")
    )
    if not pending:
        return run
    paying = gateway()
    for order_pk, tenant_id, gateway_order_id in pending:
        run.asked += 1
        try:
            with tenant_scope(tenant_id):
                order = BillingOrder.objects.for_tenant(tenant_id).select_related("tenant").get(pk=order_pk)
                remote = paying.order_fetch(order_id=gateway_order_id)
                captured = remote.captured
                if captured is not None:
                    billing_payment_confirm(
                        order=order, gateway_payment_id=captured.id, amount_paise=captured.amount_paise,
                        paid_at=captured.created_at, reference=captured.method, caused_by=RECONCILIATION,
                        today=timezone.localdate(now),
                    )  # fmt: skip
                    run.paid += 1
                elif order.created_at <= give_up:
                    billing_order_expire(order=order)
                    run.expired += 1
        except (ApplicationError, ValidationError, DatabaseError):
            logger.exception("AMC reconciliation: order %s could not be settled", gateway_order_id)
            run.failed.append(gateway_order_id)
    return run


@transaction.atomic
def billing_order_expire(*, order: BillingOrder) -> None:
    """Give up an order nobody paid in time (checked again under its lock)."""
    order = BillingOrder.objects.for_tenant(order.tenant).select_for_update(of=("self",)).get(pk=order.pk)
    if order.status not in (OrderStatus.CREATED, OrderStatus.FAILED):
        return
    order.status = OrderStatus.EXPIRED
    order.save(update_fields=["status", "updated_at"])
    audit_record(
        tenant=order.tenant, actor=None, action="billing_order.expire", target=order,
        summary=f"AMC order {order.gateway_order_id} for {inr(order.amount)} given up: not paid in "
        f"{settings.BILLING_ORDER_EXPIRE_DAYS} days",
    )  # fmt: skip
