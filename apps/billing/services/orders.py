"""The AMC's online order: made when the shop clicks "Renew now" (or the open one used again), marked
failed when Razorpay reports a failed payment, given up when nobody pays it in time.
`billing_payment_confirm` (in `payments`) marks it paid.

A contract has at most one open order, for the amount due when it was made (in paise): an open order
asking another amount is given up and a new one made.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.billing import selectors
from apps.billing.exceptions import BillingOrderRefused
from apps.billing.gateway import gateway
from apps.billing.models import BillingOrder, Contract
from apps.billing.services.transitions import today_local
from apps.core.money import inr

if TYPE_CHECKING:
    from datetime import date

    from apps.accounts.models import User
    from apps.tenants.models import Tenant

OrderStatus = BillingOrder.Status


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
