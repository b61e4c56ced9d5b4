"""Schemathesis fuzzes the whole API schema against a live server with a valid API key.

Fails on any 5xx and on any answer that does not match the schema (status, content type, body).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.api_helpers import make_key
from tests.conftest import add_member

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


# Uploads of generated files land in tmp, not var/media; AWS calls of provisioned projects go to moto.
@pytest.mark.usefixtures("certificates_in_tmp", "aws_env")
def test_schemathesis_finds_no_server_error_or_schema_mismatch(live_server, tmp_path, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "tenant", "100000/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "expensive", "100000/min")
    owner = UserFactory(email="fuzz-owner@example.in")
    tenant = tenant_create(owner=owner, kind="shop", name="Fuzz Jewellers", state_code="27")
    add_member(tenant, "staff")
    secret = make_key(tenant, owner, "owner")
    st = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    result = subprocess.run(
        [
            st,
            "run",
            f"{live_server.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {secret}",
            "--checks",
            CHECKS,
            "--max-examples",
            "25",
            "--max-time",
            "150",
            "--workers",
            "1",
            "--seed",
            "20261122",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--warnings",
            "off",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "No issues found" in output or "passed" in output.lower(), output[-3000:]
