"""What a GST document number may look like.

Rule 46(b): at most 16 characters of letters, digits, `-` and `/`, unique in the financial year. The
e-invoice portal (IRP) also refuses a number starting with `0`, `/` or `-`, so every series follows
its stricter pattern and any invoice can later get an IRN. ASCII only: Python's `\\w` would let `é` in.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MAX_LENGTH = 16
DOCUMENT_NUMBER_RE = re.compile(r"^[A-Za-z1-9][A-Za-z0-9/-]{0,15}$", re.ASCII)


def document_number_validate(number: str) -> None:
    if len(number) > MAX_LENGTH:
        raise ValidationError(
            f"{number} is {len(number)} characters; a GST document number has at most {MAX_LENGTH}.",
            code="too_long",
        )
    if not DOCUMENT_NUMBER_RE.match(number):
        raise ValidationError(
            f"{number} is not a valid GST document number: use letters, digits, '/' and '-', "
            "not starting with 0, '/' or '-'.",
            code="invalid",
        )
