"""Where the reports read the books: tenant-scoped, in chunks, in the order their writers stream.

GSTR-1 (`gstr1_source`): the issued invoices and notes of a period under the shop's GSTIN, ordered by
section, then buyer GSTIN (or place of supply), date and number, read CHUNK documents at a time with
their lines fetched per chunk, as document records; each series' first and last number and counts for
Table 13 (issued and cancelled invoices and notes, receipt vouchers); and the HSN codes' descriptions
from the rate table. Drafts have no number and are not reported; a cancelled document only in Table 13.
`gstr1_problems` lists, before anything is written, what must be fixed for the period to be exported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, Length, LPad

from apps.gst.numbering import DOCUMENT_NUMBER_RE
from apps.gst.periods import ReturnPeriod
from apps.gst.returns.records import DocumentNature, DocumentRecord, Gstr1Source, LineRecord, SeriesCount
from apps.gst.selectors import gst_rates_for
from apps.gst.states import STATE_CODES
from apps.gst.validators import gstin_validate
from apps.invoicing.models import DocumentSeries, Invoice, InvoiceLine, ReceiptVoucher

if TYPE_CHECKING:
    from apps.tenants.models import Tenant

CHUNK = 2000
PROBLEMS_SHOWN = 200
HSN_PATTERN = r"^([0-9]{4}|[0-9]{6}|[0-9]{8})$"
NATURES = {
    Invoice.Kind.INVOICE: DocumentNature.INVOICES,
    Invoice.Kind.DEBIT_NOTE: DocumentNature.DEBIT_NOTES,
    Invoice.Kind.CREDIT_NOTE: DocumentNature.CREDIT_NOTES,
}
# The order the GSTR-1 writer streams in: b2b, the unregistered buyers' invoices (b2cl, b2cs), cdnr, cdnur.
SECTION_ORDER = Case(
    When(doc_type=Invoice.Kind.INVOICE, buyer_gstin__gt="", then=Value(0)),
    When(doc_type=Invoice.Kind.INVOICE, then=Value(1)),
    When(buyer_gstin__gt="", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
GROUP_ORDER = Case(
    When(buyer_gstin="", then=F("place_of_supply")), default=F("buyer_gstin"), output_field=CharField()
)
DOCUMENT_FIELDS = ["pk", "doc_type", "number", "issued_on", "seller_state_code", "place_of_supply", "buyer_gstin",
                   "buyer_name", "grand_total", "original__grand_total", "original__issued_on"]  # fmt: skip
LINE_FIELDS = ["invoice_id", "hsn_code", "description", "gst_rate", "taxable_value", "igst", "cgst", "sgst",
               "net_weight"]  # fmt: skip


def _in_period(qs: QuerySet, field: str, period: ReturnPeriod) -> QuerySet:
    return qs.filter(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _documents(tenant: Tenant, period: ReturnPeriod) -> QuerySet:
    """The period's numbered sales documents under the shop's GSTIN (issued or cancelled)."""
    qs = Invoice.objects.for_tenant(tenant).filter(seller_gstin=tenant.gstin).exclude(number="")
    return _in_period(qs, "issued_on", period)


def furnished_months(options: dict[str, Any]) -> list[date]:
    return [date(int(text[:4]), int(text[5:7]), 1) for text in options.get("furnished_months") or []]


def gstr1_source(*, tenant: Tenant, period: ReturnPeriod, options: dict[str, Any]) -> Gstr1Source:
    """Everything a period's GSTR-1 is built from; the documents are read as the writer asks for them."""
    issued = _documents(tenant, period).filter(status=Invoice.Status.ISSUED)
    return Gstr1Source(
        documents=gstr1_documents(tenant=tenant, period=period),
        series=gstr1_series_counts(tenant=tenant, period=period),
        furnished_months=furnished_months(options),
        hsn_descriptions=gstr1_hsn_descriptions(tenant=tenant, period=period),
        total=issued.count(),
    )


