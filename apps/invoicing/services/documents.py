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

from django.contrib.staticfiles import finders
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from apps.audit.services import audit_record
from apps.core.files import private_file_url
from apps.core.money import inr
from apps.core.rls import task_send, tenant_scope
from apps.core.storage import RetainedFile
from apps.gst import tax
from apps.gst.states import state_name
from apps.invoicing import rules, selectors, tasks
from apps.invoicing.models import Invoice

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


def invoice_pdf_render(*, tenant: Tenant, invoice: Invoice, paper: str = "a4") -> bytes:
    from weasyprint import CSS, HTML  # loads pango and cairo: only the worker and this view need them

    context = invoice_document(tenant=tenant, invoice=invoice)
    context.update(paper=paper, pdf=True, logo_src=_logo_data_uri(tenant))
    html = render_to_string("invoicing/invoice_print.html", context)
    stylesheet = CSS(filename=finders.find("css/print.css"))
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(
        stylesheets=[stylesheet],
        pdf_identifier=hashlib.md5(f"tijori-invoice-{invoice.pk}".encode()).digest(),  # noqa: S324 - an identifier, not a secret
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


def invoice_pdf_name(invoice: Invoice) -> str:
    return f"{invoice.number.replace('/', '-')}.pdf"


def invoice_pdf_link(*, invoice: Invoice, user: User) -> str:
    """An expiring link to the stored PDF, for a member the caller has checked."""
    return private_file_url(
        alias="invoices", name=invoice.pdf.name, user_id=user.pk, tenant_id=invoice.tenant_id,
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
    invoice = invoice_pdf_store(tenant=invoice.tenant, invoice=invoice)
    with invoice.pdf.open("rb") as pdf:
        data = pdf.read()
    message = EmailMessage(
        subject=f"Your {_document_word(invoice)} {invoice.number} from {invoice.seller_name}",
        body=render_to_string("invoicing/email/bill.txt", {"invoice": invoice}),
        to=[to],
    )
    message.attach(invoice_pdf_name(invoice), data, "application/pdf")
    message.send()
