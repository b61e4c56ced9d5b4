from celery import shared_task

from apps.core import broker
from apps.core.api import idempotency


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    return idempotency.idempotency_keys_purge()


@shared_task(acks_late=True)
def broker_delivered_purge_task() -> int:
    """Beat, every 10 minutes on the embedded broker: drop the rows of delivered messages."""
    return broker.broker_delivered_purge()
