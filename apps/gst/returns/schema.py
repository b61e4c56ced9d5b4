"""The GSTR-1 JSON Schema (apps/gst/schemas/gstr1.schema.json) and checks against it.

Amounts carry at most 2 places (`multipleOf: 0.01`). Binary floats cannot check that (70.07 / 0.01 is
not a whole number in IEEE 754), so documents are checked with their numbers as decimals: the builder's
own values, or a file read back with `gstr1_parse`.

A writer checks every entry it streams against the definition of its section, named by a JSON pointer
into the same file, and the aggregated sections and the envelope at the end. That runs once per
document, so it uses jsonschema-rs (compiled, about 10 µs an entry, decimals compared exactly);
`gstr1_reference_errors` runs the `jsonschema` package's Draft 2020-12 validator over a whole file, the
slow reference the tests hold every export to as well.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from apps.core.exceptions import ApplicationError

GSTR1_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "gstr1.schema.json"
ERRORS_SHOWN = 20


class ReturnSchemaError(ApplicationError):
    """What was about to be written does not pass the return's schema: the file is not offered."""

    code = "return_schema_invalid"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            "The GSTR-1 file did not pass its schema check, so it was not offered: " + "; ".join(errors[:3]),
            extra={"errors": errors},
        )


@cache
def gstr1_schema() -> dict[str, Any]:
    """The schema, its numbers (0.01, 0.65) read as decimals."""
    return json.loads(GSTR1_SCHEMA_PATH.read_text(encoding="utf-8"), parse_float=Decimal)


@cache
def _validator(pointer: str):
    schema = json.loads(GSTR1_SCHEMA_PATH.read_text(encoding="utf-8"))
    if not pointer:
        return jsonschema_rs.validator_for(schema)
    registry = jsonschema_rs.Registry([(schema["$id"], schema)])
    return jsonschema_rs.validator_for({"$ref": f"{schema['$id']}#{pointer}"}, registry=registry)


def gstr1_parse(text: str | bytes) -> Any:
    """A GSTR-1 JSON document as the schema checks it: numbers with a fraction as decimals."""
    return json.loads(text, parse_float=Decimal)


def _where(where: str, path) -> str:
    path = "/".join(str(part) for part in path)
    return "/".join(part for part in (where, path) if part) or "(top)"


def gstr1_errors(instance: Any, pointer: str = "", *, where: str = "") -> list[str]:
    """Each way `instance` breaks the schema (or its part at `pointer`, like "/$defs/b2b_invoice"), as
    "where: what" lines."""
    validator = _validator(pointer)
    if validator.is_valid(instance):
        return []
    return [
        f"{_where(where, error.instance_path)}: {error.message}"
        for error in list(validator.iter_errors(instance))[:ERRORS_SHOWN]
    ]


def gstr1_check(instance: Any, pointer: str = "", *, where: str = "") -> None:
    errors = gstr1_errors(instance, pointer, where=where)
    if errors:
        raise ReturnSchemaError(errors)


def gstr1_reference_errors(document: Any) -> list[str]:
    """A whole file's errors by the `jsonschema` package's Draft 2020-12 validator (numbers as decimals)."""
    schema = gstr1_schema()
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{_where('', error.absolute_path)}: {error.message}" for error in errors]
