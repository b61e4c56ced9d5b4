"""GSTR-1 from issued documents: each one classified into its section (`gstr1_sections`) and added up
as the source streams them, for a writer to stream in turn (the portal's JSON, `gstr1_json`; the offline
tool's sheets, `gstr1_sheets`).

The builder takes document records (`DocumentRecord`, each with its lines) from a source and knows
nothing of the database. Amounts are the ones settled at issue and stored: the builder only adds them,
never rounds them, so the sections and the HSN summary agree to the paisa (checked at the end).

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
from typing import Any

from apps.gst.periods import ReturnPeriod
from apps.gst.returns.gstr1_sections import (
    B2CS,
    DOC_ISSUE,
    ENTRY_DEFINITIONS,
    FURNISHED,
    HSN,
    HSN_DESCRIPTION_LIMIT,
    HSN_SPLIT_FROM,
    NIL,
    TAXABLE_SECTIONS,
    UQC_GRAMS,
    UQC_SERVICES,
    Entry,
    HsnRow,
    b2cs_rows,
    doc_issue_rows,
    entry_group,
    entry_payload,
    hsn_rows,
    nil_rows,
    section_of,
)
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
from apps.gst.returns.schema import gstr1_check

PROGRESS_EVERY = 500


class SourceOrderError(ValueError):
    """The source broke the order the writer streams in (a section or group came back after it closed)."""


class TotalsMismatch(RuntimeError):
    """The sections and the HSN summary do not add up to the same amounts: never offer such a return."""


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
        self._hsn: dict[str, dict[tuple[str, str, Decimal], HsnRow]] = {}

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
        section = section_of(doc, furnished=self.furnished)
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
        entry = Entry(section, entry_group(section, doc), entry_payload(section, doc, by_rate), doc)
        gstr1_check(entry.payload, ENTRY_DEFINITIONS[section], where=f"{section} {doc.number}")
        return entry

    def _count(self, section: str) -> None:
        self.summary.counts[section] = self.summary.counts.get(section, 0) + 1

    def _hsn_add(self, doc: DocumentRecord, line: LineRecord, sign: int) -> None:
        table = "data" if not self.split_hsn else "hsn_b2b" if doc.registered else "hsn_b2c"
        uqc = UQC_SERVICES if line.is_service else UQC_GRAMS
        key = (line.hsn, uqc, line.rate)
        rows = self._hsn.setdefault(table, {})
        row = rows.get(key)
        if row is None:
            text = self.hsn_descriptions.get(line.hsn) or line.description
            row = rows[key] = HsnRow(text.strip()[:HSN_DESCRIPTION_LIMIT].rstrip())
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
        b2cs = b2cs_rows(self._b2cs)
        if b2cs:
            out[B2CS] = b2cs
        nil = nil_rows(self._nil)
        if nil:
            out[NIL] = {"inv": nil}
        tables = ("hsn_b2b", "hsn_b2c") if self.split_hsn else ("data",)
        out[HSN] = {table: hsn_rows(self._hsn.get(table, {})) for table in tables}
        out[DOC_ISSUE] = {"doc_det": doc_issue_rows(series)}
        self.summary.counts.update(
            {B2CS: len(b2cs), NIL: len(nil), HSN: sum(len(rows) for rows in out[HSN].values()),
             DOC_ISSUE: sum(len(d["docs"]) for d in out[DOC_ISSUE]["doc_det"])}
        )  # fmt: skip
        self._totals_check(out[HSN])
        for key, value in out.items():
            gstr1_check(value, f"/properties/{key}", where=key)
        return out

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
