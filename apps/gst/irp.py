"""The one door to the e-invoice portal (IRP): generate an IRN, cancel it, read it back.

`IrpClient` is the interface the services call. `HttpIrpClient` speaks the plain-JSON API that GSPs
put in front of NIC's encrypted one (India Compliance's `ei/api`: `POST invoice`, `POST
invoice/cancel`, `GET invoice/irn?irn=`, answers `{"success", "message", "result"}` or an
`error_code`); another GSP plugs in by writing another class with the same three methods, or by
pointing IRP_BASE_URL at its endpoint. With IRP_BASE_URL empty there is no client (`irp_client()` is
None): the shop uploads the bulk file on the portal and imports the IRP's answer instead.

The IRP's answers, from its API or from a file a shop downloads, are read by `irp_answer_read`: IRN,
acknowledgement number and time (Asia/Kolkata, "YYYY-MM-DD HH:MM:SS"), the signed invoice and the
signed QR code, and the document they name (from the answer or from the signed QR code's data).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import requests
from django.conf import settings

from apps.core.exceptions import ApplicationError
from apps.gst.einvoice import DATE_FORMAT, DOC_TYPES, einvoice_json, signed_data

IST = ZoneInfo("Asia/Kolkata")
ACK_FORMAT = "%Y-%m-%d %H:%M:%S"
IRN_RE = re.compile(r"^[0-9a-f]{64}$")
TIMEOUT_SECONDS = 20
# NIC's cancellation reasons (CnlRsn).
CANCEL_REASONS = {
    "duplicate": ("1", "Duplicate"),
    "data_entry_mistake": ("2", "Data entry mistake"),
    "order_cancelled": ("3", "Order cancelled"),
    "other": ("4", "Other"),
}

# What the IRP's error codes mean for a shop owner; the rest are shown with the IRP's own words.
IRP_MESSAGES = {
    "2150": "The IRP already registered this document number (duplicate IRN).",
    "2305": "The IRP refuses documents older than 30 days for turnover of ₹10 crore or more.",
    "2270": "The IRP cancels an IRN only within 24 hours of its acknowledgement: issue a credit note instead.",
    "9999": "The IRN is already cancelled on the IRP.",
    "2283": "The IRP gives an IRN's details only for 2 days after it was generated: import its answer from the "
    "portal instead.",
    "3028": "The buyer's GSTIN is not on the GST register.",
    "3029": "The buyer's GSTIN is not active.",
    "2211": "The shop's GSTIN on the document is not the one the IRP account belongs to.",
}


class IrpRefused(ApplicationError):
    """The IRP answered and said no; `irp_code` is its error code (409)."""

    code = "irp_refused"

    def __init__(self, message: str, *, irp_code: str = "", data: Any = None):
        self.irp_code = irp_code
        self.data = data
        super().__init__(message, extra={"irp_code": irp_code})


class IrpDuplicate(IrpRefused):
    """Error 2150: the document already has an IRN, named by `irn`."""

    def __init__(self, message: str, *, irn: str, data: Any = None):
        self.irn = irn
        super().__init__(message, irp_code="2150", data=data)


class IrpUnavailable(ApplicationError):
    """The IRP could not be reached or failed on its side (503): nothing was registered or cancelled."""

    code = "irp_unavailable"
    status_code = 503


@dataclass(frozen=True)
class IrpAnswer:
    """What the IRP answered for one document."""

    irn: str
    ack_no: str
    ack_at: datetime
    signed_qr: str
    signed_invoice: str = ""
    status: str = "ACT"
    # The document it names: from the answer's own fields, else from the signed QR code's data.
    seller_gstin: str = ""
    type_code: str = ""
    number: str = ""
    issued_on: date | None = None

    @property
    def doc_type(self) -> str:
        return DOC_TYPES.get(self.type_code, "")


@dataclass(frozen=True)
class IrpCancelAnswer:
    irn: str
    cancelled_at: datetime


class IrpClient(Protocol):
    def generate(self, payload: Mapping[str, Any]) -> IrpAnswer: ...

    def cancel(self, irn: str, reason: str, remark: str) -> IrpCancelAnswer: ...

    def get_by_irn(self, irn: str) -> IrpAnswer: ...


def ack_time_read(text: Any) -> datetime:
    """The IRP's "2026-10-05 14:03:00", in Asia/Kolkata; ValueError if it is not one."""
    try:
        return datetime.strptime(str(text).strip(), ACK_FORMAT).replace(tzinfo=IST)
    except ValueError:
        raise ValueError(f"{text!r} is not a time as the IRP writes it (YYYY-MM-DD HH:MM:SS)") from None


