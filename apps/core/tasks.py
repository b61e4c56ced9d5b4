from celery import shared_task

from apps.core import idempotency


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    return idempotency.idempotency_keys_purge()
