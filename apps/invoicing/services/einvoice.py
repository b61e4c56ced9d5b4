"""e-Invoices: the JSON the IRP takes (one document, or a period's bulk file), the IRP's answers
recorded on the documents, IRN cancellation, and the bill printed again with its signed QR code.

Two roads lead to an IRN. Without an IRP connection (the default) the shop downloads the bulk file,
uploads it on the e-invoice portal and imports the answer the portal gives back
(`einvoice_answers_import`). With one (`apps.gst.irp`), a document is registered from its page
(`einvoice_generate`). Either way the answer is recorded once per document, the issued document
itself never changes, and a worker prints the bill again with the QR code into the e-invoice's own
PDF. An IRN is cancelled only within 24 hours of its acknowledgement, and only together with its
document (as India Compliance cancels the invoice with it): a cancelled IRN's record stays, because
its number can never be registered again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.audit.services import AuditEntry, audit_record, audit_record_many
from apps.core.exceptions import ApplicationError
from apps.core.forms import service_error_text
from apps.core.rls import task_send
from apps.gst.einvoice import (
    KIND_NAMES,
    TYPE_CODES,
    EInvoiceRecord,
    bulk_json,
    bulk_parts,
    cancel_deadline,
    einvoice_json,
    einvoice_payload,
    einvoice_problems,
)
from apps.gst.irp import CANCEL_REASONS, IST, IrpAnswer, IrpDuplicate, IrpRefused, irp_answer_read, irp_client
from apps.gst.periods import ReturnPeriod
from apps.invoicing import einvoice_selectors, tasks
from apps.invoicing.exceptions import (
    EInvoiceImportRefused,
    EInvoiceNotCancellable,
    EInvoiceNotReady,
    IrpNotConnected,
)
from apps.invoicing.models import EInvoice, Invoice
from apps.invoicing.services.issue import invoice_cancel
from apps.tenants import rights

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

ANSWERS_MAX = 2000  # answers in one imported file: a bulk upload of 1 MB holds a few hundred documents
# What reverses a document once its IRN can no longer be cancelled.
REVERSED_BY = {
    Invoice.Kind.INVOICE: "issue a credit note against it",
    Invoice.Kind.CREDIT_NOTE: "issue a debit note against its invoice",
    Invoice.Kind.DEBIT_NOTE: "issue a credit note against its invoice",
}


def _not_ready(record: EInvoiceRecord, problems: list[str]) -> EInvoiceNotReady:
    listed = " ".join(f"({i}) {p}" for i, p in enumerate(problems, start=1))
    return EInvoiceNotReady(f"{record.name} can't go to the IRP: {listed}", problems)


def einvoice_document_record(
    *, tenant: Tenant, document: Invoice, today: date | None = None
) -> EInvoiceRecord:
    """The document as the IRP would get it today; EInvoiceNotReady listing what stops it."""
    assert document.tenant_id == tenant.id
    record = einvoice_selectors.einvoice_record(tenant=tenant, invoice=document)
    problems = einvoice_problems(
        record, today=today or timezone.localdate(), turnover_ten_crore=tenant.turnover_ten_crore,
        einvoice_from=tenant.einvoice_from,
    )  # fmt: skip
    if problems:
        raise _not_ready(record, problems)
    return record


def einvoice_document_payload(*, tenant: Tenant, document: Invoice) -> dict[str, Any]:
    """The INV-01 JSON of one document, checked against the IRP's rules and the schema."""
    return einvoice_payload(einvoice_document_record(tenant=tenant, document=document))


@dataclass(frozen=True)
class EInvoiceBulkFile:
    content: bytes
    file_name: str
    numbers: list[str]  # the documents it holds
    part: int
    parts: int


def einvoice_bulk_texts(rows: list[einvoice_selectors.EInvoiceRow]) -> tuple[list[str], list[bytes]]:
    """The numbers and INV-01 JSON of the documents of `rows` that are ready for the IRP, in order."""
    ready = [row for row in rows if row.ready]
    return [row.record.number for row in ready], [
        einvoice_json(einvoice_payload(row.record)) for row in ready
    ]


