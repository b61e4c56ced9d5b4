"""The daily reconciliation: Razorpay is asked about the orders still open, so that a payment whose
webhook never came is recorded all the same (`billing_payment_confirm`) and an order nobody paid is
given up (`billing_order_expire`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone

from apps.billing.gateway import gateway
from apps.billing.models import BillingOrder
from apps.billing.services.orders import billing_order_expire
from apps.billing.services.payments import billing_payment_confirm
from apps.core.exceptions import ApplicationError
from apps.core.rls import tenant_scope

logger = logging.getLogger(__name__)

OrderStatus = BillingOrder.Status
RECONCILIATION = "daily reconciliation"


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