def gstr1_documents(*, tenant: Tenant, period: ReturnPeriod) -> Iterator[DocumentRecord]:
    """The period's issued documents with their lines, in streaming order, CHUNK at a time."""
    rows = (
        _documents(tenant, period).filter(status=Invoice.Status.ISSUED)
        .annotate(section_order=SECTION_ORDER, group_order=GROUP_ORDER)
        .order_by("section_order", "group_order", "issued_on", "number", "pk")
        .values_list(*DOCUMENT_FIELDS)
        .iterator(chunk_size=CHUNK)
    )  # fmt: skip
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from _with_lines(tenant, chunk)
            chunk = []
    if chunk:
        yield from _with_lines(tenant, chunk)


def _with_lines(tenant: Tenant, rows: list[tuple]) -> Iterator[DocumentRecord]:
    lines: dict[int, list[LineRecord]] = defaultdict(list)
    found = (
        InvoiceLine.objects.for_tenant(tenant).filter(invoice_id__in=[row[0] for row in rows])
        .order_by("invoice_id", "position").values_list(*LINE_FIELDS)
    )  # fmt: skip
    for invoice_id, hsn, description, rate, taxable, igst, cgst, sgst, grams in found:
        lines[invoice_id].append(
            LineRecord(hsn=hsn, description=description, rate=rate, taxable=taxable, igst=igst, cgst=cgst,
                       sgst=sgst, grams=grams)
        )  # fmt: skip
    for pk, kind, number, day, seller_state, pos, buyer_gstin, buyer_name, value, original_value, original_day in rows:  # fmt: skip
        yield DocumentRecord(
            kind=kind, number=number, date=day, seller_state=seller_state, pos=pos, buyer_gstin=buyer_gstin,
            buyer_name=buyer_name, value=value, original_value=original_value, original_date=original_day,
            lines=tuple(lines[pk]),
        )  # fmt: skip


def _number_key() -> Concat:
    """Sorts numbers of one series in counter order, also past the counter's padding (9999 < 10000)."""
    return Concat(
        LPad(Cast(Length("number"), CharField()), 2, Value("0")), "number", output_field=CharField()
    )


def gstr1_series_counts(*, tenant: Tenant, period: ReturnPeriod) -> list[SeriesCount]:
    """Table 13: per series, the period's first and last number, how many were numbered and cancelled."""
    invoices = (
        _documents(tenant, period).values("series_id", "doc_type").order_by("series_id", "doc_type")
        .annotate(first=Min(_number_key()), last=Max(_number_key()), total=Count("pk"),
                  cancelled=Count("pk", filter=Q(status=Invoice.Status.CANCELLED)))
    )  # fmt: skip
    vouchers = (
        _in_period(ReceiptVoucher.objects.for_tenant(tenant).filter(series__gstin=tenant.gstin), "received_on", period)
        .values("series_id").order_by("series_id")
        .annotate(first=Min(_number_key()), last=Max(_number_key()), total=Count("pk"))
    )  # fmt: skip
    rows = [(NATURES[row["doc_type"]], row) for row in invoices] + [
        (DocumentNature.RECEIPT_VOUCHERS, row) for row in vouchers
    ]
    codes = dict(
        DocumentSeries.objects.for_tenant(tenant)
        .filter(pk__in={row["series_id"] for _, row in rows})
        .values_list("pk", "code")
    )
    return [
        SeriesCount(nature=nature, first=row["first"][2:], last=row["last"][2:], total=row["total"],
                    cancelled=row.get("cancelled", 0), series=codes.get(row["series_id"], ""))
        for nature, row in rows
    ]  # fmt: skip


