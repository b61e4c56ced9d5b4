"""A real Celery worker in its own process, on this test run's database and broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app


def database_url_of_this_run() -> str:
    """The URL of the *test* database, which the worker must use too."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def running_worker(
    tmp_path: Path,
    *,
    queues: str = "default,aws,reports",
    extra_env: dict | None = None,
    pool: str = "solo",
    module: str = "celery",
):
    """Start a worker process, point this process's producer at the same broker, stop both after.

    Without REDIS_URL the broker is the embedded one (kombu's SQLAlchemy transport) on an SQLite file
    of this test only.
    `pool="prefork"` runs one child process (killable on its own); `module` replaces `celery` as the
    program, for a test that starts the worker through a wrapper. Yields the Popen; the worker's
    log is at tmp_path / "worker.log".
    """
    folder = tmp_path / "celery"
    folder.mkdir(parents=True, exist_ok=True)
    embedded_broker = not settings.CELERY_BROKER_URL.startswith("redis")
    broker_url = (
        f"sqla+sqlite:///{folder / 'broker.sqlite3'}" if embedded_broker else settings.CELERY_BROKER_URL
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": database_url_of_this_run(),
        "TIJORI_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": broker_url,
        **(extra_env or {}),
    }
    saved = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_url": celery_app.conf.broker_url,
    }
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker_url
    _reset_producer_pool()
    if not embedded_broker:
        celery_app.control.purge()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            module,
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--queues={queues}",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            f"--hostname=test-{os.getpid()}@%h",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(
            lambda: "ready." in (tmp_path / "worker.log").read_text(), 60, "worker did not start", tmp_path
        )
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        celery_app.conf.task_always_eager = saved["task_always_eager"]
        celery_app.conf.broker_url = saved["broker_url"]
        _reset_producer_pool()


def _reset_producer_pool() -> None:
    """Drop the cached pools so the next publish uses the current broker options.

    Not closed: kombu keeps pools in a global registry by connection, and a closed one would be
    handed out again.
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _wait_for(condition, timeout: float, message: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    log = (tmp_path / "worker.log").read_text()[-3000:]
    raise AssertionError(f"{message} within {timeout}s; worker log:\n{log}")


wait_for = _wait_for
