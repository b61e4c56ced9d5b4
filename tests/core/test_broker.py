"""The embedded broker (kombu's SQLAlchemy transport on SQLite): the default, and its housekeeping."""

import json
import os
import sqlite3
import subprocess
import sys

from django.conf import settings
from kombu import Connection

from apps.core import broker, tasks


def _settings_of(**env_overrides: str) -> dict:
    """Broker settings and beat schedule as a fresh process would compute them from this environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "TIJORI_BEAT_EVERY_MINUTE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(env_overrides)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'url': s.CELERY_BROKER_URL, "
        "'schedule': {k: str(v['schedule']) for k, v in s.CELERY_BEAT_SCHEDULE.items()}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return json.loads(result.stdout)


def test_embedded_default_is_the_sqlalchemy_broker_on_an_sqlite_file_under_var(tmp_path):
    computed = _settings_of(TIJORI_VAR_DIR=str(tmp_path))
    assert computed["url"] == f"sqla+sqlite:///{tmp_path / 'celery' / 'broker.sqlite3'}"
    assert "broker-delivered-purge" in computed["schedule"]


def test_redis_url_makes_redis_the_broker_without_the_purge_job(tmp_path):
    computed = _settings_of(TIJORI_VAR_DIR=str(tmp_path), REDIS_URL="redis://127.0.0.1:6379/9")
    assert computed["url"] == "redis://127.0.0.1:6379/9"
    assert "broker-delivered-purge" not in computed["schedule"]


def test_beat_every_minute_switch_makes_every_job_due_each_minute(tmp_path):
    normal = _settings_of(TIJORI_VAR_DIR=str(tmp_path))
    every_minute = _settings_of(TIJORI_VAR_DIR=str(tmp_path), TIJORI_BEAT_EVERY_MINUTE="1")
    assert set(every_minute["schedule"]) == set(normal["schedule"])
    assert set(every_minute["schedule"].values()) == {"<crontab: * * * * * (m/h/dM/MY/d)>"}
    assert normal["schedule"]["audit-retention-purge"] != every_minute["schedule"]["audit-retention-purge"]


SQLITE_OPTIONS = {"connect_args": {"timeout": 30}}  # what settings give the embedded broker


def _rows(path) -> dict:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT visible, COUNT(*) FROM kombu_message GROUP BY visible").fetchall())


def test_purge_deletes_delivered_messages_and_keeps_pending_ones(tmp_path, settings):
    path = tmp_path / "broker.sqlite3"
    url = f"sqla+sqlite:///{path}"
    with Connection(url, transport_options=SQLITE_OPTIONS) as conn:
        queue = conn.SimpleQueue("soak")
        for number in range(5):
            queue.put({"n": number})
        for _ in range(3):
            queue.get(timeout=5).ack()
        queue.close()
    assert _rows(path) == {0: 3, 1: 2}  # the transport keeps what it delivered

    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = SQLITE_OPTIONS
    assert tasks.broker_delivered_purge_task() == 3
    assert _rows(path) == {1: 2}  # what is still to deliver stays
    assert broker.broker_delivered_purge() == 0

    with Connection(url, transport_options=SQLITE_OPTIONS) as conn:
        queue = conn.SimpleQueue("soak")
        assert [queue.get(timeout=5).payload["n"] for _ in range(2)] == [3, 4]
        queue.close()


def test_purge_does_nothing_on_another_broker_or_before_any_message(tmp_path, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"
    assert broker.broker_delivered_purge() == 0
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'empty.sqlite3'}"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = SQLITE_OPTIONS
    assert broker.broker_delivered_purge() == 0
