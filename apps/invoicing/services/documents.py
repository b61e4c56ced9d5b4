"""The bill as a document: what the page, the print view and the PDF show, the stored PDF, and links.

The PDF is rendered once after issue (a worker, `invoice_pdf_render_task`) from the invoice's frozen
figures and kept in the private `invoices` storage; rendering it again gives the same bytes (no clock,
no random identifier, nothing fetched), so the stored file can always be checked against its record.
A buyer opens it from a signed link that expires, without an account. In S3 the stored PDF is locked
(Object Lock, COMPLIANCE) until its record's retention day.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import TYPE_CHECKING

import segno
from django.contrib.staticfiles import finders
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from apps.audit.services import audit_record
from apps.core.files import private_file_url
from apps.core.money import inr
from apps.core.rls import task_send, tenant_scope
from apps.core.storage import RetainedFile
from apps.gst import tax
from apps.gst.states import state_name
from apps.invoicing import rules, selectors, tasks
from apps.invoicing.models import EInvoice, Invoice

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

SHARE_SALT = "invoicing.bill-share"
SHARE_DAYS = 30  # a buyer opens the bill from WhatsApp or e-mail within the month
# The words each document carries at its head (Rule 46 "Tax Invoice", Rule 53 "Credit Note", "Debit Note").
DOC_TITLES = {
    Invoice.Kind.INVOICE: "Tax invoice",
    Invoice.Kind.CREDIT_NOTE: "Credit Note",
    Invoice.Kind.DEBIT_NOTE: "Debit Note",
}


def invoice_document(*, tenant: Tenant, invoice: Invoice) -> dict:
    """Lines with their tax, totals, parties and payments: a draft's tax as issuing would settle it
    (for the salesperson to quote), an issued invoice's as it was settled."""
    assert invoice.tenant_id == tenant.id
    lines = list(selectors.invoice_lines(tenant=tenant, invoice=invoice))
    inter_state = tax.is_inter_state(
        supplier_state=tenant.state_code, place_of_supply=invoice.place_of_supply
    )
    if invoice.status == Invoice.Status.DRAFT:
        taxes = [
            tax.line_tax(taxable=ln.taxable_value, rate=ln.gst_rate, inter_state=inter_state) for ln in lines
        ]
        totals = tax.document_totals(taxes)
    else:
        taxes = lines  # settled at issue: each line carries its own CGST, SGST and IGST
        totals = tax.DocumentTotals(
            taxable=invoice.taxable_value, cgst=invoice.cgst, sgst=invoice.sgst, igst=invoice.igst,
            round_off=invoice.round_off, grand_total=invoice.grand_total,
        )  # fmt: skip
    if not hasattr(invoice, "amount_due"):
        invoice = selectors.invoice_get(tenant=tenant, invoice_id=invoice.pk)  # with what was paid and noted
    return {
        "invoice": invoice,
        "doc_title": DOC_TITLES[invoice.doc_type],
        "original": invoice.original,  # a note's invoice: Rule 53 names its number and date
        "rows": [
            (line, taxed.cgst + taxed.sgst + taxed.igst, line.stone_value + line.hallmarking_charge, None)
            for line, taxed in zip(lines, taxes, strict=True)
        ],
        "totals": totals,
        "draft": invoice.status == Invoice.Status.DRAFT,
        "place_name": state_name(invoice.place_of_supply),
        "seller_state": state_name(invoice.seller_state_code) if invoice.seller_state_code else "",
        "buyer_state": state_name(invoice.buyer_state_code) if invoice.buyer_state_code else "",
        "inter_state": inter_state,
        "due": selectors.invoice_due(tenant=tenant, invoice=invoice),
        "hallmarked": any(line.huid for line in lines),
        "verification_line": rules.HALLMARK_VERIFICATION_LINE,
        "payments": list(
            selectors.payment_list(tenant=tenant).filter(invoice=invoice).order_by("received_on", "id")
        ),
        "shop": tenant,
    }


def _logo_data_uri(tenant: Tenant) -> str:
    """The shop's logo inside the PDF itself: the renderer fetches nothing."""
    if not tenant.logo:
        return ""
    with tenant.logo.open("rb") as logo:
        data = logo.read()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def _refuse_fetch(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"the bill fetches nothing: {url}")


