"""The registers a shop keeps beside its GST returns: sales, HSN summary, payments by mode, old gold
bought, and stock movement. Each is a tenant-scoped selector returning rows and totals for a range of
days, computed in the database; the pages, the API and the CSV exports all read them from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.reports.registers.base import Register
from apps.reports.registers.filters import (
    MAX_DAYS,
    DateRange,
    HsnSummaryForm,
    OldGoldRegisterForm,
    PaymentsRegisterForm,
    RegisterFilterForm,
    SalesRegisterForm,
    StockMovementForm,
)
from apps.reports.registers.payments import old_gold_register, payment_row, payments_register
from apps.reports.registers.sales import hsn_summary, sales_register
from apps.reports.registers.stock import stock_movement


@dataclass(frozen=True)
class RegisterKind:
    """One register: how its page, its API endpoint and its CSV export name it, and what reads it."""

    code: str  # sales, hsn, payments, old_gold, stock: the export kind is register_<code>
    slug: str  # its page: /reports/registers/<slug>/
    api_path: str  # its endpoint: /api/v1/registers/<api_path>
    title: str
    blurb: str  # one line on the index
    form: type[RegisterFilterForm]
    selector: Callable[..., Register]
    paginated: bool  # a list that can run long (paged on the page and in the API)
    noun: str  # what a row is, plural with an s: "12 documents"

    @property
    def kind_code(self) -> str:
        return f"register_{self.code}"

    @property
    def url_name(self) -> str:
        return f"reports:register_{self.code}"


REGISTERS: dict[str, RegisterKind] = {
    r.code: r
    for r in [
        RegisterKind(
            "sales", "sales", "sales", "Sales register",
            "Every invoice, credit note and debit note issued or cancelled, with its tax; credit notes count "
            "against the totals.",
            SalesRegisterForm, sales_register, paginated=True, noun="document",
        ),
        RegisterKind(
            "hsn", "hsn", "hsn-summary", "HSN summary",
            "What was sold by HSN code and GST rate, in grams and rupees, for registered (B2B) and "
            "unregistered (B2C) buyers: GSTR-1 Table 12.",
            HsnSummaryForm, hsn_summary, paginated=False, noun="HSN row",
        ),
        RegisterKind(
            "payments", "payments", "payments", "Payments by mode",
            "Money, old gold and advances taken against bills, by mode, and advances received on receipt "
            "vouchers before a bill.",
            PaymentsRegisterForm, payments_register, paginated=True, noun="receipt",
        ),
        RegisterKind(
            "old_gold", "old-gold", "old-gold", "Old-gold purchases",
            "Old gold bought from customers on purchase vouchers: weights, tested purity, fine weight, rate "
            "and value.",
            OldGoldRegisterForm, old_gold_register, paginated=True, noun="voucher",
        ),
        RegisterKind(
            "stock", "stock", "stock-movement", "Stock movement",
            "Articles in hand at the start, added, sold, returned and in hand at the end, by purity, in "
            "pieces and grams.",
            StockMovementForm, stock_movement, paginated=False, noun="purity grade",
        ),
    ]
}  # fmt: skip

__all__ = [
    "MAX_DAYS",
    "REGISTERS",
    "DateRange",
    "Register",
    "RegisterKind",
    "hsn_summary",
    "old_gold_register",
    "payment_row",
    "payments_register",
    "sales_register",
    "stock_movement",
]
