"""The Celery application. Configuration lives in Django settings under the CELERY_ prefix."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tijori")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SQLITE_BROKER_PREFIX = "sqla+sqlite:///"


def _ensure_sqlite_broker_folder() -> None:
    """SQLite creates the broker's file but not its folder (var/celery on a fresh clone)."""
    url = app.conf.broker_url or ""
    if url.startswith(SQLITE_BROKER_PREFIX):
        Path(url.removeprefix(SQLITE_BROKER_PREFIX)).parent.mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _ensure_sqlite_broker_folder(), weak=False)
