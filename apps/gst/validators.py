"""GSTIN and HSN code validation.

GSTIN: python-stdnum's format, PAN and check-digit rules, our own state-code table. stdnum's own
state list stops at 37, so 38 (Ladakh), 97 and 99 would be refused by its `validate()`; we apply
its pieces (PAN check, Luhn mod 36) after our table instead.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from apps.gst.states import STATE_CODES, state_name

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GSTIN_RE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
# The example shown in help texts and messages: well formed, and no shop's of ours (not the demo's).
GSTIN_EXAMPLE = "24ABCFS1234K1ZD"
_FORMAT_HELP = (
    "A GSTIN is 2 digits of state code, the 10-character PAN, an entity number, Z and a check "
    f"character, like {GSTIN_EXAMPLE}."
)


def gstin_normalise(value: str) -> str:
    return stdnum_gstin.compact(value or "")


def gstin_validate(value: str, *, state_code: str | None = None) -> str:
    """Return the GSTIN in canonical form or raise ValidationError in words a shop owner reads."""
    number = gstin_normalise(value)
    if len(number) != 15:
        raise ValidationError(
            "A GSTIN has exactly 15 characters; this one has %(length)d.",
            code="gstin_length",
            params={"length": len(number)},
        )
    if number[:2] not in STATE_CODES:
        raise ValidationError(
            "A GSTIN starts with a state code (01-38, 97 or 99); %(code)s is not one.",
            code="gstin_state",
            params={"code": number[:2]},
        )
    if not _GSTIN_RE.match(number):
        raise ValidationError(_FORMAT_HELP, code="gstin_format")
    try:
        stdnum_pan.validate(number[2:12])
    except StdnumError:
        raise ValidationError(
            "Characters 3 to 12 of a GSTIN are the holder's PAN, and %(pan)s is not a valid PAN.",
            code="gstin_pan",
            params={"pan": number[2:12]},
        ) from None
    try:
        luhn.validate(number, _ALPHABET)
    except StdnumError:
        raise ValidationError(
            "This GSTIN's last character (the check digit) does not match: please check for a typo.",
            code="gstin_checksum",
        ) from None
    if state_code and number[:2] != state_code:
        raise ValidationError(
            "This GSTIN is registered in %(gstin_state)s (%(gstin_code)s), not in %(state)s.",
            code="gstin_state_mismatch",
            params={
                "gstin_state": state_name(number[:2]),
                "gstin_code": number[:2],
                "state": state_name(state_code),
            },
        )
    return number


_HSN_RE = re.compile(r"^(?:\d{4}|\d{6}|\d{8})$")


def hsn_normalise(value: str) -> str:
    """HSN codes are often written in groups ("7113 19" or "7113.19"): keep the digits' run only."""
    return re.sub(r"[\s.]", "", value or "")


def hsn_validate(value: str) -> str:
    """Return the HSN code in canonical form or raise ValidationError.

    An HSN code is its chapter and heading (4 digits), a subheading (6) or a tariff item (8); GST
    invoices carry 4 or 6 digits by turnover, 8 for exports.
    """
    code = hsn_normalise(value)
    if not _HSN_RE.match(code):
        raise ValidationError(
            "An HSN code is 4, 6 or 8 digits, like 7113 for jewellery or 711319 for gold jewellery.",
            code="hsn_format",
        )
    return code


# Notification 78/2020-CT, from 1 April 2021: a taxpayer whose aggregate turnover in the preceding year
# was above ₹5 crore writes at least 6 digits of the HSN on every invoice (4 digits up to ₹5 crore).
# The same turnover makes e-invoicing compulsory, and the IRP takes only 6 or 8 digits.
HSN_DIGITS_ABOVE_FIVE_CRORE = 6


def hsn_digits_refusal(code: str, *, turnover_above_five_crore: bool) -> str | None:
    """Why an HSN code is too short for the shop's turnover, or None."""
    if turnover_above_five_crore and len(code) < HSN_DIGITS_ABOVE_FIVE_CRORE:
        return (
            f"HSN {code} has {len(code)} digits; above ₹5 crore of turnover an invoice carries at least "
            f"{HSN_DIGITS_ABOVE_FIVE_CRORE} (Notification 78/2020-CT), e.g. 711319 for gold jewellery."
        )
    return None
