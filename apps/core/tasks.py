from celery import shared_task

from apps.core import backups, broker
from apps.core.api import idempotency


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    return idempotency.idempotency_keys_purge()


@shared_task(acks_late=True)
def broker_delivered_purge_task() -> int:
    """Beat, every 10 minutes on the embedded broker: drop the rows of delivered messages."""
    return broker.broker_delivered_purge()


# A dump of a large database outlasts the default 15-minute limit; the broker's visibility timeout (2 h)
# stays above this one, so a long dump is never handed to a second worker.
@shared_task(acks_late=True, soft_time_limit=90 * 60, time_limit=100 * 60)
def database_backup_task() -> str:
    """Beat, daily: dump the database into the backups storage (a second run the same day does nothing)."""
    return backups.database_backup()
