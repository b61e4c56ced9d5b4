"""AMC billing: the plans a workspace can be on, each workspace's contract, and the contract's history.

A workspace pays the platform an annual maintenance contract (AMC). `Plan` is platform data edited by
super admins; `Contract` is the one row per tenant that says where its AMC stands (a state machine,
written only by `apps.billing.services`); `ContractEvent` is the append-only history of every
transition, with who or what caused it.

Paying for it: `BillingOrder` is an online attempt (a Razorpay order), `BillingPayment` the money
received (online or recorded by a super admin), `PlatformInvoice` the platform's own GST invoice or
credit note for it, numbered in `PlatformSeries`; `WebhookEvent` keeps each event Razorpay sent, once.

`Reminder` is each e-mail reminding a shop that its period ends soon, or that its grace is over.
"""

from apps.billing.models.contracts import (
    GRACE_DAYS_MAX,
    RUPEES,
    TRIAL_DAYS_MAX,
    Contract,
    ContractEvent,
    ContractEventImmutable,
    ContractEventQuerySet,
    Plan,
)
from apps.billing.models.payments import (
    GATEWAY_ID_MAX,
    BillingOrder,
    BillingOrderQuerySet,
    BillingPayment,
    BillingPaymentQuerySet,
    BillingRecordImmutable,
    KeptQuerySet,
    WebhookEvent,
)
from apps.billing.models.platform_invoices import (
    PlatformDocumentKind,
    PlatformInvoice,
    PlatformInvoiceQuerySet,
    PlatformSeries,
)
from apps.billing.models.reminders import REMINDER_ATTEMPTS_MAX, Reminder

__all__ = [
    "GATEWAY_ID_MAX",
    "GRACE_DAYS_MAX",
    "REMINDER_ATTEMPTS_MAX",
    "RUPEES",
    "TRIAL_DAYS_MAX",
    "BillingOrder",
    "BillingOrderQuerySet",
    "BillingPayment",
    "BillingPaymentQuerySet",
    "BillingRecordImmutable",
    "Contract",
    "ContractEvent",
    "ContractEventImmutable",
    "ContractEventQuerySet",
    "KeptQuerySet",
    "Plan",
    "PlatformDocumentKind",
    "PlatformInvoice",
    "PlatformInvoiceQuerySet",
    "PlatformSeries",
    "Reminder",
    "WebhookEvent",
]
