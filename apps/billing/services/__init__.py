"""Every change to AMC plans, contracts and their payments and invoices: in a transaction, validated,
recorded and audited."""

from apps.billing.services.contracts import (
    LIFECYCLE_JOB,
    contract_advance_by_dates,
    contract_comp,
    contract_extend,
    contract_plan_change,
    contract_renew,
    contract_resume,
    contract_start_trial,
    contract_suspend,
    plan_default,
)
from apps.billing.services.lifecycle import LifecycleRun, contracts_backfill, contracts_lifecycle_advance
from apps.billing.services.orders import billing_order_expire, billing_order_fail, billing_order_start
from apps.billing.services.payments import (
    billing_checkout_return,
    billing_payment_confirm,
    billing_payment_record,
)
from apps.billing.services.plans import plan_save, plan_validate
from apps.billing.services.platform_invoices import (
    platform_credit_note_issue,
    platform_invoice_issue,
    platform_invoice_pdf_link,
    platform_invoice_pdf_render,
    platform_invoice_pdf_store,
    platform_number_take,
)
from apps.billing.services.reconcile import ReconcileRun, billing_orders_reconcile
from apps.billing.services.reminders import (
    DueReminder,
    ReminderRun,
    reminder_current,
    reminder_deliver,
    reminder_record,
    reminders_due,
    reminders_send,
)
from apps.billing.services.transitions import TRANSITIONS, add_years, standing_on, today_local, year_from
from apps.billing.services.webhooks import WebhookAnswer, billing_webhook_receive

__all__ = [
    "LIFECYCLE_JOB",
    "TRANSITIONS",
    "DueReminder",
    "LifecycleRun",
    "ReconcileRun",
    "ReminderRun",
    "WebhookAnswer",
    "add_years",
    "billing_checkout_return",
    "billing_order_expire",
    "billing_order_fail",
    "billing_order_start",
    "billing_orders_reconcile",
    "billing_payment_confirm",
    "billing_payment_record",
    "billing_webhook_receive",
    "contract_advance_by_dates",
    "contract_comp",
    "contract_extend",
    "contract_plan_change",
    "contract_renew",
    "contract_resume",
    "contract_start_trial",
    "contract_suspend",
    "contracts_backfill",
    "contracts_lifecycle_advance",
    "plan_default",
    "plan_save",
    "plan_validate",
    "platform_credit_note_issue",
    "platform_invoice_issue",
    "platform_invoice_pdf_link",
    "platform_invoice_pdf_render",
    "platform_invoice_pdf_store",
    "platform_number_take",
    "reminder_current",
    "reminder_deliver",
    "reminder_record",
    "reminders_due",
    "reminders_send",
    "standing_on",
    "today_local",
    "year_from",
]
