"""Celery tasks of AMC billing: thin wrappers, the work lives in the services."""

import requests
from celery import shared_task

from apps.billing import services, standin
from apps.billing.models import PlatformInvoice


@shared_task(acks_late=True)
def contracts_lifecycle_task() -> dict:
    """Beat, daily: give any tenant without a contract its start, then move contracts whose period or
    grace ended (platform-wide: beat jobs run bypassing row-level security)."""
    services.contracts_backfill(caused_by=f"{services.LIFECYCLE_JOB}: contract missing")
    return services.contracts_lifecycle_advance().as_dict()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, retry_jitter=True, max_retries=5)
def platform_invoice_pdf_task(invoice_id: int) -> None:
    """Render and keep the PDF of the platform's invoice or credit note (a second run finds it done)."""
    invoice = PlatformInvoice.objects.select_related("tenant").get(
        pk=invoice_id
    )  # the tenant comes from the row
    services.platform_invoice_pdf_store(tenant=invoice.tenant, invoice=invoice)


@shared_task(acks_late=True)
def billing_orders_reconcile_task() -> dict:
    """Beat, daily: record payments of open orders whose webhook never came, give up stale orders
    (platform-wide: beat jobs run bypassing row-level security)."""
    return services.billing_orders_reconcile().as_dict()


@shared_task(
    acks_late=True, autoretry_for=(requests.RequestException,), retry_backoff=10, retry_backoff_max=3600,
    retry_jitter=True, max_retries=8,
)  # fmt: skip
def standin_webhook_send_task(body: str, event_id: str) -> None:
    """The local stand-in for Razorpay delivers a signed webhook, retrying as Razorpay does while the site
    does not answer 2xx (the event id is the same each time, so the site keeps it once)."""
    standin.standin_webhook_deliver(body=body, event_id=event_id)
