"""Checks every text and date input shares, whatever channel it comes through.

Text: no control characters. PostgreSQL refuses NUL in text outright (a 500 after the input was
accepted), and the other C0 controls and DEL (escape sequences, bells, backspaces, form feeds) have no
place in a name, a SKU or an address; they come from broken exports or from someone probing. Single-line
text refuses all of them, tab and line breaks included; multi-line text (a textarea) keeps tab, line
feed and carriage return. Printable Unicode (Devanagari, Tamil, ₹) is untouched.

Django and DRF give every CharField a NUL check of their own; `text_validators_install` widens it to
this one for every CharField, so every form (pages, admin, query filters) and every serializer gets
it, including those written later, with no base class to remember.

Dates: business dates (rates, hallmarking, registrations, expiries) lie between BIS hallmarking's start
in 2000 and the end of the century; year 1 or 9999 is a typo, and some databases and time zone
conversions cannot hold it.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = {"\t": "tab", "\n": "line break", "\r": "line break"}
_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x1B: "ESC", 0x7F: "DEL"}

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of `text` that is not allowed, or None."""
    match = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    return match.group() if match else None


def control_character_message(char: str) -> str:
    """Why the text is refused, naming the character (it is invisible, so never quoted)."""
    if char in _LINE_BREAKS:
        return f"Keep this to one line: remove the {_LINE_BREAKS[char]}."
    code = f"U+{ord(char):04X}"
    name = _NAMES.get(ord(char))
    return (
        f"Remove the invisible control character {code}{f' ({name})' if name else ''}: it can't be "
        "stored. It usually comes along when text is copied from another program."
    )


@deconstructible
class TextValidator:
    """Refuses control characters; `multiline` keeps tab and line breaks."""

    code = "control_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value) -> None:
        char = control_character(str(value), multiline=self.multiline)
        if char is not None:
            raise ValidationError(control_character_message(char), code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((TextValidator, self.multiline))


def text_validators_install() -> None:
    """Check the text of every Django form CharField and every DRF CharField (subclasses included).

    The check runs with the field's other validators, so it holds for fields declared before this
    was installed (admin forms are built before our app is ready) and sees the widget as it is at
    validation time.
    """
    from django import forms
    from rest_framework import exceptions, fields

    def form_check(field, value) -> None:
        if value not in field.empty_values:
            TextValidator(multiline=isinstance(field.widget, forms.Textarea))(value)

    def serializer_check(field, value) -> None:
        try:
            TextValidator(multiline=field.style.get("base_template") == "textarea.html")(value)
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.messages, code=TextValidator.code) from None

    for cls, check in ((forms.CharField, form_check), (fields.CharField, serializer_check)):
        if not getattr(cls.run_validators, "_checks_text", False):
            cls.run_validators = _checking_text(cls.run_validators, check)


def _checking_text(run_validators, check):
    @functools.wraps(run_validators)
    def wrapper(self, value):
        check(self, value)  # first, so a NUL gets this message rather than Django's or DRF's own
        run_validators(self, value)

    wrapper._checks_text = True
    return wrapper


def date_check(
    value: date | datetime | None, *, field: str, label: str, errors: dict[str, list[str]]
) -> None:
    """Add an error under `field` when `value` lies outside the dates Tijori keeps (see above)."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if day < EARLIEST_DATE:
        errors.setdefault(field, []).append(f"The {label} can't be before 1 January {EARLIEST_DATE.year}.")
    elif day > LATEST_DATE:
        errors.setdefault(field, []).append(f"The {label} can't be after 31 December {LATEST_DATE.year}.")
