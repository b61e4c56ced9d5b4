"""GSTR-1 as the sheets of the GST portal's offline tool: one CSV per section, in one ZIP.

The same builder and the same records as the JSON (so the same figures, checked against the same
schema), written in the offline tool's columns: a row per document and rate in b2b, b2cl, cdnr and
cdnur; b2cs, exemp, the HSN summary (hsn(b2b) and hsn(b2c) from the May 2025 period, hsn before it) and
docs at the end. Dates as the sheets write them (05-Oct-26), places of supply as "27-Maharashtra",
amounts with 2 places and no grouping, for the tool to import; a name or description that a spreadsheet
would run as a formula (=, +, -, @ first) is written after an apostrophe, as every CSV of Tijori is. Each per-document sheet streams into the
archive as the documents come (one ZIP member open at a time, in the source's section order).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import IO, Any

from apps.gst.periods import ReturnPeriod
from apps.gst.returns.gstr1 import Gstr1Builder, Gstr1Summary, SourceOrderError
from apps.gst.returns.gstr1_sections import (
    B2B,
    B2CL,
    B2CS,
    CDNR,
    CDNUR,
    DOC_ISSUE,
    HSN,
    NIL,
    NIL_SUPPLY_TYPES,
    PER_DOCUMENT_SECTIONS,
    UQC_GRAMS,
    Entry,
)
from apps.gst.returns.records import ZERO, DocumentNature, Gstr1Source
from apps.gst.states import state_name
from apps.inventory.services.imports.csv_format import guard

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
APPLICABLE_PERCENT = "Applicable % of Tax Rate"
HEADERS: dict[str, list[str]] = {
    B2B: ["GSTIN/UIN of Recipient", "Receiver Name", "Invoice Number", "Invoice date", "Invoice Value",
          "Place Of Supply", "Reverse Charge", APPLICABLE_PERCENT, "Invoice Type", "E-Commerce GSTIN", "Rate",
          "Taxable Value", "Cess Amount"],
    B2CL: ["Invoice Number", "Invoice date", "Invoice Value", "Place Of Supply", APPLICABLE_PERCENT, "Rate",
           "Taxable Value", "Cess Amount", "E-Commerce GSTIN"],
    B2CS: ["Type", "Place Of Supply", APPLICABLE_PERCENT, "Rate", "Taxable Value", "Cess Amount",
           "E-Commerce GSTIN"],
    CDNR: ["GSTIN/UIN of Recipient", "Receiver Name", "Note Number", "Note Date", "Note Type", "Place Of Supply",
           "Reverse Charge", "Note Supply Type", "Note Value", APPLICABLE_PERCENT, "Rate", "Taxable Value",
           "Cess Amount"],
    CDNUR: ["UR Type", "Note Number", "Note Date", "Note Type", "Place Of Supply", "Note Value", APPLICABLE_PERCENT,
            "Rate", "Taxable Value", "Cess Amount"],
    NIL: ["Description", "Nil Rated Supplies", "Exempted(other than nil rated/non GST supply)", "Non-GST Supplies"],
    HSN: ["HSN", "Description", "UQC", "Total Quantity", "Total Value", "Rate", "Taxable Value",
          "Integrated Tax Amount", "Central Tax Amount", "State/UT Tax Amount", "Cess Amount"],
    DOC_ISSUE: ["Nature of Document", "Sr. No. From", "Sr. No. To", "Total Number", "Cancelled"],
}  # fmt: skip
FILE_NAMES = {B2B: "b2b.csv", B2CL: "b2cl.csv", B2CS: "b2cs.csv", CDNR: "cdnr.csv", CDNUR: "cdnur.csv",
              NIL: "exemp.csv", DOC_ISSUE: "docs.csv"}  # fmt: skip
HSN_FILE_NAMES = {"data": "hsn.csv", "hsn_b2b": "hsn(b2b).csv", "hsn_b2c": "hsn(b2c).csv"}
INVOICE_TYPE = {"R": "Regular B2B", "SEWP": "SEZ supplies with payment", "SEWOP": "SEZ supplies without payment",
                "DE": "Deemed Exp"}  # fmt: skip
NIL_DESCRIPTIONS = {
    "INTRB2B": "Inter-State supplies to registered persons",
    "INTRAB2B": "Intra-State supplies to registered persons",
    "INTRB2C": "Inter-State supplies to unregistered persons",
    "INTRAB2C": "Intra-State supplies to unregistered persons",
}
UQC_NAMES = {UQC_GRAMS: "GMS-GRAMMES"}


def sheet_date(day: date) -> str:
    """05-Oct-26, as the offline tool's sheets write a date (no locale involved)."""
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year % 100:02d}"


def place_label(code: str) -> str:
    return f"{code}-{state_name(code)}"


