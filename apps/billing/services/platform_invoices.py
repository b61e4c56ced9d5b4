"""The platform's own GST invoices to shops for their AMC, and the credit notes reversing them.

An invoice is issued in the transaction that records the payment it is for, numbered last (the series
row stays locked as briefly as possible) in the platform's gapless series of the financial year, from
the figures settled when the amount due was set (stored on the order, or computed for a payment recorded
by hand). The seller is the platform (settings), the buyer the shop, CGST and SGST within the platform's
state and IGST across. Its PDF is rendered once after commit by a worker, kept in the `invoices` storage
(locked in S3 until the record's retention day) and handed out through the same expiring links as a
shop's own bills. A refund or a void is a credit note in the platform's credit-note series, by a super
admin with a reason, within CGST s.34(2)'s time; nothing issued is ever deleted.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from apps.audit.services import audit_record
from apps.billing import tasks
from apps.billing.exceptions import PaymentsOff, PlatformInvoiceRefused
from apps.billing.models import BillingPayment, Contract, PlatformInvoice, PlatformSeries
from apps.billing.services.transitions import today_local
from apps.core.files import private_file_url
from apps.core.money import inr
from apps.core.rls import task_send
from apps.core.storage import RetainedFile
from apps.gst import tax
from apps.gst.numbering import document_number_validate
from apps.gst.periods import FinancialYear, credit_note_last_day, retain_until
from apps.gst.states import state_name
from apps.gst.words import rupees_in_words
from apps.invoicing.services import invoice_pdf_name
from apps.invoicing.services.documents import document_pdf_render
from apps.invoicing.services.series import number_render

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    from apps.accounts.models import User
    from apps.tenants.models import Tenant

Kind = PlatformInvoice.Kind
# The platform's series: TJ/26-27/00001 and TJC/26-27/00001 fit GST's 16 characters and the IRP's pattern.
SERIES = {Kind.INVOICE: "TJ", Kind.CREDIT_NOTE: "TJC"}
NUMBER_FORMAT = "{CODE}/{FY}/{NNNNN}"
DOC_TITLES = {Kind.INVOICE: "Tax invoice", Kind.CREDIT_NOTE: "Credit Note"}


class Figures(Protocol):
    """The amounts an invoice copies: an order's, or the amount due of a payment recorded by hand."""

    sac: str
    gst_rate: Decimal
    place_of_supply: str
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal


def platform_seller() -> dict[str, str]:
    """The platform as the supplier on its invoices, from settings; PaymentsOff until they are all set."""
    seller = {
        "seller_name": settings.PLATFORM_LEGAL_NAME,
        "seller_gstin": settings.PLATFORM_GSTIN,
        "seller_state_code": settings.PLATFORM_STATE_CODE,
        "seller_address": settings.PLATFORM_ADDRESS,
    }
    if not all(seller.values()):
        raise PaymentsOff(
            "Tijori's own GST details (PLATFORM_GSTIN, PLATFORM_LEGAL_NAME, PLATFORM_ADDRESS, "
            "PLATFORM_STATE_CODE) are not set, so it can't issue the AMC's invoice."
        )
    return seller


def platform_number_take(*, doc_type: str, fy: FinancialYear) -> tuple[PlatformSeries, str]:
    """The next number of the platform's series of `doc_type` for `fy`, under the series' row lock (held to
    commit): a rolled-back issue gives its number back, two issuers wait for each other."""
    assert transaction.get_connection().in_atomic_block, "take a number inside the issuing transaction"
    key = {"doc_type": doc_type, "fy_start_year": fy.start_year}
    series = PlatformSeries.objects.select_for_update().filter(**key).first()
    if series is None:  # the year's first document makes the series
        try:
            with transaction.atomic():
                PlatformSeries.objects.create(**key, code=SERIES[doc_type], number_format=NUMBER_FORMAT)
        except IntegrityError:  # another issuer made it first
            pass
        series = PlatformSeries.objects.select_for_update().get(**key)
    number = number_render(series.number_format, code=series.code, fy=fy, n=series.next_number)
    document_number_validate(number)  # a refusal rolls the issue back, and the counter with it
    series.next_number += 1
    series.save(update_fields=["next_number", "updated_at"])
    return series, number