def einvoice_print(einvoice: EInvoice | None) -> dict:
    """What the bill prints of its e-invoice: the IRN, the acknowledgement and, while the IRN is
    active, the IRP's signed QR code, drawn here as inline SVG (nothing is fetched, and the page's
    content policy allows no image data URLs). It scales to the size the stylesheet gives it."""
    if einvoice is None:
        return {"einvoice": None, "einvoice_qr": ""}
    qr = ""
    if einvoice.status == EInvoice.Status.ACTIVE:
        code = segno.make(einvoice.signed_qr, error="m", micro=False)
        qr = mark_safe(  # noqa: S308 - segno's own markup of the IRP's token; the title is ours
            code.svg_inline(
                border=4, omitsize=True, light="#fff", svgclass="qr", title="Signed QR code of the e-invoice"
            )
        )
    return {"einvoice": einvoice, "einvoice_qr": qr}


def invoice_pdf_render(
    *, tenant: Tenant, invoice: Invoice, paper: str = "a4", einvoice: EInvoice | None = None
) -> bytes:
    """The bill as a PDF: as issued, or, given its `einvoice`, the copy printed with the IRN and the
    signed QR code."""
    context = invoice_document(tenant=tenant, invoice=invoice)
    context.update(paper=paper, pdf=True, logo_src=_logo_data_uri(tenant), **einvoice_print(einvoice))
    html = render_to_string("invoicing/invoice_print.html", context)
    return document_pdf_render(html=html, identifier=f"tijori-invoice-{invoice.pk}")


def document_pdf_render(*, html: str, identifier: str) -> bytes:
    """A printed document's HTML as a PDF with the print stylesheet, fetching nothing: the same HTML and
    `identifier` give the same bytes (the platform's own AMC invoices are rendered here too)."""
    from weasyprint import CSS, HTML  # loads pango and cairo: only the worker and the PDF views need them

    stylesheet = CSS(filename=finders.find("css/print.css"))
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(
        stylesheets=[stylesheet],
        pdf_identifier=hashlib.md5(identifier.encode()).digest(),  # noqa: S324 - an identifier, not a secret
    )


@transaction.atomic
def invoice_pdf_store(*, tenant: Tenant, invoice: Invoice) -> Invoice:
    """Render the issued invoice's PDF once and keep it; a second call finds it and does nothing."""
    assert invoice.tenant_id == tenant.id
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.pdf or invoice.status == Invoice.Status.DRAFT:
        return invoice
    data = invoice_pdf_render(tenant=tenant, invoice=invoice)
    name = f"invoices/t{tenant.pk}/{uuid.uuid4().hex}.pdf"
    # Locked in S3 until its record may go (COMPLIANCE mode, see apps.core.storage).
    invoice.pdf.save(name, RetainedFile(data, retain_until=invoice.retain_until), save=False)
    invoice.pdf_sha256 = hashlib.sha256(data).hexdigest()
    invoice.save(
        update_fields=["pdf", "pdf_sha256", "updated_at"]
    )  # a rollback leaves a file, never a record without one
    return invoice


@transaction.atomic
def einvoice_pdf_store(*, tenant: Tenant, einvoice: EInvoice) -> EInvoice:
    """Render the bill again with its IRN and signed QR code, once, and keep it with the e-invoice: the
    issued bill's own PDF is never rewritten. A second call finds it and does nothing."""
    assert einvoice.tenant_id == tenant.id
    einvoice = EInvoice.objects.select_for_update(of=("self",)).select_related("document").get(pk=einvoice.pk)
    if einvoice.pdf or einvoice.status != EInvoice.Status.ACTIVE:
        return einvoice
    data = invoice_pdf_render(tenant=tenant, invoice=einvoice.document, einvoice=einvoice)
    name = f"invoices/t{tenant.pk}/einvoice-{uuid.uuid4().hex}.pdf"
    einvoice.pdf.save(name, RetainedFile(data, retain_until=einvoice.retain_until), save=False)
    einvoice.pdf_sha256 = hashlib.sha256(data).hexdigest()
    einvoice.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
    return einvoice