@transaction.atomic
def einvoice_bulk_file(
    *, tenant: Tenant, actor: User | None, period: ReturnPeriod, part: int = 1
) -> EInvoiceBulkFile:
    """One file for the portal's bulk upload: the period's documents ready for the IRP, split in parts
    of at most 1 MB (the portal's limit). Audited: who took which documents to the portal, and when."""
    rights.right_require(tenant=tenant, actor=actor, right=rights.EINVOICE)
    rows = einvoice_selectors.einvoice_rows(tenant=tenant, period=period, today=timezone.localdate())
    numbers, texts = einvoice_bulk_texts(rows)
    if not texts:
        raise EInvoiceNotReady(
            f"No document of {period.label} is ready for the IRP: the e-Invoices page lists what stops each one.",
            [],
        )
    parts = bulk_parts(texts)
    if not 1 <= part <= len(parts):
        raise ValidationError(
            {
                "part": [
                    f"The ready documents of {period.label} make {len(parts)} file(s): choose 1 to {len(parts)}."
                ]
            }
        )
    chosen = parts[part - 1]
    who = tenant.gstin or tenant.slug
    suffix = f"-{part}-of-{len(parts)}" if len(parts) > 1 else ""
    bulk = EInvoiceBulkFile(
        content=bulk_json([texts[i] for i in chosen]),
        file_name=f"einvoices-{who}-{period.code}{suffix}.json",
        numbers=[numbers[i] for i in chosen],
        part=part,
        parts=len(parts),
    )
    audit_record(
        tenant=tenant, actor=actor, action="einvoice.bulk_download",
        summary=f"Took the IRP's bulk file of {period.label}{f' (part {part} of {len(parts)})' if suffix else ''}: "
        f"{len(chosen)} document(s), {bulk.numbers[0]} to {bulk.numbers[-1]}",
    )  # fmt: skip
    return bulk


