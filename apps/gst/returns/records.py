"""What a GST return is built from: document records, as a source reads them from the books.

A record carries what was settled at issue and stored (amounts, the buyer's GSTIN, the place of
supply), never anything to compute again: the returns only add these figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum

ZERO = Decimal("0.00")
SERVICE_HSN_PREFIX = "99"  # SAC codes: services, which have no quantity
INVOICE, CREDIT_NOTE, DEBIT_NOTE = "invoice", "credit_note", "debit_note"
ISSUED, CANCELLED = "issued", "cancelled"


class DocumentNature(IntEnum):
    """Table 13's natures of document (`doc_num`) that a shop issues."""

    INVOICES = 1
    DEBIT_NOTES = 4
    CREDIT_NOTES = 5
    RECEIPT_VOUCHERS = 6

    @property
    def label(self) -> str:
        return {1: "Invoices for outward supply", 4: "Debit Note", 5: "Credit Note", 6: "Receipt voucher"}[
            self
        ]


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One line as issued: its HSN, rate and settled amounts; `grams` is the net weight of goods."""

    hsn: str
    description: str
    rate: Decimal
    taxable: Decimal
    igst: Decimal = ZERO
    cgst: Decimal = ZERO
    sgst: Decimal = ZERO
    cess: Decimal = ZERO
    grams: Decimal | None = None

    @property
    def is_service(self) -> bool:
        return self.hsn.startswith(SERVICE_HSN_PREFIX)


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """An issued invoice or note as it was issued: seller's state, place of supply, buyer, value.

    The buyer's GST category is their GSTIN as copied in at issue: a registered customer is one with a
    GSTIN (the customer record enforces it), so the category is the one the document was issued under.
    """

    kind: str  # invoice, credit_note or debit_note
    number: str
    date: date
    seller_state: str
    pos: str
    buyer_gstin: str
    value: Decimal  # the grand total issued
    lines: tuple[LineRecord, ...]
    buyer_name: str = ""
    original_value: Decimal | None = None  # a note: the grand total of the invoice it corrects
    original_date: date | None = None  # a note: the date of that invoice
    status: str = ISSUED

    @property
    def registered(self) -> bool:
        return bool(self.buyer_gstin)

    @property
    def inter_state(self) -> bool:
        return self.pos != self.seller_state

    @property
    def is_note(self) -> bool:
        return self.kind != INVOICE


@dataclass(frozen=True, slots=True)
class SeriesCount:
    """One series' documents of the period, for Table 13: its first and last number, how many, how
    many cancelled (a cancelled document keeps its number and is reported here only)."""

    nature: int
    first: str
    last: str
    total: int
    cancelled: int = 0
    series: str = ""


@dataclass
class Gstr1Source:
    """What a period's return is built from: its documents in streaming order, its series' counts, the
    months already furnished in the IFF (first days), and the HSN codes' descriptions."""

    documents: Iterable[DocumentRecord]
    series: Iterable[SeriesCount] = ()
    furnished_months: Iterable[date] = ()
    hsn_descriptions: Mapping[str, str] = field(default_factory=dict)
    total: int | None = None  # documents in all, when the source knows it (for progress)


@dataclass(slots=True)
class Amounts:
    """Taxable value and tax by head, as the portal names them."""

    txval: Decimal = ZERO
    iamt: Decimal = ZERO
    camt: Decimal = ZERO
    samt: Decimal = ZERO
    csamt: Decimal = ZERO

    @classmethod
    def of_line(cls, line: LineRecord) -> Amounts:
        return cls(line.taxable, line.igst, line.cgst, line.sgst, line.cess)

    def add(self, other: Amounts, sign: int = 1) -> None:
        if sign < 0:
            self.txval -= other.txval
            self.iamt -= other.iamt
            self.camt -= other.camt
            self.samt -= other.samt
            self.csamt -= other.csamt
        else:
            self.txval += other.txval
            self.iamt += other.iamt
            self.camt += other.camt
            self.samt += other.samt
            self.csamt += other.csamt

    @property
    def tax(self) -> Decimal:
        return self.iamt + self.camt + self.samt + self.csamt

    def is_zero(self) -> bool:
        return not (self.txval or self.iamt or self.camt or self.samt or self.csamt)
