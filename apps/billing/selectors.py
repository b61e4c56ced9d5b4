"""Reading AMC contracts: one tenant's (pages, the write gate, the dashboard's notice); what renewing
costs, and the tenant's orders, payments and the platform's invoices to it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.billing.exceptions import BillingOrderRefused, PaymentsOff
from apps.billing.models import BillingOrder, BillingPayment, Contract, ContractEvent, Plan, PlatformInvoice
from apps.core.db.rows import ModelRow, table_name
from apps.core.rls import rls_bypass
from apps.gst import tax
from apps.gst.selectors import gst_rate_value

if TYPE_CHECKING:
    from apps.tenants.models import Tenant

WRITE_REFUSAL_EXPIRED = (
    "Your AMC has expired: renew to make changes. Everything stays readable and exportable."
)
WRITE_REFUSAL_SUSPENDED = (
    "Your AMC is suspended: contact Tijori to make changes. Everything stays readable and exportable."
)
_REFUSALS = {Contract.State.EXPIRED: WRITE_REFUSAL_EXPIRED, Contract.State.SUSPENDED: WRITE_REFUSAL_SUSPENDED}


_CONTRACT_ROW = ModelRow((Contract, "c"), (Plan, "p"))


@functools.cache
def _contract_sql() -> str:
    # Table and column names are the models' own, not input.
    return (
        f"SELECT {_CONTRACT_ROW.select_list()} FROM {table_name(Contract)} c "  # noqa: S608
        f"JOIN {table_name(Plan)} p ON p.id = c.plan_id WHERE c.tenant_id = %s"
    )


def contract_for(*, tenant: Tenant) -> Contract | None:
    """The tenant's contract with its plan (one query), or None for a tenant not given one yet.

    Read on every page of a member (the AMC banner), so written as one statement: 1.0 ms through the
    ORM, most of it building the query (apps/core/db/rows.py).
    """
    with connection.cursor() as cursor:
        cursor.execute(_contract_sql(), [tenant.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    contract, plan = _CONTRACT_ROW.instances(row)
    contract.plan = plan
    return contract


def contract_write_refusal(*, tenant: Tenant) -> str | None:
    """Why the tenant may not change anything now, in the words to show; None when it may.

    Expired and suspended contracts refuse writes; trial, active and grace allow them (grace is access
    grace). A tenant with no contract yet (made before billing, until `contracts_backfill` runs) is
    allowed. Cost: one query reading one column through the unique index on tenant_id.
    """
    state = Contract.objects.for_tenant(tenant).values_list("state", flat=True).first()
    return _REFUSALS.get(state)


def contract_write_allowed(*, tenant: Tenant) -> bool:
    """Whether the tenant may change its data now (see `contract_write_refusal`; same single query)."""
    return contract_write_refusal(tenant=tenant) is None


def contract_amount_due(*, contract: Contract) -> Decimal:
    """What renewing costs: a year at the contract's plan's price, in rupees before GST (₹0 on a free
    plan). The platform's own invoice adds GST; `contract_renew` accepts any amount that covers this."""
    return contract.plan.yearly_price


ENDING_SOON_DAYS = 30  # the dashboard's notice starts with the first reminder e-mail


@dataclass(frozen=True)
class EndingSoon:
    """The dashboard's notice that the current period ends soon."""

    period_end: date
    days: int  # from today to the period's last day: 0 when today is the last day
    trial: bool


def contract_ending_soon(*, contract: Contract | None, today: date) -> EndingSoon | None:
    """Whether the period (trial, paid or complimentary) ends within `ENDING_SOON_DAYS`, while the
    contract is on trial or active; a contract in grace, expired or suspended has the AMC banner instead.

    Reads nothing: it takes the contract the request already loaded (`access.writes.tenant_contract`).
    """
    if contract is None or contract.period_end is None:
        return None
    if contract.state not in (Contract.State.TRIALING, Contract.State.ACTIVE):
        return None
    days = (contract.period_end - today).days
    if not 0 <= days <= ENDING_SOON_DAYS:
        return None
    return EndingSoon(
        period_end=contract.period_end, days=days, trial=contract.period_kind == Contract.PeriodKind.TRIAL
    )


