"""Health endpoints, checked against real servers and against really unreachable ones.

"Unreachable" means a process configured with a port nothing listens on (127.0.0.1:1): the checks
make real connection attempts and fail the way they would with the server stopped.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.workers import database_url_of_this_run

pytestmark = pytest.mark.django_db

DEAD_POSTGRES = "postgres://tijori:s3cret-pw@127.0.0.1:1/tijori"
DEAD_REDIS = "redis://:s3cret-pw@127.0.0.1:1/0"
PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get({path!r})
print(json.dumps({{"status": response.status_code, "body": response.json()}}))
"""


def _health_elsewhere(path: str, tmp_path: Path, **env_overrides: str | None) -> tuple[int, dict]:
    """Ask a fresh process, configured by env_overrides, for `path`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "TIJORI_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    for key, value in env_overrides.items():
        if value is not None:
            env[key] = value
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(path=path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["status"], answer["body"]


def test_health_ok_on_the_configured_services(client):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "connected",
        "cache": "connected",
        "broker": "connected",
    }


@pytest.mark.parametrize("component", ["database", "cache", "broker"])
def test_each_component_alone(client, component):
    response = client.get(reverse("core:health_component", args=[component]))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", component: "connected"}


def test_unknown_component_is_404(client):
    assert client.get("/api/health/secrets").status_code == 404


def test_live_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:health_live"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_health_needs_no_login_and_is_not_cached(client):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.redis
def test_broker_is_redis_when_configured(client):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert client.get("/api/health/broker").json()["broker"] == "connected"


def test_postgres_unreachable_gives_503_naming_database(tmp_path):
    status, body = _health_elsewhere("/api/health", tmp_path, DATABASE_URL=DEAD_POSTGRES)
    assert status == 503
    assert body["status"] == "error"
    assert body["database"] == "unavailable"
    assert body["cache"] == "unavailable"  # the embedded cache lives in the database
    assert body["broker"] == "connected"
    assert "database" in body["failing"]
    assert "s3cret" not in json.dumps(body) and "127.0.0.1" not in json.dumps(body)

    status, body = _health_elsewhere("/api/health/database", tmp_path, DATABASE_URL=DEAD_POSTGRES)
    assert (status, body["database"]) == (503, "unavailable")


def test_redis_unreachable_gives_503_naming_cache_and_broker(tmp_path):
    status, body = _health_elsewhere("/api/health", tmp_path, REDIS_URL=DEAD_REDIS)
    assert status == 503
    assert body["database"] == "connected"
    assert body["cache"] == "unavailable"
    assert body["broker"] == "unavailable"
    assert sorted(body["failing"]) == ["broker", "cache"]
    assert "s3cret" not in json.dumps(body)
    status, body = _health_elsewhere("/api/health/cache", tmp_path, REDIS_URL=DEAD_REDIS)
    assert (status, body) == (503, {"status": "error", "cache": "unavailable", "failing": ["cache"]})


def test_live_answers_while_everything_else_is_down(tmp_path):
    status, body = _health_elsewhere(
        "/api/health/live", tmp_path, DATABASE_URL=DEAD_POSTGRES, REDIS_URL=DEAD_REDIS
    )
    assert (status, body) == (200, {"status": "ok"})


@pytest.mark.postgres
def test_postgres_up_but_redis_down(tmp_path):
    """With the real PostgreSQL of this run and a dead Redis, only the Redis parts fail."""
    url = database_url_of_this_run()  # the test database of this run, which exists
    status, body = _health_elsewhere("/api/health", tmp_path, DATABASE_URL=url, REDIS_URL=DEAD_REDIS)
    assert status == 503
    assert (body["database"], body["cache"], body["broker"]) == ("connected", "unavailable", "unavailable")
