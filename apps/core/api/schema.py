"""The OpenAPI schema's shared error answers, added to every operation."""

from __future__ import annotations

import re

from django.urls import Resolver404, resolve

from apps.tenants.access.writes import WRITES_ALLOWED

ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERRORS = {
    "400": "Invalid input: `fields` names what is wrong.",
    "401": "No credentials, or an invalid, revoked or expired API key.",
    "402": "The workspace's AMC has expired (or is suspended): it is read-only until it is renewed "
    "(`code` is `renewal_required`). Reads and exports keep working.",
    "403": "Your role does not allow this, or the workspace is deactivated.",
    "404": "No such object in your workspace (another workspace's objects are not found either), or no such page.",
    "409": "The current state refuses the change (e.g. the last owner), or a request with this "
    "Idempotency-Key is still running, or made an API key whose secret is shown only once.",
    "422": "This Idempotency-Key was used before with a different request.",
    "429": "Too many requests: wait the number of seconds in `Retry-After`.",
}


def schema_add_errors(result, generator, request, public):
    """drf-spectacular post-processing: document the shared error answers on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message", "fields"],
        },
    )
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "403", "429"]
            paginated = any(p.get("name") == "page" for p in operation.get("parameters", []))
            if "{" in path or paginated:
                codes.append("404")
            if method in {"post", "put", "patch", "delete"}:
                codes.append("409")
                if not _write_allowed(path):
                    codes.append("402")
            if method == "post":
                codes.append("422")
                operation.setdefault("parameters", []).append(
                    {
                        "in": "header",
                        "name": "Idempotency-Key",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 255},
                        "description": "Repeat the request safely: the same key and body return the first "
                        "response (for 24 hours) without doing the work again.",
                    }
                )
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": _ERRORS[code], "content": {"application/json": {"schema": ERROR_REF}}},
                )
    return result


def _write_allowed(path: str) -> bool:
    """Whether a lapsed AMC leaves this operation's writes open (`access.writes.WRITES_ALLOWED`)."""
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return False
    return match.view_name in WRITES_ALLOWED
