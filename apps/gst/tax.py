"""GST on a document: each line's tax is settled once, at 2 places, and the document only adds lines.

That is how the GST portal and India Compliance keep the invoice, its returns (GSTR-1 by section and
by HSN) and the books in agreement whichever way lines are grouped: nothing downstream re-rounds.
Within the shop's state (place of supply = the shop's state) a line pays CGST and SGST of half the
rate each, computed once and used twice, so the two always match; across states, IGST at the whole
rate. The document may round its grand total to the rupee with a round-off line (at most 50 paise
either way; e-invoices allow up to ±₹99.99); CGST s.170's rupee rounding applies to the return and
the payment, not to the invoice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from apps.core.money import round_to, rupees

ZERO = Decimal("0.00")
WHOLE_RUPEE = Decimal("1")
ROUND_OFF_LIMIT = Decimal("99.99")  # e-invoice RndOffAmt bound


@dataclass(frozen=True)
class LineTax:
    """One line's taxable value and its tax, each at 2 places."""

    taxable: Decimal
    rate: Decimal  # percent, e.g. 3 for jewellery
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


@dataclass(frozen=True)
class DocumentTotals:
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    round_off: Decimal
    grand_total: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


def is_inter_state(*, supplier_state: str, place_of_supply: str) -> bool:
    """IGST Act s.7/8: supplier and place of supply in different states (two-digit GST state codes)."""
    return supplier_state != place_of_supply


def line_tax(*, taxable: Decimal, rate: Decimal, inter_state: bool) -> LineTax:
    taxable = rupees(taxable)
    if inter_state:
        return LineTax(taxable=taxable, rate=rate, cgst=ZERO, sgst=ZERO, igst=rupees(taxable * rate / 100))
    half = rupees(taxable * rate / 200)
    return LineTax(taxable=taxable, rate=rate, cgst=half, sgst=half, igst=ZERO)


def document_totals(lines: Iterable[LineTax], *, round_to_rupee: bool = True) -> DocumentTotals:
    """The sums of settled lines, and the round-off that brings the grand total to a whole rupee."""
    lines = list(lines)
    taxable = sum((line.taxable for line in lines), ZERO)
    cgst = sum((line.cgst for line in lines), ZERO)
    sgst = sum((line.sgst for line in lines), ZERO)
    igst = sum((line.igst for line in lines), ZERO)
    exact = taxable + cgst + sgst + igst
    grand_total = rupees(round_to(exact, WHOLE_RUPEE)) if round_to_rupee else exact
    return DocumentTotals(
        taxable=taxable,
        cgst=cgst,
        sgst=sgst,
        igst=igst,
        round_off=grand_total - exact,
        grand_total=grand_total,
    )