def contract_event_list(*, tenant: Tenant) -> QuerySet[ContractEvent]:
    """The tenant's AMC history, newest first."""
    return ContractEvent.objects.for_tenant(tenant).order_by("-created_at", "-id")


# --- paying: the amount due, orders, payments and the platform's invoices --------------------------------


@dataclass(frozen=True)
class AmountDue:
    """What renewing costs, settled as the platform's invoice will settle it: a year at the plan's price,
    GST at the rate on record for the platform's SAC, CGST and SGST when the shop is in the platform's
    state, else IGST (the place of supply of a service to a registered business is where it is)."""

    plan: Plan
    sac: str
    gst_rate: Decimal
    place_of_supply: str
    inter_state: bool
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    @property
    def amount(self) -> Decimal:
        return self.taxable_value + self.tax

    @property
    def amount_paise(self) -> int:
        return int(self.amount * 100)

    @property
    def half_rate(self) -> Decimal:
        """The CGST (and SGST) rate within the state: half the GST rate."""
        return self.gst_rate / 2


def amount_due(*, contract: Contract, on: date) -> AmountDue | None:
    """The amount due to renew `contract` (with its tenant and plan), or None on a free plan.

    Refused, with what to do, when the shop's state or the platform's GST details are not set, or the
    rate table has no rate for the platform's SAC on `on`.
    """
    price = contract_amount_due(contract=contract)
    if price <= 0:
        return None
    platform_state = settings.PLATFORM_STATE_CODE
    if not (platform_state and settings.PLATFORM_GSTIN):
        raise PaymentsOff(
            "Tijori's own GST details are not set up yet, so it can't invoice the AMC: contact Tijori."
        )
    place = contract.tenant.state_code
    if not place:
        raise BillingOrderRefused(
            "Set the shop's state on its profile first: it decides whether the AMC's GST is CGST and SGST, or IGST."
        )
    rate = gst_rate_value(code=settings.PLATFORM_SAC, on=on)
    if rate is None:
        raise PaymentsOff(
            f"No GST rate is on record for SAC {settings.PLATFORM_SAC}: a super admin adds it in the rate table."
        )
    inter_state = tax.is_inter_state(supplier_state=platform_state, place_of_supply=place)
    line = tax.line_tax(taxable=price, rate=rate, inter_state=inter_state)
    return AmountDue(
        plan=contract.plan, sac=settings.PLATFORM_SAC, gst_rate=rate, place_of_supply=place, inter_state=inter_state,
        taxable_value=line.taxable, cgst=line.cgst, sgst=line.sgst, igst=line.igst,
    )  # fmt: skip


def billing_order_open(*, tenant: Tenant) -> BillingOrder | None:
    """The tenant's order awaiting payment, if any (at most one, the database says)."""
    return BillingOrder.objects.for_tenant(tenant).open().first()


def billing_order_get(*, tenant: Tenant, order_id: int) -> BillingOrder:
    """One of the tenant's orders; another tenant's is a 404, like a missing one."""
    qs = BillingOrder.objects.for_tenant(tenant).select_related("contract", "plan")
    return get_object_or_404(qs, pk=order_id)


def billing_order_tenant_id(*, gateway_order_id: str) -> int | None:
    """Whose order a Razorpay order id is: what a webhook or the stand-in learns before any tenant is known,
    so it looks across tenants (like resolving an API key), reading this one column only."""
    with rls_bypass():
        return (
            BillingOrder.objects.filter(gateway_order_id=gateway_order_id)
            .values_list("tenant_id", flat=True)
            .first()
        )


def billing_payment_list(*, tenant: Tenant) -> QuerySet[BillingPayment]:
    """The tenant's AMC payments, newest first."""
    return BillingPayment.objects.for_tenant(tenant).order_by("-paid_on", "-id")


def platform_invoice_list(*, tenant: Tenant) -> QuerySet[PlatformInvoice]:
    """The platform's invoices and credit notes to the tenant, newest first."""
    return PlatformInvoice.objects.for_tenant(tenant).select_related("original").order_by("-issued_on", "-id")


def platform_invoice_get(*, tenant: Tenant, invoice_id: int) -> PlatformInvoice:
    """One of the platform's documents to the tenant; another tenant's is a 404, like a missing one."""
    return get_object_or_404(
        PlatformInvoice.objects.for_tenant(tenant).select_related("original"), pk=invoice_id
    )
