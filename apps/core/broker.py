"""Housekeeping of the embedded broker (kombu's SQLAlchemy transport, used without Redis)."""

from __future__ import annotations

import logging

from django.conf import settings
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
