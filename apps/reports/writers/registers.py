"""The registers as CSV files: one export kind per register (`register_sales`, `register_hsn`, …).

A register covers any range of days, not only a tax period, so its export carries `from` and `to`
in its options (checked by the register's own filter form, the one the page and the API read), and
the export's period is only the month or quarter it is filed under.

What a spreadsheet opens: UTF-8 that starts with a byte-order mark (Excel on Windows reads a CSV
without one in the computer's ANSI code page, turning ₹ and names written in Indian scripts into
mojibake); dates as dd-mm-yyyy; rupees as plain numbers with two decimals and grams with three (no
grouping commas, no symbol, so a column sums); text that a spreadsheet would run as a formula
(=, +, -, @ first) written after an apostrophe, as the stock export does. Rows are the register's
rows in its order, amounts as stored (a credit note's negative); the last row(s) are its totals,
labelled in the first column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from apps.core.pages import CSV_BOM
from apps.gst.states import state_name
from apps.inventory.services.imports.csv_format import guard
from apps.invoicing.models import Invoice, Payment
from apps.reports.kinds import ExportContext, ExportKind, ExportResult, export_kind_register
from apps.reports.registers import REGISTERS, RegisterKind
from apps.reports.registers.payments import KIND_LABELS, payment_row
from apps.reports.registers.sales import DOCUMENT_AMOUNTS

if TYPE_CHECKING:
    from apps.gst.periods import ReturnPeriod
    from apps.tenants.models import Tenant

PROGRESS_EVERY = 500
CONTENT_TYPE = "text/csv; charset=utf-8"


def money(value: Decimal | None) -> str:
    """12345.50, -67700.00: as stored, never regrouped or re-rounded (a stored amount has 2 places)."""
    return "" if value is None else f"{value + 0:.2f}"  # + 0: no "-0.00" from a negated zero


def weight(value: Decimal | None) -> str:
    return "" if value is None else f"{value + 0:.3f}"


def day(value) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def text(value: str | None) -> str:
    return guard(value or "")


class _Lines:
    """Hands csv.writer's lines to the export's binary file as UTF-8, one row at a time."""

    def __init__(self, out: IO[bytes]):
        self.out = out

    def write(self, line: str) -> None:
        self.out.write(line.encode("utf-8"))


def _stream(
    ctx: ExportContext, *, header: list[str], rows: Iterable, cells: Callable[[Any], list[str]],
    total: int, footer: list[list[str]],
) -> ExportResult:  # fmt: skip
    lines = _Lines(ctx.out)
    lines.write(CSV_BOM)
    writer = csv.writer(lines)
    writer.writerow(header)
    done = 0
    ctx.progress(0, total)
    for row in rows:
        writer.writerow(cells(row))
        done += 1
        if done % PROGRESS_EVERY == 0:
            ctx.progress(done, total)
    writer.writerows(footer)
    ctx.progress(done, done)
    return ExportResult(document_count=done, counts={"rows": done})


def _register_read(register: RegisterKind, ctx: ExportContext):
    return register.selector(tenant=ctx.tenant, **_form(register, ctx.period, ctx.options).filters())


# --- the five registers -----------------------------------------------------------------------------

DOCUMENT_NAMES = dict(Invoice.Kind.choices)
STATUS_NAMES = dict(Invoice.Status.choices)


def sales_write(ctx: ExportContext) -> ExportResult:
    register = _register_read(REGISTERS["sales"], ctx)
    totals = register.totals
    return _stream(
        ctx,
        header=["Number", "Date", "Document", "Buyer", "Buyer GSTIN", "Place of supply", "Taxable value (₹)",
                "CGST (₹)", "SGST (₹)", "IGST (₹)", "Round-off (₹)", "Total (₹)", "Status"],
        rows=register.rows.iterator(chunk_size=2000),
        cells=lambda d: [
            text(d.number), day(d.issued_on), DOCUMENT_NAMES[d.doc_type], text(d.buyer_name), text(d.buyer_gstin),
            f"{d.place_of_supply}-{state_name(d.place_of_supply)}" if d.place_of_supply else "",
            *(money(getattr(d, f"s_{name}")) for name in DOCUMENT_AMOUNTS), STATUS_NAMES[d.status],
        ],
        total=totals["documents"],
        footer=[["Total", "", f"{totals['documents']} documents", "", "", "",
                 *(money(totals[name]) for name in DOCUMENT_AMOUNTS),
                 f"{totals['cancelled']} cancelled, not counted"]],
    )  # fmt: skip


HSN_AMOUNTS = ("taxable_value", "igst", "cgst", "sgst")  # GSTR-1 Table 12's order


def hsn_write(ctx: ExportContext) -> ExportResult:
    register = _register_read(REGISTERS["hsn"], ctx)

    def amounts(row: dict) -> list[str]:
        return [*(money(row[name]) for name in HSN_AMOUNTS), str(row["lines"])]

    totals = register.totals
    return _stream(
        ctx,
        header=["Section", "HSN", "UQC", "Quantity", "GST rate (%)", "Taxable value (₹)", "IGST (₹)", "CGST (₹)",
                "SGST (₹)", "Lines"],
        rows=register.rows,
        cells=lambda r: [r["section_code"].upper(), text(r["hsn_code"]), r["uqc"], weight(r["quantity"]),
                         money(r["gst_rate"]), *amounts(r)],
        total=len(register.rows),
        footer=[[label, "", "", weight(totals[key]["quantity"]), "", *amounts(totals[key])]
                for key, label in (("b2b", "Total B2B"), ("b2c", "Total B2C"), ("all", "Total"))],
    )  # fmt: skip


MODE_NAMES = dict(Payment.Mode.choices)


def payments_write(ctx: ExportContext) -> ExportResult:
    register = _register_read(REGISTERS["payments"], ctx)
    listed = register.totals["listed"]
    return _stream(
        ctx,
        header=["Date", "Kind", "Mode", "Document", "Customer", "Voucher", "Reference", "Amount (₹)"],
        rows=map(payment_row, register.rows.iterator(chunk_size=2000)),
        cells=lambda r: [day(r["day"]), KIND_LABELS[r["row_kind"]], MODE_NAMES.get(r["mode"], r["mode"]),
                         text(r["document"]), text(r["customer_name"]), text(r["voucher"]), text(r["reference"]),
                         money(r["amount"])],
        total=listed["count"],
        footer=[["Total", f"{listed['count']} entries", "", "", "", "", "", money(listed["amount"])]],
    )  # fmt: skip


def old_gold_write(ctx: ExportContext) -> ExportResult:
    register = _register_read(REGISTERS["old_gold"], ctx)
    t = register.totals
    return _stream(
        ctx,
        header=["Voucher", "Date", "Customer", "Description", "Gross weight (g)", "Deduction (g)", "Net weight (g)",
                "Purity (%)", "Fine weight (g)", "Rate per gram of fine gold (₹)", "Value (₹)"],
        rows=register.rows.iterator(chunk_size=2000),
        cells=lambda v: [text(v.number), day(v.received_on), text(v.customer.name), text(v.description),
                         weight(v.gross_weight), weight(v.deduction_weight), weight(v.net_weight),
                         money(v.purity_percent), weight(v.fine_weight), money(v.rate_per_gram), money(v.value)],
        total=t["vouchers"],
        footer=[["Total", "", f"{t['vouchers']} vouchers", "", weight(t["gross_weight"]), weight(t["deduction_weight"]),
                 weight(t["net_weight"]), "", weight(t["fine_weight"]), "", money(t["value"])]],
    )  # fmt: skip


STOCK_PHASES = (("opening", "Opening"), ("added", "Added"), ("sold", "Sold"), ("returned", "Returned"),
                ("closing", "Closing"))  # fmt: skip


def stock_write(ctx: ExportContext) -> ExportResult:
    register = _register_read(REGISTERS["stock"], ctx)

    def measures(row: dict) -> list[str]:
        return [
            cell
            for phase, _ in STOCK_PHASES
            for cell in (
                str(row[f"{phase}_count"]),
                weight(row[f"{phase}_net"]),
                weight(row[f"{phase}_gross"]),
            )
        ]

    header = ["Metal", "Purity"]
    for _, label in STOCK_PHASES:
        header += [f"{label} pieces", f"{label} net (g)", f"{label} gross (g)"]
    return _stream(
        ctx,
        header=header,
        rows=register.rows,
        cells=lambda r: [r["metal"].capitalize(), r["purity"], *measures(r)],
        total=len(register.rows),
        footer=[[f"Total {m['metal']}", "", *measures(m)] for m in register.totals["metals"]],
    )


WRITERS = {
    "sales": sales_write,
    "hsn": hsn_write,
    "payments": payments_write,
    "old_gold": old_gold_write,
    "stock": stock_write,
}


# --- options ------------------------------------------------------------------------------------------


def _form_data(period: ReturnPeriod, options: dict[str, Any]) -> dict[str, Any]:
    """The form's data: the options' range, or the whole period when they name none."""
    data = {key: value for key, value in options.items() if value not in (None, "")}
    data.setdefault("from", period.start.isoformat())
    data.setdefault("to", period.end.isoformat())
    return data


def _form(register: RegisterKind, period: ReturnPeriod, options: dict[str, Any]):
    """The register's filter form over the options; a range or a filter it refuses is a ValidationError
    keyed by the option."""
    form = register.form(_form_data(period, options))
    if not form.is_valid():
        raise ValidationError(
            {name: [m for e in errors for m in e.messages] for name, errors in form.errors.as_data().items()}
        )
    return form


def _options_clean(
    register: RegisterKind,
) -> Callable[[Tenant, ReturnPeriod, dict[str, Any]], dict[str, Any]]:
    def clean(tenant: Tenant, period: ReturnPeriod, options: dict[str, Any]) -> dict[str, Any]:
        """The range and the register's filters, as its form reads them; names it does not take are dropped."""
        return _form(register, period, options).options()

    return clean


KINDS = {
    code: export_kind_register(
        ExportKind(
            code=register.kind_code,
            label=f"{register.title} (CSV)",
            extension="csv",
            content_type=CONTENT_TYPE,
            write=WRITERS[code],
            options_clean=_options_clean(register),
        )
    )
    for code, register in REGISTERS.items()
}
