"""A local stand-in for a GSP's e-invoice API, served on 127.0.0.1 (no test reaches the internet).

It behaves as the IRP does where the code depends on it: it checks the GSP credentials and that the
document is the login's GSTIN's, validates the payload against the INV-01 schema, derives the IRN
from (GSTIN, financial year, document type, number) so a number registered once (even cancelled) is a
duplicate forever (error 2150), optionally refuses documents dated more than 30 days back (2305),
cancels only within 24 hours of the acknowledgement (2270, then 9999 for a second cancel), and answers
in the IRP's shape: Irn, AckNo, AckDt "YYYY-MM-DD HH:MM:SS" (Asia/Kolkata), SignedInvoice and
SignedQRCode as JWTs whose data names the document. Its clock is `now`, which a test may move.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from apps.gst.einvoice import einvoice_schema_problems
from apps.gst.irp import ACK_FORMAT, IST
from apps.gst.periods import FinancialYear

BASE_PATH = "/ei/api/"
CREDENTIALS = {
    "user_name": "irp-user",
    "password": "irp-secret",
    "client_id": "gsp-id",
    "client_secret": "gsp-secret",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(data: dict, *, issuer: str = "NIC Sandbox") -> str:
    """A JWT shaped like the IRP's: its claims carry `data` as JSON text (the signature is not NIC's)."""
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "fake-irp"}).encode())
    body = _b64(json.dumps({"data": json.dumps(data), "iss": issuer}).encode())
    return f"{header}.{body}.{_b64(hashlib.sha256(body.encode()).digest())}"


def irn_of(gstin: str, fy: str, type_code: str, number: str) -> str:
    return hashlib.sha256(f"{gstin}{fy}{type_code}{number}".encode()).hexdigest()


class FakeIrp:
    def __init__(self, *, reporting_days: int | None = None) -> None:
        self.reporting_days = reporting_days  # refuse documents older than this (a shop of ₹10 crore or more)
        self.now = lambda: datetime.now(IST).replace(microsecond=0)
        self.documents: dict[
            str, dict
        ] = {}  # IRN → {"result": answer, "ack_at": datetime, "status": ACT/CNL}
        self.requests: list[dict] = []
        self.fail_with: int | None = None  # answer every call with this HTTP status (a broken IRP)
        self._ack = 132610000000000

    # --- what the IRP does ------------------------------------------------------------------------

    def register(self, payload: dict, *, gstin: str | None = None) -> tuple[int, dict]:
        problems = einvoice_schema_problems(payload)
        payload = json.loads(json.dumps(payload, default=float))  # as the IRP reads it: amounts as numbers
        if problems:
            return 400, {"success": False, "error_code": "5002", "message": "; ".join(problems)}
        seller = payload["SellerDtls"]["Gstin"]
        if gstin is not None and seller != gstin:
            return 400, {"success": False, "error_code": "2211", "message": "2211 : Invalid Seller GSTIN"}
        day = datetime.strptime(payload["DocDtls"]["Dt"], "%d/%m/%Y").date()
        today = self.now().date()
        if self.reporting_days is not None and (today - day).days >= self.reporting_days:
            return 400, {
                "success": False,
                "error_code": "2305",
                "message": "2305 : Document is older than 30 days",
            }
        typ, number = payload["DocDtls"]["Typ"], payload["DocDtls"]["No"]
        irn = irn_of(seller, FinancialYear.of(day).label, typ, number)
        if irn in self.documents:
            known = self.documents[irn]["result"]
            return 400, {
                "success": False, "error_code": "2150", "message": "2150 : Duplicate IRN",
                "result": [{"InfCd": "DUPIRN", "Desc": {"AckNo": known["AckNo"], "AckDt": known["AckDt"], "Irn": irn}}],
            }  # fmt: skip
        self._ack += 1
        ack_at = self.now()
        ack_text = ack_at.strftime(ACK_FORMAT)
        qr = {
            "SellerGstin": seller, "BuyerGstin": payload["BuyerDtls"]["Gstin"], "DocNo": number, "DocTyp": typ,
            "DocDt": payload["DocDtls"]["Dt"], "TotInvVal": payload["ValDtls"]["TotInvVal"],
            "ItemCnt": len(payload["ItemList"]), "MainHsnCode": payload["ItemList"][0]["HsnCd"], "Irn": irn,
            "IrnDt": ack_text,
        }  # fmt: skip
        result = {
            "AckNo": self._ack, "AckDt": ack_text, "Irn": irn,
            "SignedInvoice": signed({"AckNo": self._ack, "AckDt": ack_text, "Irn": irn, **payload}),
            "SignedQRCode": signed(qr), "Status": "ACT", "EwbNo": None, "EwbDt": None, "EwbValidTill": None,
            "Remarks": None,
        }  # fmt: skip
        self.documents[irn] = {"result": result, "ack_at": ack_at, "status": "ACT"}
        return 200, {"success": True, "message": "IRN generated successfully", "result": result}

    def cancel(self, body: dict) -> tuple[int, dict]:
        known = self.documents.get(str(body.get("Irn", "")))
        if known is None:
            return 400, {"success": False, "error_code": "2154", "message": "2154 : Invalid IRN"}
        if known["status"] == "CNL":
            return 400, {"success": False, "error_code": "9999", "message": "9999 : Invoice is not active"}
        if self.now() > known["ack_at"] + timedelta(hours=24):
            return 400, {
                "success": False, "error_code": "2270",
                "message": "2270 : The allowed cancellation time limit is crossed, you cannot cancel the IRN",
            }  # fmt: skip
        if body.get("CnlRsn") not in ("1", "2", "3", "4"):
            return 400, {"success": False, "error_code": "5002", "message": "Invalid cancel reason"}
        known["status"] = "CNL"
        cancel_text = self.now().strftime(ACK_FORMAT)
        return 200, {"success": True, "message": "E-Invoice is cancelled successfully",
                     "result": {"Irn": body["Irn"], "CancelDate": cancel_text}}  # fmt: skip

    def lookup(self, irn: str) -> tuple[int, dict]:
        known = self.documents.get(irn)
        if known is None:
            return 400, {
                "success": False,
                "error_code": "2283",
                "message": "2283 : IRN details are not found",
            }
        return 200, {"success": True, "result": {**known["result"], "Status": known["status"]}}

    def answer_for(self, payload: dict) -> dict:
        """The answer the portal gives for one document (as a bulk upload's answer file lists it)."""
        code, body = self.register(payload)
        assert code == 200, body
        return body["result"]

    # --- HTTP -------------------------------------------------------------------------------------

    def __enter__(self) -> FakeIrp:
        irp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet test output
                pass

            def _answer(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                irp.requests.append(
                    {"method": method, "path": url.path, "headers": dict(self.headers), "body": raw}
                )
                if irp.fail_with:
                    self.send_response(irp.fail_with)
                    self.end_headers()
                    return
                if any(self.headers.get(k) != v for k, v in CREDENTIALS.items()):
                    self._answer(
                        401, {"success": False, "error_code": "1005", "message": "1005 : Invalid Token"}
                    )
                    return
                endpoint = url.path.removeprefix(BASE_PATH)
                if method == "POST" and endpoint == "invoice":
                    self._answer(
                        *irp.register(json.loads(raw, parse_float=Decimal), gstin=self.headers.get("gstin"))
                    )
                elif method == "POST" and endpoint == "invoice/cancel":
                    self._answer(*irp.cancel(json.loads(raw)))
                elif method == "GET" and endpoint == "invoice/irn":
                    self._answer(*irp.lookup(parse_qs(url.query).get("irn", [""])[0]))
                else:
                    self._answer(404, {"success": False, "message": "no such endpoint"})

            def do_POST(self) -> None:
                self._handle("POST")

            def do_GET(self) -> None:
                self._handle("GET")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{BASE_PATH}"
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def later(self, **delta) -> None:
        """Move the IRP's clock forward."""
        before = self.now
        self.now = lambda: before() + timedelta(**delta)


def on_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=IST).replace(hour=12)