def invoice_pdf_file(*, tenant: Tenant, invoice: Invoice) -> FieldFile:
    """The PDF a document is handed out as: the copy with the IRP's signed QR code while its e-invoice
    is active (Rule 48(4): an e-invoice carries its QR code), else the PDF stored at issue. Either is
    rendered now if a worker has not stored it yet."""
    assert invoice.tenant_id == tenant.id
    einvoice = (
        EInvoice.objects.for_tenant(tenant).filter(document=invoice, status=EInvoice.Status.ACTIVE).first()
    )
    if einvoice is not None:
        return einvoice_pdf_store(tenant=tenant, einvoice=einvoice).pdf
    return invoice_pdf_store(tenant=tenant, invoice=invoice).pdf


def invoice_pdf_name(invoice: Invoice) -> str:
    return f"{invoice.number.replace('/', '-')}.pdf"


def invoice_pdf_link(*, invoice: Invoice, user: User, pdf: FieldFile | None = None) -> str:
    """An expiring link to the stored PDF (`pdf`, else the one stored at issue), for a member the
    caller has checked."""
    return private_file_url(
        alias="invoices", name=(pdf or invoice.pdf).name, user_id=user.pk, tenant_id=invoice.tenant_id,
        filename=invoice_pdf_name(invoice),
    )  # fmt: skip


def invoice_share_token(invoice: Invoice) -> str:
    return signing.dumps({"i": invoice.pk, "t": invoice.tenant_id}, salt=SHARE_SALT, compress=True)


def invoice_from_share_token(token: str) -> Invoice:
    """The invoice a buyer's link names; BadSignature (a 404 for the buyer) if forged or expired."""
    data = signing.loads(token, salt=SHARE_SALT, max_age=SHARE_DAYS * 86400)
    with tenant_scope(data["t"]):  # the signed link names its shop: look there only
        found = Invoice.objects.select_related("tenant").filter(pk=data["i"], tenant_id=data["t"])
        invoice = found.exclude(status=Invoice.Status.DRAFT).first()
    if invoice is None:
        raise signing.BadSignature("no such bill")
    return invoice


def _document_word(invoice: Invoice) -> str:
    """What the buyer is told they are sent: their bill, or a credit or debit note."""
    return invoice.kind_name if invoice.is_note else "bill"


def invoice_share_text(*, invoice: Invoice, url: str) -> str:
    return (
        f"Your {_document_word(invoice)} {invoice.number} from {invoice.seller_name} for {inr(invoice.grand_total)}: "
        f"{url}\n"
        f"The link works for {SHARE_DAYS} days."
    )


@transaction.atomic
def invoice_email_send(*, tenant: Tenant, actor: User | None, invoice: Invoice, to: str) -> None:
    """Send the bill's PDF to the buyer (a worker renders and sends it after commit)."""
    from django.core.validators import validate_email

    assert invoice.tenant_id == tenant.id
    if invoice.status == Invoice.Status.DRAFT:
        raise ValidationError("Issue the invoice before sending it.")
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        raise ValidationError({"to": ["Enter the e-mail address to send the bill to."]}) from None
    audit_record(
        tenant=tenant, actor=actor, action="invoice.email", summary=f"E-mailed invoice {invoice.number} to {to}",
        target=invoice,
    )  # fmt: skip
    transaction.on_commit(lambda: task_send(tasks.invoice_email_task, invoice.pk, to, tenant_id=tenant.pk))


def invoice_email_deliver(*, invoice_id: int, to: str) -> None:
    """The worker's half: the stored PDF (rendered now if need be) attached to a short message."""
    invoice = Invoice.objects.select_related("tenant").get(pk=invoice_id)
    with invoice_pdf_file(tenant=invoice.tenant, invoice=invoice).open("rb") as pdf:
        data = pdf.read()
    message = EmailMessage(
        subject=f"Your {_document_word(invoice)} {invoice.number} from {invoice.seller_name}",
        body=render_to_string("invoicing/email/bill.txt", {"invoice": invoice}),
        to=[to],
    )
    message.attach(invoice_pdf_name(invoice), data, "application/pdf")
    message.send()
