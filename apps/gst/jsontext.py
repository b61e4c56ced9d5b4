"""JSON for the GST portals, with amounts written exactly as they were settled.

The portals want amounts as JSON numbers. `json.dumps` can only write a float, and a float of
1015.55 is not 1015.55; this writer puts a `Decimal`'s own digits in the text instead (1015.55 stays
1015.55, 9.500 stays 9.500). Floats are refused outright, so an amount that went through a float by
mistake shows up as an error, not as a paisa off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not an amount")
        out.append(format(value, "f"))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON keys are text, not {type(key).__name__}")
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:  # floats included: an amount must stay a Decimal all the way
        raise TypeError(f"{type(value).__name__} {value!r} can't be written exactly: use a Decimal")


def dumps(value: Any) -> str:
    """Compact JSON text of `value` (dicts, lists, text, whole numbers, Decimals, booleans, None)."""
    out: list[str] = []
    _write(value, out)
    return "".join(out)
