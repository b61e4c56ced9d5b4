"""Celery tasks of invoicing: thin wrappers, the work lives in the services."""

from celery import shared_task

from apps.invoicing import services
from apps.invoicing.models import EInvoice, Invoice


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, retry_jitter=True, max_retries=5)
def invoice_pdf_render_task(invoice_id: int) -> None:
    """Render and keep an issued invoice's PDF (storage hiccups are retried; a second run finds it done)."""
    invoice = Invoice.objects.select_related("tenant").get(pk=invoice_id)  # the tenant comes from the row
    services.invoice_pdf_store(tenant=invoice.tenant, invoice=invoice)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, retry_jitter=True, max_retries=5)
def invoice_email_task(invoice_id: int, to: str) -> None:
    """Send the bill to the buyer (a mail server that is down is tried again, up to five times)."""
    services.invoice_email_deliver(invoice_id=invoice_id, to=to)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, retry_jitter=True, max_retries=5)
def einvoice_pdf_render_task(einvoice_id: int) -> None:
    """Print the bill again with its IRN and signed QR code and keep it (a second run finds it done)."""
    einvoice = EInvoice.objects.select_related("tenant").get(pk=einvoice_id)
    services.einvoice_pdf_store(tenant=einvoice.tenant, einvoice=einvoice)
