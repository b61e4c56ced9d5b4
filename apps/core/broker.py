"""The broker: housekeeping of the embedded one (kombu's SQLAlchemy transport, used without Redis), and
how many messages wait in each queue."""

from __future__ import annotations

import logging

from django.conf import settings
from kombu import Connection
from sqlalchemy import create_engine, inspect, text

logger = logging.getLogger(__name__)

MESSAGE_TABLE = "kombu_message"  # kombu's default `message_tablename`


def broker_delivered_purge() -> int:
    """Delete the messages the SQLAlchemy transport has delivered; return how many.

    The transport marks a fetched message invisible and keeps its row for good, so the table would
    grow by one row per task. A delivered row is never read again: a rejected or requeued message is
    published anew, and there is no visibility timeout that could bring an invisible one back.
    Any other broker keeps nothing, so there is nothing to do.
    """
    url = settings.CELERY_BROKER_URL
    if not url.startswith("sqla+"):
        return 0
    engine = create_engine(url.removeprefix("sqla+"), **settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table(MESSAGE_TABLE):
                return 0  # no worker has connected yet
            deleted = conn.execute(text(f"DELETE FROM {MESSAGE_TABLE} WHERE visible = :no"), {"no": False})  # noqa: S608 - a constant
    finally:
        engine.dispose()
    logger.info("broker: deleted %d delivered messages", deleted.rowcount)
    return deleted.rowcount


def queue_depths() -> dict[str, int]:
    """Messages waiting in each Celery queue (not counting those a worker has already taken).

    Published as a CloudWatch metric (`manage.py queue_metrics`), which scales each queue's workers
    and raises the queue-depth alarm.
    """
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
    depths = {}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=5, transport_options=options) as conn:
        channel = conn.default_channel
        for queue in settings.CELERY_TASK_QUEUES:
            # Declared as a worker declares it (a no-op when it exists): a passive declare misses the
            # queues of a Redis broker with a key prefix.
            depths[queue.name] = channel.queue_declare(queue=queue.name).message_count
    return depths
