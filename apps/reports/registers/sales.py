"""The sales register and the HSN summary: every GST document of a range, and its lines by HSN and rate.

Both read only what was settled and stored at issue (a document's and its lines' taxable value and
tax); they sum, never recompute or re-round, so their totals agree with each other and with GSTR-1.
A credit note lowers the totals (its amounts are counted negative); a cancelled document is listed
in the sales register, for the record, but counted in no total. Drafts have no number and no date:
they are in neither.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Coalesce

from apps.invoicing.models import Invoice, InvoiceLine
from apps.reports.registers.base import (
    GRAMS,
    NO_GRAMS,
    RUPEES,
    ZERO,
    Register,
    grams_sum,
    rupees_sum,
    settled,
)

if TYPE_CHECKING:
    from apps.gst.periods import DateRange
    from apps.tenants.models import Tenant

AMOUNTS = ("taxable_value", "cgst", "sgst", "igst")
DOCUMENT_AMOUNTS = (*AMOUNTS, "round_off", "grand_total")
# Services (SAC 99…) are reported without a quantity; goods by net weight in grams (GSTR-1 UQC "GMS").
SERVICE_PREFIX = "99"


def _signed(field: str, *, credit: Q, output=RUPEES) -> Case:
    """The stored amount, negative on a credit note (0 - x: no "-0" from a zero on SQLite's floats)."""
    return Case(When(credit, then=Value(Decimal("0")) - F(field)), default=F(field), output_field=output)


def sales_register(
    *, tenant: Tenant, dates: DateRange, kind: str = "", buyer: str = "", status: str = "", q: str = ""
) -> Register:
    """Invoices, credit notes and debit notes issued in the range (cancelled ones too), oldest first.

    Each row carries its amounts signed (`s_taxable_value`, … `s_grand_total`: negative on a credit
    note) and `counted` (issued, so in the totals). `buyer` is registered (the document names the
    buyer's GSTIN, as copied at issue) or unregistered; `q` matches the number or the buyer's name.
    Totals: `documents` and `cancelled` counts, each amount summed over the issued documents, and `tax`.
    """
    credit = Q(doc_type=Invoice.Kind.CREDIT_NOTE)
    qs = Invoice.objects.for_tenant(tenant).filter(
        status__in=[Invoice.Status.ISSUED, Invoice.Status.CANCELLED],
        issued_on__gte=dates.start,
        issued_on__lte=dates.end,
    )
    if kind:
        qs = qs.filter(doc_type=kind)
    if buyer == "registered":
        qs = qs.exclude(buyer_gstin="")
    elif buyer == "unregistered":
        qs = qs.filter(buyer_gstin="")
    if status:
        qs = qs.filter(status=status)
    term = " ".join(q.split())
    if term:
        qs = qs.filter(Q(number__icontains=term) | Q(buyer_name__icontains=term))
    issued = Q(status=Invoice.Status.ISSUED)
    totals = qs.aggregate(
        documents=Count("id"),
        cancelled=Count("id", filter=Q(status=Invoice.Status.CANCELLED)),
        **{name: rupees_sum(_signed(name, credit=credit), filter=issued) for name in DOCUMENT_AMOUNTS},
    )
    rows = (
        qs.only(
            "id", "doc_type", "status", "number", "issued_on", "buyer_name", "buyer_gstin", "place_of_supply",
            *DOCUMENT_AMOUNTS,
        )
        .annotate(**{f"s_{name}": _signed(name, credit=credit) for name in DOCUMENT_AMOUNTS})
        .order_by("issued_on", "doc_type", "number", "id")
    )  # fmt: skip
    totals = settled(totals)
    totals["tax"] = totals["cgst"] + totals["sgst"] + totals["igst"]
    return Register(rows=rows, totals=totals)


def hsn_summary(*, tenant: Tenant, dates: DateRange, section: str = "") -> Register:
    """The lines of the documents issued in the range, summed by section, HSN and rate (GSTR-1 Table 12).

    `section` is b2b (the document names the buyer's GSTIN) or b2c. Credit notes are netted in
    (negative); cancelled documents are left out. `quantity` is the net weight in grams of goods, and
    nothing for services (SAC 99…). Totals, per section and in all, equal the sales register's for the
    same range: both sum the same stored amounts.
    """
    credit = Q(invoice__doc_type=Invoice.Kind.CREDIT_NOTE)
    lines = (
        InvoiceLine.objects.for_tenant(tenant)
        .filter(
            invoice__status=Invoice.Status.ISSUED,
            invoice__issued_on__gte=dates.start,
            invoice__issued_on__lte=dates.end,
        )
        .alias(
            section=Case(
                When(invoice__buyer_gstin="", then=Value("b2c")),
                default=Value("b2b"),
                output_field=CharField(),
            )
        )
    )
    if section:
        lines = lines.filter(section=section)
    net = Coalesce("net_weight", Value(NO_GRAMS), output_field=GRAMS)
    weight = Case(
        When(hsn_code__startswith=SERVICE_PREFIX, then=Value(NO_GRAMS)),
        When(credit, then=Value(NO_GRAMS) - net),
        default=net,
        output_field=GRAMS,
    )
    sums = {
        "lines": Count("id"),
        "quantity": grams_sum(weight),
        **{name: rupees_sum(_signed(name, credit=credit)) for name in AMOUNTS},
    }
    rows = list(
        lines.annotate(section_code=F("section"))
        .values("section_code", "hsn_code", "gst_rate")
        .annotate(**sums)
        .order_by("section_code", "hsn_code", "gst_rate")
    )
    rows = [
        {
            **settled(row, grams=("quantity",)),
            "uqc": "OTH" if row["hsn_code"].startswith(SERVICE_PREFIX) else "GMS",
        }
        for row in rows
    ]
    by_section = {
        row.pop("section_code"): settled(row, grams=("quantity",))
        for row in lines.annotate(section_code=F("section"))
        .values("section_code")
        .annotate(**sums)
        .order_by()
    }
    blank = {"lines": 0, "quantity": NO_GRAMS, **dict.fromkeys(AMOUNTS, ZERO)}
    totals = {
        "b2b": by_section.get("b2b", blank),
        "b2c": by_section.get("b2c", blank),
        "all": settled(lines.aggregate(**sums), grams=("quantity",)),
    }
    return Register(rows=rows, totals=totals)