def gstr1_hsn_descriptions(*, tenant: Tenant, period: ReturnPeriod) -> dict[str, str]:
    """What the rate table calls each HSN code the period's lines carry (Table 12's description)."""
    codes = (
        InvoiceLine.objects.for_tenant(tenant)
        .filter(invoice__in=_documents(tenant, period).filter(status=Invoice.Status.ISSUED))
        .values_list("hsn_code", flat=True).distinct().order_by()
    )  # fmt: skip
    return {
        code: row.description for code, row in gst_rates_for(codes=list(codes), on=period.end).items() if row
    }


# --- what to fix first --------------------------------------------------------------------------


def gstr1_problems(*, tenant: Tenant, period: ReturnPeriod, limit: int = PROBLEMS_SHOWN) -> list[str]:
    """One line per thing that stops the period's GSTR-1 (the first `limit`, then how many more): the shop
    without a GSTIN, a document number the portal refuses, a line without a valid HSN code, a document
    without a place of supply, a registered buyer's GSTIN that is not valid. Empty when it can be built."""
    if not tenant.gstin:
        return [
            "The shop has no GSTIN: add it in Settings → Profile. A GSTR-1 is filed under the shop's GSTIN."
        ]
    found: list[str] = []
    total = 0
    documents = _documents(tenant, period)
    issued = documents.filter(status=Invoice.Status.ISSUED)

    def collect(qs: QuerySet, render) -> None:
        nonlocal total
        room = limit - len(found)
        if room <= 0:  # the list is full: only how many more
            total += qs.count()
            return
        rows = list(qs[: room + 1])
        total += len(rows) if len(rows) <= room else qs.count()
        found.extend(render(row) for row in rows[:room])

    collect(
        documents.exclude(number__regex=DOCUMENT_NUMBER_RE.pattern)
        .order_by("issued_on", "pk")
        .values_list("number", flat=True),
        lambda number: (
            f"{number}: not a valid GST document number (at most 16 letters, digits, '/' and '-', "
            "not starting with 0, '/' or '-'); the portal refuses it."
        ),
    )
    vouchers = _in_period(
        ReceiptVoucher.objects.for_tenant(tenant).filter(series__gstin=tenant.gstin), "received_on", period
    )
    collect(
        vouchers.exclude(number__regex=DOCUMENT_NUMBER_RE.pattern)
        .order_by("received_on", "pk")
        .values_list("number", flat=True),
        lambda number: f"Receipt voucher {number}: not a valid GST document number; the portal refuses it.",
    )
    collect(
        InvoiceLine.objects.for_tenant(tenant).filter(invoice__in=issued).exclude(hsn_code__regex=HSN_PATTERN)
        .order_by("invoice__issued_on", "invoice_id", "position").values_list("invoice__number", "position", "hsn_code"),
        lambda row: f"{row[0]}: line {row[1]} has no HSN code." if not row[2].strip()
        else f"{row[0]}: line {row[1]} has HSN code {row[2]}, which is not 4, 6 or 8 digits.",
    )  # fmt: skip
    states = list(STATE_CODES)
    collect(
        issued.exclude(place_of_supply__in=states, seller_state_code__in=states)
        .order_by("issued_on", "pk").values_list("number", "place_of_supply"),
        lambda row: f"{row[0]}: has no place of supply (the state the goods are delivered in)."
        if row[1] not in STATE_CODES else f"{row[0]}: has no state of the shop (the seller) on it.",
    )  # fmt: skip
    for gstin in issued.exclude(buyer_gstin="").values_list("buyer_gstin", flat=True).distinct().order_by():
        message = _gstin_problem(gstin)
        if message:
            collect(
                issued.filter(buyer_gstin=gstin).order_by("issued_on", "pk").values_list("number", flat=True),
                lambda number, gstin=gstin, message=message: (
                    f"{number}: the buyer's GSTIN {gstin} is not valid: {message}"
                ),
            )
    if total > len(found):
        found.append(f"… and {total - len(found)} more.")
    return found


def _gstin_problem(gstin: str) -> str:
    try:
        gstin_validate(gstin)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""
