"""Reading e-invoices, and the B2B documents that need one, always for one tenant.

A document goes to `apps.gst.einvoice` as an `EInvoiceRecord`: its copied parties and stored amounts.
The parties' addresses are those the document copied at issue; where that copy lacks what the IRP
asks for, the current record fills it in (the customer's PIN field, the shop's address), because an
issued document can no longer be changed and the IRP only needs to know where the parties are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from apps.gst.einvoice import (
    EInvoiceLine,
    EInvoiceParty,
    EInvoiceRecord,
    address_split,
    einvoice_problems,
    reporting_last_day,
)
from apps.gst.periods import ReturnPeriod
from apps.invoicing.models import EInvoice, Invoice, InvoiceLine

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


def einvoice_list(*, tenant: Tenant) -> QuerySet[EInvoice]:
    """The shop's e-invoices, newest acknowledgement first, each with its document."""
    return EInvoice.objects.for_tenant(tenant).select_related("document")


def einvoice_get(*, tenant: Tenant, einvoice_id: int) -> EInvoice:
    return get_object_or_404(einvoice_list(tenant=tenant), pk=einvoice_id)


def einvoice_of(*, tenant: Tenant, invoice: Invoice) -> EInvoice | None:
    """The document's e-invoice (active or cancelled), if the IRP registered it."""
    assert invoice.tenant_id == tenant.id
    return EInvoice.objects.for_tenant(tenant).filter(document=invoice).first()


def einvoice_on(invoice: Invoice) -> EInvoice | None:
    """The document's e-invoice as read with it (`select_related("einvoice")`), or read now."""
    try:
        return invoice.einvoice
    except EInvoice.DoesNotExist:
        return None


def einvoice_record(*, tenant: Tenant, invoice: Invoice, einvoice: EInvoice | None = None) -> EInvoiceRecord:
    """The document as the e-invoice builder reads it (its lines read now unless prefetched)."""
    assert invoice.tenant_id == tenant.id
    einvoice = einvoice if einvoice is not None else einvoice_on(invoice)
    customer = invoice.customer
    buyer_address = invoice.buyer_address or (customer.address if customer else "")
    buyer_pin = ""
    if customer is not None:
        buyer_pin = customer.pincode or address_split(customer.address).pin
    original = invoice.original
    lines = tuple(
        EInvoiceLine(
            description=line.description, hsn_code=line.hsn_code, net_weight=line.net_weight,
            taxable_value=line.taxable_value, gst_rate=line.gst_rate, cgst=line.cgst, sgst=line.sgst,
            igst=line.igst,
        )
        for line in sorted(invoice.lines.all(), key=lambda ln: ln.position)
    )  # fmt: skip
    return EInvoiceRecord(
        doc_type=invoice.doc_type,
        number=invoice.number,
        issued_on=invoice.issued_on,
        status=invoice.status,
        seller=EInvoiceParty(
            gstin=invoice.seller_gstin or tenant.gstin,
            name=invoice.seller_name or tenant.name,
            address=invoice.seller_address or tenant.address,
            state_code=invoice.seller_state_code or tenant.state_code,
            pin=address_split(tenant.address).pin,
        ),
        buyer=EInvoiceParty(
            gstin=invoice.buyer_gstin,
            name=invoice.buyer_name,
            address=buyer_address,
            state_code=invoice.buyer_state_code,
            pin=buyer_pin,
        ),
        place_of_supply=invoice.place_of_supply,
        lines=lines,
        taxable_value=invoice.taxable_value,
        cgst=invoice.cgst,
        sgst=invoice.sgst,
        igst=invoice.igst,
        round_off=invoice.round_off,
        grand_total=invoice.grand_total,
        original_number=original.number if original is not None else "",
        original_issued_on=original.issued_on if original is not None else None,
        irn=einvoice.irn if einvoice is not None else "",
        irn_status=einvoice.status if einvoice is not None else "",
    )


def einvoice_documents(*, tenant: Tenant, period: ReturnPeriod) -> QuerySet[Invoice]:
    """The period's issued invoices and notes to registered buyers, from the day the shop e-invoices:
    the documents that need an IRN, with the ones that have one. Oldest first, lines prefetched."""
    if tenant.einvoice_from is None:
        return Invoice.objects.none()
    start = max(period.start, tenant.einvoice_from)
    lines = InvoiceLine.objects.for_tenant(tenant).order_by("position")
    return (
        Invoice.objects.for_tenant(tenant)
        .filter(status=Invoice.Status.ISSUED, issued_on__gte=start, issued_on__lte=period.end)
        .exclude(buyer_gstin="")
        .select_related("customer", "original", "einvoice")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("issued_on", "doc_type", "number", "id")
    )


@dataclass(frozen=True)
class EInvoiceRow:
    """One document of the e-invoices page: what it is, its e-invoice if any, what stops it."""

    document: Invoice
    record: EInvoiceRecord
    einvoice: EInvoice | None
    problems: list[str]
    last_day: date | None  # for shops of ₹10 crore or more: the last day the IRP takes it

    @property
    def ready(self) -> bool:
        return self.einvoice is None and not self.problems


def einvoice_rows(*, tenant: Tenant, period: ReturnPeriod, today: date) -> list[EInvoiceRow]:
    rows = []
    for document in einvoice_documents(tenant=tenant, period=period):
        einvoice = einvoice_on(document)
        record = einvoice_record(tenant=tenant, invoice=document, einvoice=einvoice)
        problems = [] if einvoice is not None else einvoice_problems(
            record, today=today, turnover_ten_crore=tenant.turnover_ten_crore, einvoice_from=tenant.einvoice_from
        )  # fmt: skip
        last_day = reporting_last_day(document.issued_on) if tenant.turnover_ten_crore else None
        rows.append(EInvoiceRow(document, record, einvoice, problems, last_day))
    return rows
