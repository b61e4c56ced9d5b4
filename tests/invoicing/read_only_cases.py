"""Documents of the expired shop that are ready for the IRP (a registered buyer, e-invoicing switched
on), so reading their e-invoice JSON answers 200 (the isolation cases use bills to walk-in buyers)."""

from apps.invoicing import services
from tests.invoicing.isolation_cases import _einvoiced, _owner
from tests.read_only import read_only_case


@read_only_case("api:invoice-e-invoice")
def _api_invoice_einvoice(tenant):
    """Another bill to the e-invoiced one's registered buyer, not registered on the IRP yet."""
    buyer = _einvoiced(tenant).document.customer
    tenant, owner = buyer.tenant, _owner(buyer.tenant)
    invoice = services.invoice_draft_create(tenant=tenant, actor=owner, customer=buyer)
    services.invoice_line_add_free(
        tenant=tenant, actor=owner, invoice=invoice, description="Repair", hsn_code="998729", amount="10"
    )
    return {"pk": services.invoice_issue(tenant=tenant, actor=owner, invoice=invoice).pk}


def _b2b_note(tenant, kind: str):
    """A note against an e-invoiced bill to a registered buyer."""
    invoice = _einvoiced(tenant).document
    tenant, owner = invoice.tenant, _owner(invoice.tenant)
    if kind == "credit_note":
        note = services.credit_note_draft_create(
            tenant=tenant, actor=owner, original=invoice, reason="deficiency"
        )
    else:
        note = services.debit_note_draft_create(
            tenant=tenant, actor=owner, original=invoice, reason="price_increase"
        )
    services.note_line_add_amount(
        tenant=tenant, actor=owner, note=note, original_line=invoice.lines.get(), amount="1"
    )
    return services.invoice_issue(tenant=tenant, actor=owner, invoice=note)


@read_only_case("api:credit-note-e-invoice")
def _api_credit_note_einvoice(tenant):
    return {"pk": _b2b_note(tenant, "credit_note").pk}


@read_only_case("api:debit-note-e-invoice")
def _api_debit_note_einvoice(tenant):
    return {"pk": _b2b_note(tenant, "debit_note").pk}
