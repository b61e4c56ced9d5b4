"""The Docker files hold together (no engine runs here; CI also runs `make docker-config`)."""

import runpy

import yaml
from django.conf import settings

DOCKER = settings.BASE_DIR / "docker"


def test_compose_has_every_process_and_service():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    assert {"web", "worker", "beat", "db", "redis", "aws"} <= set(compose["services"])
    web = compose["services"]["web"]
    assert web["environment"]["TIJORI_MIGRATE"] == "1"
    assert "celery" in compose["services"]["worker"]["command"]
    assert "beat" in compose["services"]["beat"]["command"]


def test_dockerfile_runs_as_non_root_with_a_liveness_check():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "USER tijori" in dockerfile
    assert "/api/health/live" in dockerfile
    assert "collectstatic" in dockerfile
    assert "gunicorn.conf.py" in dockerfile


def test_gunicorn_config_is_valid_python_with_keepalive_above_balancer_idle():
    config = runpy.run_path(str(DOCKER / "gunicorn.conf.py"))
    assert config["keepalive"] > 60
    assert config["workers"] >= 2 and config["worker_class"] == "gthread"
