"""GSTR-1 from issued documents: classified by section, streamed as the portal's JSON.

The builder takes document records (`DocumentRecord`, each with its lines) from a source and knows
nothing of the database. Each document lands in one section:

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

Amounts are the ones settled at issue and stored: the builder only adds them, never rounds them, so
the sections and the HSN summary agree to the paisa (checked at the end). Notes are written unsigned,
the sign in `ntty` (C or D). Dates are dd-mm-yyyy, amounts JSON numbers written from their decimals.

Streaming: the per-document sections are written entry by entry as the source yields documents, the
source ordering them by section, then buyer GSTIN (or place of supply), date and number, so that each
group is contiguous; only the aggregated sections (b2cs, nil, hsn, doc_issue) are held, as small dicts
keyed by their grouping. Memory stays flat however many documents a period holds. Each entry is checked
against its section's definition in the JSON Schema as it streams, and the rest at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import IO, Any, NamedTuple

from apps.core.money import round_to
from apps.gst.jsontext import dumps
from apps.gst.periods import ReturnPeriod
from apps.gst.returns.records import (
    CREDIT_NOTE,
    DEBIT_NOTE,
    INVOICE,
    ISSUED,
    ZERO,
    Amounts,
    DocumentRecord,
    Gstr1Source,
    LineRecord,
    SeriesCount,
)
from apps.gst.returns.schema import gstr1_check, gstr1_parse

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
# Optional in the portal's API; the offline tool reads them.
OFFLINE_TOOL_VERSION = "GST3.2.4"


B2B, B2CL, B2CS, CDNR, CDNUR, NIL, HSN, DOC_ISSUE = "b2b", "b2cl", "b2cs", "cdnr", "cdnur", "nil", "hsn", "doc_issue"  # fmt: skip
FURNISHED = "furnished"  # B2B documents already furnished in the IFF: in no section, but in the HSN summary
PER_DOCUMENT_SECTIONS = (B2B, B2CL, CDNR, CDNUR)
TAXABLE_SECTIONS = (B2B, B2CL, B2CS, CDNR, CDNUR, FURNISHED)
# (section) -> (group key, list key) of a grouped per-document section
GROUPED = {B2B: ("ctin", "inv"), B2CL: ("pos", "inv"), CDNR: ("ctin", "nt")}
ENTRY_DEFINITIONS = {
    B2B: "/$defs/b2b_invoice",
    B2CL: "/$defs/b2cl_invoice",
    CDNR: "/$defs/cdnr_note",
    CDNUR: "/$defs/cdnur_note",
}
GROUP_DEFINITIONS = {B2B: "/$defs/gstin", B2CL: "/$defs/pos", CDNR: "/$defs/gstin"}
NIL_SUPPLY_TYPES = ("INTRB2B", "INTRAB2B", "INTRB2C", "INTRAB2C")
PROGRESS_EVERY = 500


class SourceOrderError(ValueError):
    """The source broke the order the writer streams in (a section or group came back after it closed)."""


class TotalsMismatch(RuntimeError):
    """The sections and the HSN summary do not add up to the same amounts: never offer such a return."""


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


@dataclass
class Gstr1Summary:
    """What a build counted and added up: per section (signed: credit notes negative), for the export's
    record, the GSTR-3B summary and the check that sections and HSN summary agree."""

    period: ReturnPeriod
    gstin: str
    document_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, Amounts] = field(default_factory=dict)
    nil: Decimal = ZERO
    unregistered_inter_state: dict[str, Amounts] = field(default_factory=dict)  # by place of supply

    def total(self, *sections: str) -> Amounts:
        out = Amounts()
        for section in sections:
            out.add(self.totals.get(section, Amounts()))
        return out

    @property
    def outward_taxable(self) -> Amounts:
        """Every taxable supply of the period, furnished in the IFF or not (GSTR-3B Table 3.1(a))."""
        return self.total(*TAXABLE_SECTIONS)


def _date(day: date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def rate_number(rate: Decimal) -> Decimal:
    """3.00 → 3, 0.25 → 0.25: rates as the portal writes them (a representation, not a rounding)."""
    return Decimal(format(rate.normalize(), "f"))


@dataclass(slots=True)
class _HsnRow:
    description: str
    grams: Decimal = Decimal("0.000")
    amounts: Amounts = field(default_factory=Amounts)


class Gstr1Builder:
    """Classifies and adds up one period's documents. `feed` each document in streaming order (or `run`
    a source), then `finish` for the aggregated sections; `summary` holds the counts and totals."""

    def __init__(
        self, *, gstin: str, period: ReturnPeriod, furnished_months: Iterable[date] = (),
        hsn_descriptions: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.period = period
        self._first_day, self._last_day = period.start, period.end
        self.furnished = frozenset((day.year, day.month) for day in furnished_months)
        self.split_hsn = period.start >= HSN_SPLIT_FROM
        self.hsn_descriptions = dict(hsn_descriptions or {})
        self.summary = Gstr1Summary(period=period, gstin=gstin)
        self._b2cs: dict[tuple[str, Decimal, str], Amounts] = {}
        self._nil: dict[str, Decimal] = {}
        self._hsn: dict[str, dict[tuple[str, str, Decimal], _HsnRow]] = {}

    # --- one document ---------------------------------------------------------------------------

    def feed(self, doc: DocumentRecord) -> Entry | None:
        """Account for one document; its entry when it goes into a per-document section."""
        if not self._first_day <= doc.date <= self._last_day:
            raise ValueError(f"{doc.number} of {doc.date:%d %b %Y} is not in {self.period}.")
        if doc.status != ISSUED:  # a cancelled document is reported in Table 13 only
            return None
        if doc.kind not in (INVOICE, CREDIT_NOTE, DEBIT_NOTE):
            raise ValueError(f"{doc.number} is a {doc.kind}, not a GST invoice or note.")
        self.summary.document_count += 1
        sign = -1 if doc.kind == CREDIT_NOTE else 1
        by_rate: dict[Decimal, Amounts] = {}
        for line in doc.lines:
            self._hsn_add(doc, line, sign)
            if not line.rate:  # nil-rated: Table 8, not the document sections
                key = ("INTR" if doc.inter_state else "INTRA") + ("B2B" if doc.registered else "B2C")
                self._nil[key] = self._nil.get(key, ZERO) + sign * line.taxable
                self.summary.nil += sign * line.taxable
                continue
            by_rate.setdefault(line.rate, Amounts()).add(Amounts.of_line(line))
        if not by_rate:
            return None
        section = self._section(doc)
        if section == B2CS:
            supply = "INTER" if doc.inter_state else "INTRA"
            for rate, amounts in by_rate.items():
                self._b2cs.setdefault((doc.pos, rate, supply), Amounts()).add(amounts, sign)
        for amounts in by_rate.values():
            self.summary.totals.setdefault(section, Amounts()).add(amounts, sign)
            if not doc.registered and doc.inter_state:
                self.summary.unregistered_inter_state.setdefault(doc.pos, Amounts()).add(amounts, sign)
        if section in (B2CS, FURNISHED):
            if section == FURNISHED:
                self._count(FURNISHED)
            return None
        self._count(section)
        entry = Entry(section, self._group(section, doc), self._payload(section, doc, by_rate), doc)
        gstr1_check(entry.payload, ENTRY_DEFINITIONS[section], where=f"{section} {doc.number}")
        return entry

    def _section(self, doc: DocumentRecord) -> str:
        if doc.registered:
            if (doc.date.year, doc.date.month) in self.furnished:
                return FURNISHED
            return CDNR if doc.is_note else B2B
        if doc.is_note:  # B2CL-type when its invoice was, judged by the limit of the invoice's date
            value = max(abs(doc.value), abs(doc.original_value or ZERO))
            day = doc.original_date or doc.date
            return CDNUR if is_b2c_large(value=value, day=day, inter_state=doc.inter_state) else B2CS
        return B2CL if is_b2c_large(value=doc.value, day=doc.date, inter_state=doc.inter_state) else B2CS

    @staticmethod
    def _group(section: str, doc: DocumentRecord) -> str:
        return {B2B: doc.buyer_gstin, CDNR: doc.buyer_gstin, B2CL: doc.pos}.get(section, "")

    def _count(self, section: str) -> None:
        self.summary.counts[section] = self.summary.counts.get(section, 0) + 1

    @staticmethod
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

    def _payload(self, section: str, doc: DocumentRecord, by_rate: dict[Decimal, Amounts]) -> dict[str, Any]:
        if section == B2B:
            return {"inum": doc.number, "idt": _date(doc.date), "val": doc.value, "pos": doc.pos, "rchrg": "N",
                    "inv_typ": "R", "itms": self._items(doc, by_rate, all_heads=True)}  # fmt: skip
        if section == B2CL:
            return {"inum": doc.number, "idt": _date(doc.date), "val": doc.value,
                    "itms": self._items(doc, by_rate, all_heads=False)}  # fmt: skip
        note_type = "C" if doc.kind == CREDIT_NOTE else "D"
        if section == CDNR:
            return {"ntty": note_type, "nt_num": doc.number, "nt_dt": _date(doc.date), "val": abs(doc.value),
                    "pos": doc.pos, "rchrg": "N", "inv_typ": "R", "itms": self._items(doc, by_rate, all_heads=True)}  # fmt: skip
        return {"typ": "B2CL", "ntty": note_type, "nt_num": doc.number, "nt_dt": _date(doc.date),
                "val": abs(doc.value), "pos": doc.pos, "itms": self._items(doc, by_rate, all_heads=False)}  # fmt: skip

    def _hsn_add(self, doc: DocumentRecord, line: LineRecord, sign: int) -> None:
        table = "data" if not self.split_hsn else "hsn_b2b" if doc.registered else "hsn_b2c"
        uqc = UQC_SERVICES if line.is_service else UQC_GRAMS
        key = (line.hsn, uqc, line.rate)
        rows = self._hsn.setdefault(table, {})
        row = rows.get(key)
        if row is None:
            text = self.hsn_descriptions.get(line.hsn) or line.description
            row = rows[key] = _HsnRow(text.strip()[:HSN_DESCRIPTION_LIMIT].rstrip())
        if not line.is_service and line.grams:
            row.grams += sign * line.grams
        row.amounts.add(Amounts.of_line(line), sign)

    # --- a whole source -------------------------------------------------------------------------

    def run(
        self, source: Gstr1Source, progress: Callable[[int, int | None], None] | None = None
    ) -> Iterator[Entry]:
        """The entries of the source's documents, as they stream; progress every few hundred documents."""
        done = 0
        for doc in source.documents:
            entry = self.feed(doc)
            done += 1
            if entry is not None:
                yield entry
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, source.total)
        if progress is not None:
            progress(done, source.total)

    # --- the aggregated sections ----------------------------------------------------------------

    def finish(self, series: Iterable[SeriesCount] = ()) -> dict[str, Any]:
        """b2cs, nil, hsn and doc_issue, each checked against the schema, once every document is fed;
        refuses (TotalsMismatch) if the sections and the HSN summary disagree by a paisa."""
        out: dict[str, Any] = {}
        b2cs = [
            {"sply_ty": supply, "pos": pos, "typ": "OE", "rt": rate_number(rate), "txval": a.txval, "iamt": a.iamt,
             "camt": a.camt, "samt": a.samt, "csamt": a.csamt}
            for (pos, rate, supply), a in sorted(self._b2cs.items()) if not a.is_zero()
        ]  # fmt: skip
        if b2cs:
            out[B2CS] = b2cs
        nil = [
            {"sply_ty": kind, "nil_amt": self._nil[kind], "expt_amt": ZERO, "ngsup_amt": ZERO}
            for kind in NIL_SUPPLY_TYPES if kind in self._nil
        ]  # fmt: skip
        if nil:
            out[NIL] = {"inv": nil}
        tables = ("hsn_b2b", "hsn_b2c") if self.split_hsn else ("data",)
        out[HSN] = {table: self._hsn_rows(table) for table in tables}
        out[DOC_ISSUE] = {"doc_det": self._doc_issue(series)}
        self.summary.counts.update(
            {B2CS: len(b2cs), NIL: len(nil), HSN: sum(len(rows) for rows in out[HSN].values()),
             DOC_ISSUE: sum(len(d["docs"]) for d in out[DOC_ISSUE]["doc_det"])}
        )  # fmt: skip
        self._totals_check(out[HSN])
        for key, value in out.items():
            gstr1_check(value, f"/properties/{key}", where=key)
        return out

    def _hsn_rows(self, table: str) -> list[dict[str, Any]]:
        rows = []
        for (hsn, uqc, rate), row in sorted(self._hsn.get(table, {}).items()):
            quantity = round_to(row.grams, QUANTITY_PLACES) if uqc == UQC_GRAMS else ZERO
            if row.amounts.is_zero() and not quantity:
                continue  # a supply fully reversed within the period
            a = row.amounts
            rows.append({"num": len(rows) + 1, "hsn_sc": hsn, "desc": row.description, "uqc": uqc, "qty": quantity,
                         "rt": rate_number(rate), "txval": a.txval, "iamt": a.iamt, "camt": a.camt, "samt": a.samt,
                         "csamt": a.csamt})  # fmt: skip
        return rows

    def _doc_issue(self, series: Iterable[SeriesCount]) -> list[dict[str, Any]]:
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

    def _totals_check(self, hsn: dict[str, list[dict]]) -> None:
        in_hsn = Amounts()
        for rows in hsn.values():
            for row in rows:
                in_hsn.add(Amounts(row["txval"], row["iamt"], row["camt"], row["samt"], row["csamt"]))
        in_sections = self.summary.outward_taxable
        in_sections.txval += self.summary.nil
        self.summary.totals[HSN] = in_hsn
        if in_hsn != in_sections:
            raise TotalsMismatch(f"The HSN summary adds up to {in_hsn}, the sections to {in_sections}.")


