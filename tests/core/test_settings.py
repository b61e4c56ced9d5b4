import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from apps.core.logging import RequestContextFilter

SECRET = "x7#Kp2!vQ9s@Lm4^Tz8&Wn1*Rb6(Yc3)Hd5-Fg0+Ja_plus-more-entropy-2026"


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_ALLOWED_HOSTS="x.example"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="tijori.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_json_log_lines_carry_request_and_tenant_ids(owner_client, tenant):
    """The production formatter, on a record logged while serving a tenant's page."""
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(tenant_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        owner_client.get(
            reverse("tenants:settings_profile"), {"page": "1"}, HTTP_X_REQUEST_ID="abc-request-0001"
        )
        owner_client.post(
            reverse("tenants:invitation_create"), {"email": "bad"}, HTTP_X_REQUEST_ID="abc-request-0002"
        )
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "a 422 is logged by django.request"
    record = lines[-1]
    assert record["request_id"] == "abc-request-0002"
    assert record["tenant_id"] == str(tenant.pk)
    assert record["level"] == "WARNING" and "time" in record


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get(reverse("core:health_live"))
    assert len(response["X-Request-ID"]) == 32
    echoed = client.get(reverse("core:health_live"), HTTP_X_REQUEST_ID="lb-trace-123456")
    assert echoed["X-Request-ID"] == "lb-trace-123456"
    junk = client.get(reverse("core:health_live"), HTTP_X_REQUEST_ID="<script>")
    assert junk["X-Request-ID"] != "<script>"


def test_production_logging_is_json():
    result = _manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('tijori').warning('hello')",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="tijori.example.com",
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello" and line["level"] == "WARNING"
    assert {"request_id", "tenant_id", "time", "logger"} <= set(line)


def test_every_environment_variable_is_documented_in_env_example():
    import re

    root = settings.BASE_DIR
    read = set()
    for path in [root / "config" / "env.py", *(root / "config" / "settings").glob("*.py")]:
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', path.read_text()))
    read |= {
        f"S3_BUCKET_{alias.upper()}"
        for alias in ["default", "public", "certificates", "invoices", "exports", "backups"]
    }
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (root / ".env.example").read_text(), re.M))
    assert read - documented == set()


def test_every_beat_job_names_a_registered_task_routed_to_an_existing_queue():
    from config.celery import app

    app.loader.import_default_modules()
    queues = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    for name, job in settings.CELERY_BEAT_SCHEDULE.items():
        assert job["task"] in app.tasks, f"beat job {name} names an unknown task {job['task']}"
        route = app.amqp.router.route({}, job["task"])
        assert route["queue"].name in queues, f"beat job {name} goes to an unknown queue"