def _number(value: Decimal | int) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def entry_rows(entry: Entry) -> list[list[str]]:
    """One row per rate of the document, in the section's columns."""
    doc, p = entry.document, entry.payload
    rows = []
    for item in p["itms"]:
        d = item["itm_det"]
        rate, taxable, cess = _number(d["rt"]), _number(d["txval"]), _number(d["csamt"])
        if entry.section == B2B:
            rows.append([entry.group, guard(doc.buyer_name), p["inum"], sheet_date(doc.date), _number(p["val"]),
                         place_label(p["pos"]), p["rchrg"], "", INVOICE_TYPE[p["inv_typ"]], "", rate, taxable, cess])  # fmt: skip
        elif entry.section == B2CL:
            rows.append([p["inum"], sheet_date(doc.date), _number(p["val"]), place_label(entry.group), "", rate,
                         taxable, cess, ""])  # fmt: skip
        elif entry.section == CDNR:
            rows.append([entry.group, guard(doc.buyer_name), p["nt_num"], sheet_date(doc.date), p["ntty"],
                         place_label(p["pos"]), p["rchrg"], INVOICE_TYPE[p["inv_typ"]], _number(p["val"]), "", rate,
                         taxable, cess])  # fmt: skip
        else:
            rows.append([p["typ"], p["nt_num"], sheet_date(doc.date), p["ntty"], place_label(p["pos"]),
                         _number(p["val"]), "", rate, taxable, cess])  # fmt: skip
    return rows


def aggregated_rows(key: str, value: Any) -> dict[str, list[list[str]]]:
    """The rows of an aggregated section (as the JSON has it), by file name."""
    if key == B2CS:
        return {FILE_NAMES[B2CS]: [
            [row["typ"], place_label(row["pos"]), "", _number(row["rt"]), _number(row["txval"]),
             _number(row["csamt"]), ""]
            for row in value
        ]}  # fmt: skip
    if key == NIL:
        amounts = {row["sply_ty"]: row for row in value["inv"]}
        return {FILE_NAMES[NIL]: [
            [NIL_DESCRIPTIONS[kind]] + [_number(amounts.get(kind, {}).get(name, ZERO))
                                        for name in ("nil_amt", "expt_amt", "ngsup_amt")]
            for kind in NIL_SUPPLY_TYPES
        ]}  # fmt: skip
    if key == HSN:
        return {
            HSN_FILE_NAMES[table]: [
                [row["hsn_sc"], guard(row["desc"]), UQC_NAMES.get(row["uqc"], row["uqc"]), _number(row["qty"]),
                 _number(row["txval"] + row["iamt"] + row["camt"] + row["samt"] + row["csamt"]), _number(row["rt"]),
                 _number(row["txval"]), _number(row["iamt"]), _number(row["camt"]), _number(row["samt"]),
                 _number(row["csamt"])]
                for row in rows
            ]
            for table, rows in value.items()
        }  # fmt: skip
    return {FILE_NAMES[DOC_ISSUE]: [
        [DocumentNature(nature["doc_num"]).label, doc["from"], doc["to"], str(doc["totnum"]), str(doc["cancel"])]
        for nature in value["doc_det"] for doc in nature["docs"]
    ]}  # fmt: skip


class _Sheet:
    """One CSV member of the archive, open for writing."""

    def __init__(self, archive: zipfile.ZipFile, name: str, header: list[str]) -> None:
        self.stream = io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")
        self.writer = csv.writer(self.stream, lineterminator="\r\n")
        self.writer.writerow(header)

    def rows(self, rows: Iterable[list[str]]) -> None:
        self.writer.writerows(rows)

    def close(self) -> None:
        self.stream.close()


def gstr1_sheets_write(
    source: Gstr1Source, out: IO[bytes], *, period: ReturnPeriod, gstin: str,
    progress: Callable[[int, int | None], None] | None = None,
) -> Gstr1Summary:  # fmt: skip
    """Write the period's GSTR-1 sheets as a ZIP of CSV files to `out`, as the source streams."""
    builder = Gstr1Builder(
        gstin=gstin, period=period, furnished_months=source.furnished_months,
        hsn_descriptions=source.hsn_descriptions,
    )  # fmt: skip
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        sheet, section, written = None, None, set()
        for entry in builder.run(source, progress):
            if entry.section != section:
                if sheet is not None:
                    sheet.close()
                if entry.section in written:
                    raise SourceOrderError(
                        f"{entry.document.number}: section {entry.section} came back after it closed."
                    )
                section = entry.section
                written.add(section)
                sheet = _Sheet(archive, FILE_NAMES[section], HEADERS[section])
            sheet.rows(entry_rows(entry))
        if sheet is not None:
            sheet.close()
        for missing in PER_DOCUMENT_SECTIONS:
            if missing not in written:
                _Sheet(archive, FILE_NAMES[missing], HEADERS[missing]).close()
        aggregated = builder.finish(source.series)
        aggregated.setdefault(B2CS, [])
        aggregated.setdefault(NIL, {"inv": []})
        for key in (B2CS, NIL, HSN, DOC_ISSUE):
            for name, rows in aggregated_rows(key, aggregated[key]).items():
                sheet = _Sheet(archive, name, HEADERS[HSN if name in HSN_FILE_NAMES.values() else key])
                sheet.rows(rows)
                sheet.close()
    return builder.summary
