"""Where each GSTR-1 document goes, and what its entry and the aggregated sections look like.

Each document lands in one section:

- to a buyer with a GSTIN: `b2b` (an invoice) or `cdnr` (a note), grouped by the buyer's GSTIN;
- to a buyer without one: `b2cl` when the supply is inter-state and the invoice is above the B2C limit
  of its date (Rule 59(4): ₹2.5 lakh up to 31 July 2024, ₹1 lakh from 1 August 2024), grouped by place
  of supply; a note goes to `cdnur` when it corrects such an invoice: inter-state, and the larger of
  the note and its invoice above the limit of the invoice's date (India Compliance compares with the
  note's date, which sends a note of August 2024 on a ₹2 lakh July invoice reported in B2CS to
  CDNUR); everything else is summed into `b2cs`, one row per place of supply and rate, notes netted
  in (a credit note lowers its row);
- a line at 0% is a nil-rated supply, summed into `nil` by inter/intra-state and registered or not.

Every line is also summed into the HSN summary (Table 12: from the May 2025 period split into
`hsn_b2b` and `hsn_b2c` by the buyer's GST category, before it one `data` list), credit notes
negative; and `doc_issue` (Table 13) lists each series' first and last number of the period with its
counts. A quarterly filer who furnished B2B invoices and notes of the quarter's first two months in the
invoice furnishing facility (IFF) leaves them out of `b2b` and `cdnr`; the HSN summary and the
documents issued still cover the whole quarter.

Notes are written unsigned, the sign in `ntty` (C or D); dates are dd-mm-yyyy. Pure functions of a
document record and of the sums the builder (`gstr1`) keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from apps.core.money import round_to
from apps.gst.returns.records import CREDIT_NOTE, ZERO, Amounts, DocumentRecord, SeriesCount

QUANTITY_PLACES = Decimal("0.01")  # Table 12 quantities go to the portal at 2 places, weights in grams

# Rule 59(4)(a)(ii): inter-state invoices to unregistered buyers above the limit are reported one by one
# (B2C large); lowered from ₹2.5 lakh to ₹1 lakh for documents from 1 August 2024 (Notification
# 12/2024-CT). By the document's date; kept as data because it changes by notification.
B2C_LARGE_LIMITS: tuple[tuple[date, Decimal], ...] = (
    (date(2024, 7, 31), Decimal("250000")),
    (date.max, Decimal("100000")),
)
# GSTN's Phase-III advisory: Table 12 is split into B2B and B2C from the May 2025 return period.
HSN_SPLIT_FROM = date(2025, 5, 1)
HSN_DESCRIPTION_LIMIT = 30
UQC_GRAMS = "GMS"
UQC_SERVICES = "NA"


B2B, B2CL, B2CS, CDNR, CDNUR, NIL, HSN, DOC_ISSUE = "b2b", "b2cl", "b2cs", "cdnr", "cdnur", "nil", "hsn", "doc_issue"  # fmt: skip
FURNISHED = "furnished"  # B2B documents already furnished in the IFF: in no section, but in the HSN summary
PER_DOCUMENT_SECTIONS = (B2B, B2CL, CDNR, CDNUR)
TAXABLE_SECTIONS = (B2B, B2CL, B2CS, CDNR, CDNUR, FURNISHED)
ENTRY_DEFINITIONS = {
    B2B: "/$defs/b2b_invoice",
    B2CL: "/$defs/b2cl_invoice",
    CDNR: "/$defs/cdnr_note",
    CDNUR: "/$defs/cdnur_note",
}
NIL_SUPPLY_TYPES = ("INTRB2B", "INTRAB2B", "INTRB2C", "INTRAB2C")


def b2c_large_limit(day: date) -> Decimal:
    return next(limit for last_day, limit in B2C_LARGE_LIMITS if day <= last_day)


def is_b2c_large(*, value: Decimal, day: date, inter_state: bool) -> bool:
    """Rule 59(4)(a)(ii): inter-state, and above the limit of the document's date (strictly)."""
    return inter_state and abs(value) > b2c_large_limit(day)


class Entry(NamedTuple):
    """One document's entry in a per-document section; `group` is its buyer GSTIN or place of supply."""

    section: str
    group: str
    payload: dict[str, Any]
    document: DocumentRecord