def _buyer(tenant: Tenant) -> dict[str, str]:
    """The shop as the recipient: its GSTIN only once verified (an unchecked one would mislead its ITC)."""
    return {
        "buyer_name": tenant.name,
        "buyer_gstin": tenant.gstin if tenant.gstin_is_verified else "",
        "buyer_state_code": tenant.state_code,
        "buyer_address": tenant.address,
    }


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def platform_invoice_issue(
    *,
    payment: BillingPayment,
    contract: Contract,
    figures: Figures,
    actor: User | None,
    today: date | None = None,
) -> PlatformInvoice:
    """Issue the platform's invoice for a payment that renewed `contract` (in the payment's transaction)."""
    assert payment.tenant_id == contract.tenant_id
    issued_on = today or today_local()
    tenant = contract.tenant
    invoice = PlatformInvoice(
        tenant=tenant,
        doc_type=Kind.INVOICE,
        payment=payment,
        issued_on=issued_on,
        **platform_seller(),
        **_buyer(tenant),
        place_of_supply=figures.place_of_supply,
        description=(
            f"Annual maintenance contract, {contract.plan.name}: "
            f"{_day(contract.period_start)} to {_day(contract.period_end)}"
        ),
        sac=figures.sac,
        gst_rate=figures.gst_rate,
        taxable_value=figures.taxable_value,
        cgst=figures.cgst,
        sgst=figures.sgst,
        igst=figures.igst,
        total=figures.taxable_value + figures.cgst + figures.sgst + figures.igst,
        retain_until=retain_until(issued_on),
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    invoice.amount_in_words = rupees_in_words(invoice.total)
    return _issue(invoice, summary=f"for {inr(invoice.total)}, payment {payment}")


def _issue(document: PlatformInvoice, *, summary: str) -> PlatformInvoice:
    """Number the document last, save it, audit it and have a worker store its PDF after commit."""
    document.series, document.number = platform_number_take(
        doc_type=document.doc_type, fy=FinancialYear.of(document.issued_on)
    )
    document.full_clean(
        exclude=["tenant", "payment", "series", "original", "issued_by"], validate_constraints=False
    )
    document.save(force_insert=True)
    word = "Credit note" if document.is_credit_note else "Invoice"
    audit_record(
        tenant=document.tenant, actor=document.issued_by,
        action="platform_invoice.credit_note" if document.is_credit_note else "platform_invoice.issue",
        summary=f"Tijori's {word.lower()} {document.number} {summary}", target=document,
    )  # fmt: skip
    transaction.on_commit(
        lambda: task_send(tasks.platform_invoice_pdf_task, document.pk, tenant_id=document.tenant_id)
    )
    return document


@transaction.atomic
def platform_credit_note_issue(
    *, invoice: PlatformInvoice, actor: User, reason: str, today: date | None = None
) -> PlatformInvoice:
    """Reverse a platform invoice in full (a refund, or an invoice issued in error) with a credit note in
    the platform's credit-note series. Super admins only, with a reason; once per invoice; by 30 November
    after the end of the invoice's financial year (CGST s.34(2)). The invoice itself stays as issued."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied("Only a super admin can issue a credit note for Tijori's invoices.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why: the credit note and the audit trail keep the reason."]})
    today = today or today_local()
    invoice = (
        PlatformInvoice.objects.for_tenant(invoice.tenant).select_for_update(of=("self",)).get(pk=invoice.pk)
    )
    if invoice.is_credit_note:
        raise PlatformInvoiceRefused(f"{invoice.number} is a credit note: only an invoice can be reversed.")
    reversed_by = invoice.credit_notes.first()
    if reversed_by is not None:
        raise PlatformInvoiceRefused(
            f"{invoice.number} is already reversed by credit note {reversed_by.number}."
        )
    last_day = credit_note_last_day(invoice.issued_on)
    if today > last_day:
        raise PlatformInvoiceRefused(
            f"A credit note for {invoice.number} could be issued until {_day(last_day)} (CGST s.34(2)); "
            "settle the refund outside GST with the shop."
        )
    note = PlatformInvoice(
        tenant=invoice.tenant,
        doc_type=Kind.CREDIT_NOTE,
        payment=invoice.payment,
        original=invoice,
        reason=reason[:300],
        issued_on=today,
        **platform_seller(),
        **_buyer(invoice.tenant),
        place_of_supply=invoice.place_of_supply,
        description=f"Reverses invoice {invoice.number} of {_day(invoice.issued_on)}: {invoice.description}"[
            :200
        ],
        sac=invoice.sac,
        gst_rate=invoice.gst_rate,
        taxable_value=invoice.taxable_value,
        cgst=invoice.cgst,
        sgst=invoice.sgst,
        igst=invoice.igst,
        total=invoice.total,
        amount_in_words=invoice.amount_in_words,
        retain_until=max(retain_until(today), invoice.retain_until),
        issued_by=actor,
    )
    return _issue(note, summary=f"reverses {invoice.number} ({inr(invoice.total)}): {note.reason}")


# --- the PDF ---------------------------------------------------------------------------------------------


def platform_invoice_document(*, invoice: PlatformInvoice) -> dict:
    """What the printed document shows."""
    return {
        "invoice": invoice,
        "doc_title": DOC_TITLES[invoice.doc_type],
        "original": invoice.original,
        "seller_state": state_name(invoice.seller_state_code),
        "buyer_state": state_name(invoice.buyer_state_code),
        "place_name": state_name(invoice.place_of_supply),
        "inter_state": tax.is_inter_state(
            supplier_state=invoice.seller_state_code, place_of_supply=invoice.place_of_supply
        ),
        "half_rate": invoice.gst_rate / 2,
    }


def platform_invoice_pdf_render(*, invoice: PlatformInvoice) -> bytes:
    html = render_to_string("billing/platform_invoice_print.html", platform_invoice_document(invoice=invoice))
    return document_pdf_render(html=html, identifier=f"tijori-platform-invoice-{invoice.pk}")


@transaction.atomic
def platform_invoice_pdf_store(*, tenant: Tenant, invoice: PlatformInvoice) -> PlatformInvoice:
    """Render the document's PDF once and keep it; a second call finds it and does nothing."""
    assert invoice.tenant_id == tenant.id
    invoice = (
        PlatformInvoice.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("original", "payment")
        .get(pk=invoice.pk)
    )
    if invoice.pdf:
        return invoice
    data = platform_invoice_pdf_render(invoice=invoice)
    name = f"invoices/t{tenant.pk}/platform-{uuid.uuid4().hex}.pdf"
    # Locked in S3 until its record may go (COMPLIANCE mode, see apps.core.storage).
    invoice.pdf.save(name, RetainedFile(data, retain_until=invoice.retain_until), save=False)
    invoice.pdf_sha256 = hashlib.sha256(data).hexdigest()
    invoice.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
    return invoice


def platform_invoice_pdf_link(*, invoice: PlatformInvoice, user: User) -> str:
    """An expiring link to the stored PDF (rendered now if a worker has not yet), for a member the caller
    has checked."""
    if not invoice.pdf:
        invoice = platform_invoice_pdf_store(tenant=invoice.tenant, invoice=invoice)
    return private_file_url(
        alias="invoices", name=invoice.pdf.name, user_id=user.pk, tenant_id=invoice.tenant_id,
        filename=invoice_pdf_name(invoice),
    )  # fmt: skip
