"""e-Invoices for the IRP: the INV-01 JSON (schema version 1.1) of a B2B invoice or note, the rules the
IRP enforces, checked before anything is uploaded, and the schema every payload must pass.

Pure: it takes an `EInvoiceRecord`, a document as it was issued with its stored amounts, and knows
nothing of the database. Nothing is recomputed: each line's taxable value and tax, and the
document's totals and round-off, are written as they were settled at issue, so the IRP, the printed
bill and GSTR-1 carry the same figures.

Facts this follows (see the GST research notes, section 2):
- e-invoicing applies to B2B documents of shops whose aggregate turnover passed ₹5 crore, from a day
  the shop sets (Notification 10/2023-CT); from ₹10 crore the IRP refuses a document more than 30 days
  after its date (GSTN advisory of 5 Nov 2024: a document of 1 April is taken until 30 April).
- The IRN is SHA-256 of (GSTIN, financial year, document type, number): an IRN cancelled (only
  within 24 hours of its acknowledgement) burns the number for good.
- The IRP takes at most 1,000 lines, HSN codes of 6 or 8 digits here, a round-off within ±₹99.99,
  dates as dd/mm/yyyy, and a bulk upload file of at most 1 MB.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from apps.core.exceptions import ApplicationError
from apps.core.money import GRAM, inr, round_to
from apps.gst import jsontext
from apps.gst.numbering import DOCUMENT_NUMBER_RE
from apps.gst.states import STATE_CODES
from apps.gst.tax import ROUND_OFF_LIMIT

VERSION = "1.1"
ITEM_LIMIT = 1000
REPORTING_DAYS = 30  # for turnover of ₹10 crore or more
CANCEL_WINDOW = timedelta(hours=24)
BULK_FILE_MAX_BYTES = 1_000_000  # the portal's bulk upload: "File size of JSON should not exceed 1MB"
DATE_FORMAT = "%d/%m/%Y"
TYPE_CODES = {"invoice": "INV", "credit_note": "CRN", "debit_note": "DBN"}
DOC_TYPES = {code: doc_type for doc_type, code in TYPE_CODES.items()}
KIND_NAMES = {"invoice": "invoice", "credit_note": "credit note", "debit_note": "debit note"}
SCHEMA_PATH = Path(__file__).parent / "schemas" / "einvoice.schema.json"
UNIT_PRICE = Decimal("0.001")  # the IRP takes unit prices to 3 places
HSN_RE = re.compile(r"^(?:[0-9]{6}|[0-9]{8})$")
# Indian PIN codes: six digits, the first not 0; people often write them "400 002".
_PIN_RE = re.compile(r"(?<![0-9])([1-9][0-9]{2}) ?([0-9]{3})(?![0-9])")
_PIN_LABEL_RE = re.compile(r"[\s,:.-]*\b(?:pin\s*code|pincode|pin)\b[\s:.-]*$", re.IGNORECASE)
_STATE_NAMES = {name.lower() for name in STATE_CODES.values()}
ZERO = Decimal("0")


class EInvoiceInvalid(ApplicationError):
    """The payload built for a document does not pass the INV-01 schema; `problems` says where (409)."""

    code = "einvoice_invalid"

    def __init__(self, message: str, problems: list[str]):
        self.problems = problems
        super().__init__(message, extra={"problems": problems})


@dataclass(frozen=True)
class EInvoiceParty:
    """The seller or the buyer as the document carries them; `pin` when the address text has none."""

    gstin: str
    name: str
    address: str
    state_code: str
    pin: str = ""


@dataclass(frozen=True)
class EInvoiceLine:
    description: str
    hsn_code: str
    net_weight: Decimal | None  # grams, for an article; None for a service or a value-only line
    taxable_value: Decimal
    gst_rate: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def is_service(self) -> bool:
        return self.hsn_code.startswith("99")  # SAC codes: chapter 99


@dataclass(frozen=True)
class EInvoiceRecord:
    """A document as issued, with what the IRP already knows of it (an IRN, active or cancelled)."""

    doc_type: str  # invoice, credit_note, debit_note
    number: str
    issued_on: date
    status: str  # issued, cancelled, draft
    seller: EInvoiceParty
    buyer: EInvoiceParty
    place_of_supply: str
    lines: tuple[EInvoiceLine, ...]
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    round_off: Decimal
    grand_total: Decimal
    original_number: str = ""  # a note's invoice
    original_issued_on: date | None = None
    irn: str = ""
    irn_status: str = ""  # "active" or "cancelled" once the IRP registered it

    @property
    def type_code(self) -> str:
        return TYPE_CODES[self.doc_type]

    @property
    def name(self) -> str:
        """Invoice LJ/26-27/0007, or Credit note CN/26-27/0001: how messages name it."""
        return f"{KIND_NAMES[self.doc_type].capitalize()} {self.number}"


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    place: str
    pin: str


def address_split(text: str, *, pin: str = "") -> Address:
    """An address typed as free text ("12 Zaveri Bazaar, Mumbai 400002") in the IRP's parts.

    Lines and commas separate the parts; the last PIN code written is the PIN (else `pin`), a last
    part naming a state is dropped (the state travels as its code), the last remaining part is the
    town, the first the first address line and the ones between the second.
    """
    parts = [" ".join(p.split()) for p in re.split(r"[\n,;]+", text or "")]
    parts = [p for p in parts if p]
    found = ""
    for i in range(len(parts) - 1, -1, -1):
        matches = list(_PIN_RE.finditer(parts[i]))
        if matches:
            last = matches[-1]
            found = last.group(1) + last.group(2)
            rest = (parts[i][: last.start()] + parts[i][last.end() :]).strip()
            parts[i] = _PIN_LABEL_RE.sub("", rest).strip(" -:.")
            break
    parts = [p for p in parts if p]
    if len(parts) > 1 and parts[-1].lower() in _STATE_NAMES:
        parts.pop()
    if not parts:
        return Address("", "", "", found or pin)
    if len(parts) == 1:
        return Address(parts[0], "", parts[0], found or pin)
    return Address(parts[0], ", ".join(parts[1:-1]), parts[-1], found or pin)


def _date(day: date) -> str:
    return day.strftime(DATE_FORMAT)


def _party(party: EInvoiceParty, *, state_code: str) -> dict[str, Any]:
    address = address_split(party.address, pin=party.pin)
    data: dict[str, Any] = {
        "Gstin": party.gstin,
        "LglNm": party.name[:100],
        "TrdNm": party.name[:100],
        "Addr1": address.line1[:100],
    }
    if len(address.line2) >= 3:
        data["Addr2"] = address.line2[:100]
    data["Loc"] = address.place[:50]
    if address.pin:
        data["Pin"] = int(address.pin)
    data["Stcd"] = state_code
    return data


def _item(serial: int, line: EInvoiceLine) -> dict[str, Any]:
    # An article is counted in grams of net weight; a service, or a line that only moves value (a
    # discount after sale, a price increase), as one unit of "others" priced at its whole value.
    weighed = line.net_weight is not None and line.net_weight > 0
    quantity = round_to(line.net_weight, GRAM) if weighed else Decimal("1")
    unit_price = round_to(line.taxable_value / quantity, UNIT_PRICE) if weighed else line.taxable_value
    return {
        "SlNo": str(serial),
        "PrdDesc": line.description[:300],
        "IsServc": "Y" if line.is_service else "N",
        "HsnCd": line.hsn_code,
        "Qty": quantity,
        "Unit": "GMS" if weighed else "OTH",
        "UnitPrice": unit_price,
        "TotAmt": line.taxable_value,
        "Discount": ZERO,
        "AssAmt": line.taxable_value,
        "GstRt": line.gst_rate.normalize() if line.gst_rate else ZERO,
        "IgstAmt": line.igst,
        "CgstAmt": line.cgst,
        "SgstAmt": line.sgst,
        "CesRt": ZERO,
        "CesAmt": ZERO,
        "TotItemVal": line.taxable_value + line.cgst + line.sgst + line.igst,
    }


def einvoice_build(record: EInvoiceRecord) -> dict[str, Any]:
    """The INV-01 payload of `record`, unchecked; `einvoice_payload` is what callers use."""
    payload: dict[str, Any] = {
        "Version": VERSION,
        "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N", "IgstOnIntra": "N"},
        "DocDtls": {"Typ": record.type_code, "No": record.number, "Dt": _date(record.issued_on)},
        "SellerDtls": _party(record.seller, state_code=record.seller.state_code),
        "BuyerDtls": {
            **_party(record.buyer, state_code=record.buyer.state_code or record.buyer.gstin[:2]),
            "Pos": record.place_of_supply,
        },
        "ItemList": [_item(i, line) for i, line in enumerate(record.lines, start=1)],
        "ValDtls": {
            "AssVal": record.taxable_value,
            "CgstVal": record.cgst,
            "SgstVal": record.sgst,
            "IgstVal": record.igst,
            "CesVal": ZERO,
            "Discount": ZERO,
            "OthChrg": ZERO,
            "RndOffAmt": record.round_off,
            "TotInvVal": record.grand_total,
        },
    }
    if record.doc_type != "invoice" and record.original_number:  # Rule 53: the invoice a note corrects
        payload["RefDtls"] = {
            "PrecDocDtls": [
                {
                    "InvNo": record.original_number,
                    "InvDt": _date(record.original_issued_on) if record.original_issued_on else "",
                }
            ]
        }
    return payload


def einvoice_payload(record: EInvoiceRecord) -> dict[str, Any]:
    """The INV-01 payload of `record`, checked against the schema (EInvoiceInvalid if it fails).

    Amounts stay Decimals; `einvoice_json` writes them as JSON numbers with their own digits.
    """
    payload = einvoice_build(record)
    problems = einvoice_schema_problems(payload)
    if problems:
        raise EInvoiceInvalid(
            f"The e-invoice of {record.name} does not pass the IRP's schema: {'; '.join(problems[:5])}.",
            problems,
        )
    return payload


def einvoice_json(payload: dict[str, Any] | list[dict[str, Any]]) -> bytes:
    """The payload (or a bulk list of them) as the JSON text the IRP is sent."""
    return jsontext.dumps(payload).encode()


@cache
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def einvoice_schema() -> dict[str, Any]:
    return _validator().schema


def _as_number(value: Any) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def einvoice_schema_problems(payload: Any) -> list[str]:
    """What the schema refuses in `payload`, each as "where: what"; empty when it passes.

    The payload is checked as the IRP reads it: written out as JSON and read back.
    """
    if isinstance(payload, bytes | str):
        data = json.loads(payload)
    else:  # a Decimal becomes the number the IRP reads from its digits
        data = json.loads(json.dumps(payload, default=_as_number))
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{'/'.join(str(p) for p in e.absolute_path) or 'document'}: {e.message}" for e in errors]


def reporting_last_day(issued_on: date) -> date:
    """The last day the IRP takes a document dated `issued_on` from a shop of ₹10 crore or more."""
    return issued_on + timedelta(days=REPORTING_DAYS - 1)


def cancel_deadline(ack_at: datetime) -> datetime:
    """Until when the IRP cancels an IRN acknowledged at `ack_at`."""
    return ack_at + CANCEL_WINDOW


def _address_problems(party: EInvoiceParty, *, whose: str, where: str) -> list[str]:
    if not party.address.strip():
        return [f"{whose} address is missing: add it {where}."]
    address = address_split(party.address, pin=party.pin)
    problems = []
    if len(address.place) < 3:
        problems.append(f"{whose} address needs its town or city (at least 3 letters): add it {where}.")
    if not address.pin:
        problems.append(f"{whose} address has no PIN code: add it {where}.")
    return problems


def einvoice_problems(
    record: EInvoiceRecord, *, today: date, turnover_ten_crore: bool, einvoice_from: date | None
) -> list[str]:
    """What stops the IRP from registering `record` today, each in words a shop owner can act on.

    Empty when the document is ready to be uploaded.
    """
    problems: list[str] = []
    kind = KIND_NAMES[record.doc_type]
    if record.irn_status == "active":
        return [f"It already has an IRN ({record.irn}): the IRP registers a document once."]
    if record.irn_status == "cancelled":
        return [
            f"Its IRN was cancelled, and the IRP never registers number {record.number} again. Issue a "
            "new document for the supply instead."
        ]
    if record.status == "draft":
        return [f"It is a draft: issue the {kind} first."]
    if record.status == "cancelled":
        return [f"The {kind} is cancelled: a cancelled document is not reported to the IRP."]
    if not record.buyer.gstin:
        problems.append(
            "The buyer is not GST-registered: e-invoices are for documents to registered buyers (B2B) only."
        )
    elif record.buyer.gstin == record.seller.gstin:
        problems.append("It is billed to the shop's own GSTIN: the IRP takes no e-invoice for that.")
    if einvoice_from is None:
        problems.append(
            "The shop has not set the day it e-invoices from: an owner or admin sets it in Settings → Profile."
        )
    elif record.issued_on < einvoice_from:
        problems.append(
            f"It is dated {record.issued_on:%d %b %Y}, before the shop's e-invoicing began "
            f"({einvoice_from:%d %b %Y}): it needs no IRN."
        )
    if turnover_ten_crore and today > reporting_last_day(record.issued_on):
        problems.append(
            f"It is dated {record.issued_on:%d %b %Y}: with turnover of ₹10 crore or more the IRP takes a "
            f"document only within {REPORTING_DAYS} days of its date, so until "
            f"{reporting_last_day(record.issued_on):%d %b %Y}."
        )
    if not DOCUMENT_NUMBER_RE.match(record.number or ""):
        problems.append(
            f"Its number {record.number or '(none)'} does not fit the IRP's pattern: at most 16 letters, "
            "digits, / and -, not starting with 0, / or -."
        )
    if not record.seller.gstin:
        problems.append("The shop has no GSTIN: add it in Settings → Profile.")
    problems += _address_problems(record.seller, whose="The shop's", where="in Settings → Profile")
    if record.buyer.gstin:
        problems += _address_problems(record.buyer, whose="The buyer's", where="to the customer")
    if not record.lines:
        problems.append("It has no lines.")
    elif len(record.lines) > ITEM_LIMIT:
        problems.append(
            f"It has {len(record.lines):,} lines; the IRP takes at most {ITEM_LIMIT:,} on one document."
        )
    for i, line in enumerate(record.lines, start=1):
        if not HSN_RE.match(line.hsn_code):
            problems.append(
                f"Line {i} ({line.description}): HSN {line.hsn_code or '(none)'} has {len(line.hsn_code)} "
                "digits; the IRP needs 6 or 8 (like 711319 for gold jewellery)."
            )
        if len(line.description.strip()) < 3:
            problems.append(f"Line {i}: the IRP needs a description of at least 3 letters.")
    if abs(record.round_off) > ROUND_OFF_LIMIT:
        problems.append(
            f"Its round-off of {inr(record.round_off)} is beyond the ±{inr(ROUND_OFF_LIMIT)} the IRP allows."
        )
    if record.doc_type != "invoice" and not (record.original_number and record.original_issued_on):
        problems.append(f"The {kind} does not name the invoice it corrects.")
    return problems


def bulk_parts(texts: list[bytes], *, limit: int = BULK_FILE_MAX_BYTES) -> list[list[int]]:
    """Split payloads (as JSON bytes, in order) into bulk upload files of at most `limit` bytes each.

    Returns each file's payload indexes. A payload larger than the limit alone goes in a file of its
    own (the portal will refuse that file; such a document is registered alone).
    """
    parts: list[list[int]] = []
    size = 0
    for i, text in enumerate(texts):
        needed = len(text) + 1  # its comma, or the opening bracket
        if parts and size + needed + 1 <= limit:  # +1: the closing bracket
            parts[-1].append(i)
            size += needed
        else:
            parts.append([i])
            size = 1 + len(text)
    return parts


def bulk_json(texts: list[bytes]) -> bytes:
    """One bulk upload file: the payloads as a JSON list."""
    return b"[" + b",".join(texts) + b"]"


def signed_data(token: str) -> dict[str, Any]:
    """What an IRP-signed JWT (the signed QR code or invoice) says, read without checking the signature.

    The IRP signs with NIC's key, which the shop does not hold; the data is read to match the answer
    to its document, and the JWT itself is kept and printed as the IRP issued it. ValueError if the
    text is not a JWT carrying JSON.
    """
    try:
        _header, body, _signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        data = claims.get("data", claims) if isinstance(claims, dict) else None
        if isinstance(data, str):
            data = json.loads(data)
    except (ValueError, AttributeError, TypeError) as exc:
        raise ValueError("not a signed IRP document (a JWT)") from exc
    if not isinstance(data, dict):
        raise ValueError("not a signed IRP document (a JWT)")
    return data