def _date(day: date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def rate_number(rate: Decimal) -> Decimal:
    """3.00 → 3, 0.25 → 0.25: rates as the portal writes them (a representation, not a rounding)."""
    return Decimal(format(rate.normalize(), "f"))


@dataclass(slots=True)
class HsnRow:
    """A row of the HSN summary as it is summed: by HSN, unit and rate."""

    description: str
    grams: Decimal = Decimal("0.000")
    amounts: Amounts = field(default_factory=Amounts)


def section_of(doc: DocumentRecord, *, furnished: frozenset[tuple[int, int]]) -> str:
    """The section of a document with taxed lines (FURNISHED: B2B, of a month furnished in the IFF)."""
    if doc.registered:
        if (doc.date.year, doc.date.month) in furnished:
            return FURNISHED
        return CDNR if doc.is_note else B2B
    if doc.is_note:  # B2CL-type when its invoice was, judged by the limit of the invoice's date
        value = max(abs(doc.value), abs(doc.original_value or ZERO))
        day = doc.original_date or doc.date
        return CDNUR if is_b2c_large(value=value, day=day, inter_state=doc.inter_state) else B2CS
    return B2CL if is_b2c_large(value=doc.value, day=doc.date, inter_state=doc.inter_state) else B2CS


def entry_group(section: str, doc: DocumentRecord) -> str:
    """What a grouped section groups the entry by: the buyer's GSTIN, or the place of supply."""
    return {B2B: doc.buyer_gstin, CDNR: doc.buyer_gstin, B2CL: doc.pos}.get(section, "")


def _items(doc: DocumentRecord, by_rate: dict[Decimal, Amounts], *, all_heads: bool) -> list[dict]:
    items = []
    for num, (rate, amounts) in enumerate(sorted(by_rate.items()), 1):
        detail: dict[str, Any] = {
            "txval": abs(amounts.txval),
            "rt": rate_number(rate),
            "iamt": abs(amounts.iamt),
        }
        if all_heads:
            detail["camt"], detail["samt"] = abs(amounts.camt), abs(amounts.samt)
        elif amounts.camt or amounts.samt:
            raise ValueError(f"{doc.number} carries CGST or SGST on an inter-state supply.")
        detail["csamt"] = abs(amounts.csamt)
        items.append({"num": num, "itm_det": detail})
    return items


def entry_payload(section: str, doc: DocumentRecord, by_rate: dict[Decimal, Amounts]) -> dict[str, Any]:
    """The document's entry in its section, an item per rate (`by_rate`: its taxed lines summed by rate)."""
    if section == B2B:
        return {"inum": doc.number, "idt": _date(doc.date), "val": doc.value, "pos": doc.pos, "rchrg": "N",
                "inv_typ": "R", "itms": _items(doc, by_rate, all_heads=True)}  # fmt: skip
    if section == B2CL:
        return {"inum": doc.number, "idt": _date(doc.date), "val": doc.value,
                "itms": _items(doc, by_rate, all_heads=False)}  # fmt: skip
    note_type = "C" if doc.kind == CREDIT_NOTE else "D"
    if section == CDNR:
        return {"ntty": note_type, "nt_num": doc.number, "nt_dt": _date(doc.date), "val": abs(doc.value),
                "pos": doc.pos, "rchrg": "N", "inv_typ": "R", "itms": _items(doc, by_rate, all_heads=True)}  # fmt: skip
    return {"typ": "B2CL", "ntty": note_type, "nt_num": doc.number, "nt_dt": _date(doc.date),
            "val": abs(doc.value), "pos": doc.pos, "itms": _items(doc, by_rate, all_heads=False)}  # fmt: skip


def b2cs_rows(sums: Mapping[tuple[str, Decimal, str], Amounts]) -> list[dict[str, Any]]:
    """Table 7: a row per place of supply, rate and supply type, notes netted in; a zero row is left out."""
    return [
        {"sply_ty": supply, "pos": pos, "typ": "OE", "rt": rate_number(rate), "txval": a.txval, "iamt": a.iamt,
         "camt": a.camt, "samt": a.samt, "csamt": a.csamt}
        for (pos, rate, supply), a in sorted(sums.items()) if not a.is_zero()
    ]  # fmt: skip


def nil_rows(sums: Mapping[str, Decimal]) -> list[dict[str, Any]]:
    """Table 8: nil-rated supplies by inter/intra-state and registered or not."""
    return [
        {"sply_ty": kind, "nil_amt": sums[kind], "expt_amt": ZERO, "ngsup_amt": ZERO}
        for kind in NIL_SUPPLY_TYPES if kind in sums
    ]  # fmt: skip


def hsn_rows(sums: Mapping[tuple[str, str, Decimal], HsnRow]) -> list[dict[str, Any]]:
    """One table of the HSN summary, numbered; a row whose supplies cancelled out is left out."""
    rows = []
    for (hsn, uqc, rate), row in sorted(sums.items()):
        quantity = round_to(row.grams, QUANTITY_PLACES) if uqc == UQC_GRAMS else ZERO
        if row.amounts.is_zero() and not quantity:
            continue  # a supply fully reversed within the period
        a = row.amounts
        rows.append({"num": len(rows) + 1, "hsn_sc": hsn, "desc": row.description, "uqc": uqc, "qty": quantity,
                     "rt": rate_number(rate), "txval": a.txval, "iamt": a.iamt, "camt": a.camt, "samt": a.samt,
                     "csamt": a.csamt})  # fmt: skip
    return rows


def doc_issue_rows(series: Iterable[SeriesCount]) -> list[dict[str, Any]]:
    """Table 13: each series with documents in the period, by nature of document."""
    by_nature: dict[int, list[SeriesCount]] = {}
    for count in series:
        if count.total:
            by_nature.setdefault(int(count.nature), []).append(count)
    return [
        {"doc_num": nature, "docs": [
            {"num": num, "from": c.first, "to": c.last, "totnum": c.total, "cancel": c.cancelled,
             "net_issue": c.total - c.cancelled}
            for num, c in enumerate(sorted(counts, key=lambda c: (c.series, len(c.first), c.first)), 1)
        ]}
        for nature, counts in sorted(by_nature.items())
    ]  # fmt: skip
