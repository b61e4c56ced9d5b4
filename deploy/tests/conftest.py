"""Synthesize both environments once, offline, and hand the tests their templates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import build
from tijori_deploy.config import ENVIRONMENTS


@pytest.fixture(scope="session")
def assembly(tmp_path_factory):
    return build(outdir=str(tmp_path_factory.mktemp("cdk.out"))).synth()


@pytest.fixture(scope="session")
def templates(assembly) -> dict[str, dict]:
    return {
        name: json.loads(Path(assembly.get_stack_by_name(config.stack_name).template_full_path).read_text())
        for name, config in ENVIRONMENTS.items()
    }


@pytest.fixture(scope="session", params=sorted(ENVIRONMENTS))
def env_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def template(templates, env_name) -> dict:
    return templates[env_name]


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def props(template: dict, kind: str) -> list[dict]:
    return [r.get("Properties", {}) for r in resources(template, kind).values()]