def _text(data: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = data.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def irp_answer_read(data: Any) -> IrpAnswer:
    """One answer of the IRP (`{"result": {...}}` or the result itself) as an IrpAnswer.

    ValueError, in words, when it is not one: no IRN, no acknowledgement, an unreadable signed QR code.
    """
    if not isinstance(data, Mapping):
        raise ValueError("an answer is a JSON object with Irn, AckNo, AckDt and SignedQRCode")
    if isinstance(data.get("result"), Mapping):
        data = data["result"]
    irn = _text(data, "Irn").lower()
    if not IRN_RE.match(irn):
        raise ValueError(f"{irn or 'its IRN'} is not an IRN (64 hexadecimal characters)")
    ack_no = _text(data, "AckNo")
    if not ack_no.isdigit() or len(ack_no) > 20:
        raise ValueError(f"IRN {irn}: {ack_no or 'no'} acknowledgement number (AckNo) of up to 20 digits")
    ack_at = ack_time_read(_text(data, "AckDt"))
    signed_qr = _text(data, "SignedQRCode")
    if not signed_qr:
        raise ValueError(f"IRN {irn}: no signed QR code (SignedQRCode)")
    try:
        qr = signed_data(signed_qr)
    except ValueError:
        raise ValueError(f"IRN {irn}: its SignedQRCode is not a signed QR code of the IRP") from None
    if qr.get("Irn") and str(qr["Irn"]).lower() != irn:
        raise ValueError(f"IRN {irn}: its signed QR code names another IRN ({qr['Irn']})")
    details = data.get("DocDtls") if isinstance(data.get("DocDtls"), Mapping) else {}
    day = _text(data, "DocDt") or _text(details, "Dt") or _text(qr, "DocDt")
    try:
        issued_on = datetime.strptime(day, DATE_FORMAT).date() if day else None
    except ValueError:
        raise ValueError(f"IRN {irn}: {day} is not a date as dd/mm/yyyy") from None
    return IrpAnswer(
        irn=irn,
        ack_no=ack_no,
        ack_at=ack_at,
        signed_qr=signed_qr,
        signed_invoice=_text(data, "SignedInvoice"),
        status=_text(data, "Status") or "ACT",
        seller_gstin=(_text(data, "SellerGstin", "Gstin") or _text(qr, "SellerGstin")).upper(),
        type_code=(_text(data, "DocTyp") or _text(details, "Typ") or _text(qr, "DocTyp")).upper(),
        number=_text(data, "DocNo") or _text(details, "No") or _text(qr, "DocNo"),
        issued_on=issued_on,
    )


class HttpIrpClient:
    """The IRP through a GSP's plain-JSON API (see the module); one instance per call site."""

    def __init__(
        self,
        *,
        base_url: str,
        gstin: str,
        username: str,
        password: str,
        client_id: str = "",
        client_secret: str = "",
        timeout: float = TIMEOUT_SECONDS,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = session or requests.Session()
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "gstin": gstin,
            "user_name": username,
            "password": password,
            "client_id": client_id,
            "client_secret": client_secret,
        }

    def _call(self, method: str, endpoint: str, *, body: Any = None, params: dict | None = None) -> Any:
        headers = {**self.headers, "requestid": uuid.uuid4().hex[:20]}  # GSPs refuse a repeated request id
        data = einvoice_json(body) if body is not None else None
        try:
            response = self.session.request(
                method,
                self.base_url + endpoint,
                data=data,
                params=params,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise IrpUnavailable(
                "The IRP could not be reached just now: nothing was registered. Try again in a few minutes, "
                "or upload the bulk file on the portal."
            ) from exc
        if response.status_code >= 500:
            raise IrpUnavailable(
                f"The IRP failed on its side (HTTP {response.status_code}): nothing was registered. Try again "
                "in a few minutes."
            )
        try:
            answer = response.json()
        except ValueError:
            raise IrpUnavailable(
                f"The IRP answered with something that is not JSON (HTTP {response.status_code})."
            ) from None
        if not isinstance(answer, Mapping):
            raise IrpUnavailable("The IRP's answer is not a JSON object.")
        if response.status_code >= 400 or answer.get("success") is False or answer.get("error_code"):
            self._refuse(answer)
        return answer.get("result", answer)

    @staticmethod
    def _refuse(answer: Mapping[str, Any]) -> None:
        message = str(answer.get("message") or "")
        code = str(answer.get("error_code") or "") or (
            message.split(":")[0].strip() if ":" in message else ""
        )
        result = answer.get("result")
        if code == "2150":
            entries = result if isinstance(result, list) else [result]
            for entry in entries:
                desc = entry.get("Desc") if isinstance(entry, Mapping) else None
                if isinstance(desc, Mapping) and desc.get("Irn"):
                    raise IrpDuplicate(IRP_MESSAGES["2150"], irn=str(desc["Irn"]).lower(), data=answer)
        readable = IRP_MESSAGES.get(code)
        text = readable or f"The IRP refused it: {message or 'no reason given'}"
        raise IrpRefused(f"{text}{f' (IRP error {code})' if code else ''}", irp_code=code, data=answer)

    def generate(self, payload: Mapping[str, Any]) -> IrpAnswer:
        try:
            return irp_answer_read(self._call("POST", "invoice", body=payload))
        except ValueError as exc:
            raise IrpUnavailable(f"The IRP's answer could not be read: {exc}.") from exc

    def cancel(self, irn: str, reason: str, remark: str) -> IrpCancelAnswer:
        code = CANCEL_REASONS[reason][0]
        result = self._call(
            "POST", "invoice/cancel", body={"Irn": irn, "CnlRsn": code, "CnlRem": remark[:100]}
        )
        try:
            return IrpCancelAnswer(irn=irn, cancelled_at=ack_time_read(result.get("CancelDate")))
        except (ValueError, AttributeError) as exc:
            raise IrpUnavailable(f"The IRP's answer could not be read: {exc}.") from exc

    def get_by_irn(self, irn: str) -> IrpAnswer:
        try:
            return irp_answer_read(self._call("GET", "invoice/irn", params={"irn": irn}))
        except ValueError as exc:
            raise IrpUnavailable(f"The IRP's answer could not be read: {exc}.") from exc


def irp_client(*, gstin: str) -> IrpClient | None:
    """The configured IRP connection for the shop's GSTIN, or None when there is none: IRP_BASE_URL
    empty, or IRP_GSTIN naming another GSTIN (an IRP login belongs to one taxpayer, and one shop's
    documents are never registered with another's). Without it e-invoices go through the portal's
    bulk upload."""
    if not settings.IRP_BASE_URL or not gstin or (settings.IRP_GSTIN and gstin != settings.IRP_GSTIN):
        return None
    return HttpIrpClient(
        base_url=settings.IRP_BASE_URL,
        gstin=gstin,
        username=settings.IRP_USERNAME,
        password=settings.IRP_PASSWORD,
        client_id=settings.IRP_CLIENT_ID,
        client_secret=settings.IRP_CLIENT_SECRET,
    )
