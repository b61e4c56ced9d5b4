"""Celery tasks of the stock app: thin wrappers, the work lives in the services."""

from celery import shared_task

from apps.inventory import services


@shared_task(acks_late=True)
def stock_import_files_purge_task() -> int:
    """Beat, daily: delete uploaded stock files past STOCK_IMPORT_FILE_DAYS."""
    return services.stock_import_files_purge()