# --- the JSON file ------------------------------------------------------------------------------


class _JsonWriter:
    """Writes the return object member by member, a per-document section entry by entry."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.section: str | None = None
        self.group: str | None = None
        self.closed: set[str] = set()
        self.groups_seen: set[str] = set()
        self.first_in_list = True

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def begin(self, envelope: dict[str, Any]) -> None:
        self.write(dumps(envelope)[:-1])  # the object stays open for the sections

    def member(self, key: str, value: Any) -> None:
        self.write(f",{dumps(key)}:{dumps(value)}")

    def entry(self, entry: Entry) -> None:
        if entry.section != self.section:
            self.close_section()
            if entry.section in self.closed:
                raise SourceOrderError(
                    f"{entry.document.number}: section {entry.section} came back after it closed."
                )
            self.write(f",{dumps(entry.section)}:[")
            self.section, self.group, self.groups_seen, self.first_in_list = entry.section, None, set(), True
        if entry.section in GROUPED and entry.group != self.group:
            if entry.group in self.groups_seen:
                raise SourceOrderError(
                    f"{entry.document.number}: {entry.group} came back in {entry.section}."
                )
            gstr1_check(
                entry.group,
                GROUP_DEFINITIONS[entry.section],
                where=f"{entry.section} {entry.document.number}",
            )
            key, items = GROUPED[entry.section]
            self.write(
                ("]}," if self.group is not None else "") + f'{{"{key}":{dumps(entry.group)},"{items}":['
            )
            self.group = entry.group
            self.groups_seen.add(entry.group)
            self.first_in_list = True
        self.write(("" if self.first_in_list else ",") + dumps(entry.payload))
        self.first_in_list = False

    def close_section(self) -> None:
        if self.section is None:
            return
        self.write("]}]" if self.section in GROUPED else "]")
        self.closed.add(self.section)
        self.section = None

    def end(self) -> None:
        self.write("}")


def gstr1_json_write(
    source: Gstr1Source, out: IO[bytes], *, period: ReturnPeriod, gstin: str,
    progress: Callable[[int, int | None], None] | None = None,
) -> Gstr1Summary:  # fmt: skip
    """Write the period's GSTR-1 JSON to `out` as the source streams; every part is checked against the
    schema before it is written, so a file that fails stops half-written and is never offered."""
    builder = Gstr1Builder(
        gstin=gstin, period=period, furnished_months=source.furnished_months,
        hsn_descriptions=source.hsn_descriptions,
    )  # fmt: skip
    envelope = {"gstin": gstin, "fp": period.fp, "version": OFFLINE_TOOL_VERSION, "hash": "hash"}
    gstr1_check(envelope)
    writer = _JsonWriter(out)
    writer.begin(envelope)
    for entry in builder.run(source, progress):
        writer.entry(entry)
    writer.close_section()
    for key, value in builder.finish(source.series).items():
        writer.member(key, value)
    writer.end()
    return builder.summary


def gstr1_build(
    documents: Iterable[DocumentRecord], *, period: ReturnPeriod, gstin: str, series: Iterable[SeriesCount] = (),
    furnished_months: Iterable[date] = (), hsn_descriptions: Mapping[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The return as a dict (amounts as decimals), through the same writer: for small periods and tests."""
    buffer = BytesIO()
    gstr1_json_write(
        Gstr1Source(documents=documents, series=series, furnished_months=furnished_months,
                    hsn_descriptions=hsn_descriptions or {}),
        buffer, period=period, gstin=gstin,
    )  # fmt: skip
    return gstr1_parse(buffer.getvalue())
