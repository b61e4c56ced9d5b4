"""Recording an AMC payment once, whichever way Tijori heard of it, and what the payment buys.

A payment is heard of in four ways, and all end in `billing_payment_confirm` (online) or its sibling
`billing_payment_record` (by hand), which record it once per Razorpay payment id, renew the contract once
(`contract_renew`), issue the platform's invoice and audit:
- the checkout's answer, its signature checked with the key secret (`billing_checkout_return`);
- Razorpay's webhook (`billing_webhook_receive`, in `webhooks`);
- the daily reconciliation, asking Razorpay about orders still open (`billing_orders_reconcile`, in
  `reconcile`);
- a super admin recording a bank transfer or UPI payment with its reference (`billing_payment_record`).
Whichever comes first records the payment; the others find it and change nothing. A failure reported
after a capture changes nothing either (`billing_order_fail`, in `orders`).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.billing import selectors
from apps.billing.gateway import gateway
from apps.billing.models import BillingOrder, BillingPayment, Contract, ContractEvent
from apps.billing.services.contracts import _amount, contract_renew
from apps.billing.services.platform_invoices import platform_invoice_issue
from apps.billing.services.transitions import today_local
from apps.core.money import inr
from apps.gst.periods import retain_until

if TYPE_CHECKING:
    from datetime import date, datetime

    from apps.accounts.models import User
    from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

OrderStatus = BillingOrder.Status
M = BillingPayment.Method
CHECKOUT = "checkout"


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
