"""Celery tasks of AMC billing: thin wrappers, the work lives in the services."""

from datetime import date

import requests
from celery import shared_task

from apps.billing import services, standin
from apps.billing.models import REMINDER_ATTEMPTS_MAX, PlatformInvoice

REMINDER_RETRY_SECONDS = 5 * 60  # then 20 and 80 minutes: a mail server that is down for a while


@shared_task(acks_late=True)
def contracts_lifecycle_task() -> dict:
    """Beat, daily: give any tenant without a contract its start, then move contracts whose period or
    grace ended (platform-wide: beat jobs run bypassing row-level security)."""
    services.contracts_backfill(caused_by=f"{services.LIFECYCLE_JOB}: contract missing")
    return services.contracts_lifecycle_advance().as_dict()


@shared_task(bind=True, acks_late=True, max_retries=REMINDER_ATTEMPTS_MAX - 1)
def contracts_reminders_task(self, day: str | None = None) -> dict:
    """Beat, daily after the lifecycle job: e-mail the AMC reminders due (platform-wide: beat jobs run
    bypassing row-level security). Each is sent once however often this runs; one whose send failed
    stays pending and is tried again by a retry of the same day, a few minutes later."""
    run = services.reminders_send(today=date.fromisoformat(day) if day else None)
    if run.retrying and self.request.retries < self.max_retries:
        raise self.retry(
            kwargs={"day": run.day.isoformat()}, countdown=REMINDER_RETRY_SECONDS * 4**self.request.retries
        )
    return run.as_dict()


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