def _answer_items(answers: bytes | str | list) -> list[Any]:
    """The answers of a file: a JSON list of them, one answer, or the IRP's `{"result": …}` around either."""
    try:
        data = answers if isinstance(answers, list) else json.loads(answers)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(
            {"answers": ["The file is not JSON: upload the answer file the IRP gave for the bulk upload."]}
        ) from None
    if isinstance(data, dict) and isinstance(data.get("result"), list):
        data = data["result"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ValidationError({"answers": ["The file holds no answer."]})
    if len(items) > ANSWERS_MAX:
        raise ValidationError(
            {"answers": [f"The file holds {len(items):,} answers; import at most {ANSWERS_MAX:,} at once."]}
        )
    return items


def _einvoice_new(*, tenant: Tenant, actor: User | None, document: Invoice, answer: IrpAnswer) -> EInvoice:
    einvoice = EInvoice(
        tenant=tenant, document=document, irn=answer.irn, ack_no=answer.ack_no, ack_at=answer.ack_at,
        signed_qr=answer.signed_qr, signed_invoice=answer.signed_invoice, status=EInvoice.Status.ACTIVE,
        retain_until=document.retain_until, imported_by=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    einvoice.full_clean(
        exclude=["tenant", "document", "imported_by"], validate_unique=False, validate_constraints=False
    )
    return einvoice


def _pdf_after_commit(tenant: Tenant, einvoices: list[EInvoice]) -> None:
    ids = [e.pk for e in einvoices]
    transaction.on_commit(
        lambda: [task_send(tasks.einvoice_pdf_render_task, pk, tenant_id=tenant.pk) for pk in ids]
    )


def _ack_text(answer: IrpAnswer | EInvoice) -> str:
    return f"ack {answer.ack_no} of {timezone.localtime(answer.ack_at, IST):%d %b %Y %H:%M}"


@dataclass(frozen=True)
class EInvoiceImport:
    recorded: list[EInvoice]  # new today
    already: list[EInvoice]  # the same answer, imported before


@transaction.atomic
def einvoice_answers_import(
    *, tenant: Tenant, actor: User | None, answers: bytes | str | list
) -> EInvoiceImport:
    """Record the IRP's answers (IRN, acknowledgement, signed QR code) on the shop's documents.

    Each answer is matched to an issued document of this shop by the GSTIN, type, number and date it
    names (its own fields, else its signed QR code's data). All or nothing: an answer for another
    GSTIN, an unknown document, or a document that already has another IRN refuses the whole file
    with the list of what did not match. The same answer imported again is recognised and left as it is.
    """
    rights.right_require(tenant=tenant, actor=actor, right=rights.EINVOICE)
    problems: list[str] = []
    parsed: list[tuple[str, IrpAnswer]] = []
    for n, item in enumerate(_answer_items(answers), start=1):
        try:
            answer = irp_answer_read(item)
        except ValueError as exc:
            problems.append(f"Answer {n}: {exc}.")
            continue
        who = f"Answer {n} ({answer.type_code or '?'} {answer.number or '?'})"
        if not (answer.number and answer.doc_type):
            problems.append(
                f"Answer {n} (IRN {answer.irn}): it names no document (no DocNo and DocTyp in it or its QR code)."
            )
        elif answer.status.upper() not in ("ACT", "ACTIVE"):
            problems.append(f"{who}: the IRP marks its IRN {answer.status}, not active.")
        else:
            parsed.append((who, answer))

    # The documents named, locked so that two imports of one file record each answer once.
    numbers = {answer.number for _, answer in parsed}
    documents: dict[tuple[str, str, str], list[Invoice]] = {}
    for document in (
        Invoice.objects.for_tenant(tenant).select_for_update(of=("self",))
        .filter(number__in=numbers).exclude(status=Invoice.Status.DRAFT).select_related("einvoice").order_by("pk")
    ):  # fmt: skip
        documents.setdefault((document.seller_gstin, document.doc_type, document.number), []).append(document)
    known = dict(
        EInvoice.objects.for_tenant(tenant)
        .filter(irn__in=[a.irn for _, a in parsed])
        .values_list("irn", "document__number")
    )

    recorded: list[EInvoice] = []
    already: list[EInvoice] = []
    irn_of: dict[int, str] = {}  # in this file: document id → its IRN, and back
    document_of: dict[str, int] = {}
    for who, answer in parsed:
        gstin = answer.seller_gstin or tenant.gstin
        found = documents.get((gstin, answer.doc_type, answer.number), [])
        kind = KIND_NAMES[answer.doc_type]
        if not found:
            if gstin != tenant.gstin:
                problems.append(
                    f"{who}: it is for GSTIN {gstin}, not this shop's ({tenant.gstin or 'none'})."
                )
            else:
                problems.append(f"{who}: this shop has no issued {kind} {answer.number} under GSTIN {gstin}.")
            continue
        if len(found) > 1:
            problems.append(
                f"{who}: {len(found)} documents of this shop carry that number; import it from the document."
            )
            continue
        document = found[0]
        if answer.issued_on is not None and answer.issued_on != document.issued_on:
            problems.append(
                f"{who}: the answer is for a document of {answer.issued_on:%d %b %Y}, but {kind} {document.number} "
                f"is dated {document.issued_on:%d %b %Y}."
            )
            continue
        existing = einvoice_selectors.einvoice_on(document)
        if existing is not None and existing.irn == answer.irn:
            already.append(existing)
            continue
        if existing is not None:
            state = "cancelled" if existing.status == EInvoice.Status.CANCELLED else "active"
            problems.append(
                f"{who}: it already has IRN {existing.irn} ({state}); the IRP gives a document one IRN."
            )
            continue
        if answer.irn in known or document_of.get(answer.irn, document.pk) != document.pk:
            problems.append(f"{who}: IRN {answer.irn} is already recorded for another document.")
            continue
        if irn_of.get(document.pk, answer.irn) != answer.irn:
            problems.append(f"{who}: the file gives {kind} {document.number} two IRNs; the IRP gives it one.")
            continue
        if document.status != Invoice.Status.ISSUED:
            problems.append(
                f"{who}: {kind} {document.number} is cancelled: a cancelled document takes no IRN."
            )
            continue
        if document.pk in irn_of:  # the same answer twice in one file
            continue
        irn_of[document.pk], document_of[answer.irn] = answer.irn, document.pk
        recorded.append(_einvoice_new(tenant=tenant, actor=actor, document=document, answer=answer))
    if problems:
        raise EInvoiceImportRefused(
            f"Nothing was recorded: {len(problems)} answer(s) of the file can't be matched to this shop's documents. "
            + " ".join(problems[:20])
            + (f" … and {len(problems) - 20} more." if len(problems) > 20 else ""),
            problems,
        )
    for einvoice in recorded:
        einvoice.save(force_insert=True)
    audit_record_many(
        tenant=tenant, actor=actor,
        entries=[AuditEntry("einvoice.import", f"Recorded IRN {e.irn} for {e.document.kind_name} {e.document.number} "
                            f"({_ack_text(e)}) from the IRP's answer file", e) for e in recorded],
    )  # fmt: skip
    _pdf_after_commit(tenant, recorded)
    return EInvoiceImport(recorded=recorded, already=already)


def irp_connected(*, tenant: Tenant) -> bool:
    """Whether the shop registers documents through the IRP's API (else through the portal's bulk upload)."""
    return irp_client(gstin=tenant.gstin) is not None


@transaction.atomic
def einvoice_generate(*, tenant: Tenant, actor: User | None, document: Invoice) -> EInvoice:
    """Register the document on the IRP through its API and record the answer.

    If the IRP already registered it (an earlier try whose answer never arrived: error 2150), its
    existing IRN is read back and recorded, as India Compliance does.
    """
    assert document.tenant_id == tenant.id
    rights.right_require(tenant=tenant, actor=actor, right=rights.EINVOICE)
    document = (
        Invoice.objects.for_tenant(tenant).select_for_update(of=("self",))
        .select_related("customer", "original").get(pk=document.pk)
    )  # fmt: skip
    client = irp_client(gstin=document.seller_gstin or tenant.gstin)  # the GSTIN it was issued under
    if client is None:
        raise IrpNotConnected(
            "This shop is not connected to the IRP: download the document's JSON (or the period's bulk file), "
            "upload it on the e-invoice portal and import the answer file on the e-Invoices page."
        )
    record = einvoice_document_record(tenant=tenant, document=document)
    payload = einvoice_payload(record)
    try:
        answer = client.generate(payload)
    except IrpDuplicate as duplicate:
        answer = client.get_by_irn(duplicate.irn)
    if (answer.number and answer.number != document.number) or (
        answer.type_code and answer.type_code != TYPE_CODES[document.doc_type]
    ):
        raise IrpRefused(
            f"The IRP answered for another document ({answer.type_code} {answer.number}): nothing was recorded."
        )
    einvoice = _einvoice_new(tenant=tenant, actor=actor, document=document, answer=answer)
    einvoice.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=actor, action="einvoice.generate",
        summary=f"Registered {document.kind_name} {document.number} on the IRP: IRN {einvoice.irn} ({_ack_text(einvoice)})",
        target=einvoice,
    )  # fmt: skip
    _pdf_after_commit(tenant, [einvoice])
    return einvoice


@transaction.atomic
def einvoice_cancel_record(
    *, tenant: Tenant, actor: User | None, einvoice: EInvoice, reason: str, remark: str = ""
) -> EInvoice:
    """Cancel an IRN, within 24 hours of its acknowledgement, together with its document.

    Connected to the IRP, the IRN is cancelled there; otherwise this records the cancellation the
    shop made on the portal. The document is cancelled through `invoice_cancel` in the same
    transaction, under its rules (on its day of issue, no notes against it): if it can't be, nothing
    is cancelled. The record stays, marked cancelled: the IRP never registers the number again.
    """
    assert einvoice.tenant_id == tenant.id
    rights.right_require(tenant=tenant, actor=actor, right=rights.EINVOICE)
    if reason not in CANCEL_REASONS:
        choices = ", ".join(f"{code} ({label.lower()})" for code, (_, label) in CANCEL_REASONS.items())
        raise ValidationError({"reason": [f"Choose why the IRN is cancelled: {choices}."]})
    remark = " ".join((remark or "").split())[:100] or CANCEL_REASONS[reason][1]
    einvoice = EInvoice.objects.select_for_update(of=("self",)).select_related("document").get(pk=einvoice.pk)
    document = einvoice.document
    name = f"{document.kind_name} {document.number}"
    if einvoice.status == EInvoice.Status.CANCELLED:
        raise EInvoiceNotCancellable(
            f"The IRN of {name} was cancelled on {timezone.localtime(einvoice.cancelled_at, IST):%d %b %Y %H:%M}."
        )
    now = timezone.now()
    deadline = cancel_deadline(einvoice.ack_at)
    if now > deadline:
        raise EInvoiceNotCancellable(
            f"The IRN of {name} was acknowledged on {timezone.localtime(einvoice.ack_at, IST):%d %b %Y %H:%M}: the IRP "
            f"cancels an IRN only within 24 hours, so until {timezone.localtime(deadline, IST):%d %b %Y %H:%M}. "
            f"To reverse it now, {REVERSED_BY[document.doc_type]}."
        )
    # The IRN first (the document's own cancellation refuses while its IRN is active), then the document
    # under its rules, then the IRP: a refusal of either rolls all of it back.
    einvoice.status = EInvoice.Status.CANCELLED
    einvoice.cancelled_at = now
    einvoice.cancel_reason = f"{CANCEL_REASONS[reason][1]}: {remark}"[:100]
    einvoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    try:
        invoice_cancel(tenant=tenant, actor=actor, invoice=document, reason=f"IRN cancelled: {remark}")
    except (ValidationError, ApplicationError) as exc:
        raise EInvoiceNotCancellable(
            f"An IRN is cancelled together with its document, and {name} can't be cancelled: {service_error_text(exc)}"
        ) from exc
    client = irp_client(gstin=document.seller_gstin)
    if client is not None:  # last: the IRP's cancellation is the one step that can't be rolled back
        try:
            client.cancel(einvoice.irn, reason, remark)
        except IrpRefused as exc:
            if exc.irp_code != "9999":  # 9999: already cancelled there (an earlier try whose answer was lost)
                raise
    audit_record(
        tenant=tenant, actor=actor, action="einvoice.cancel",
        summary=f"Cancelled IRN {einvoice.irn} of {name}{' on the IRP' if client else ' (cancelled on the portal)'}: "
        f"{einvoice.cancel_reason}",
        target=einvoice,
    )  # fmt: skip
    return einvoice
