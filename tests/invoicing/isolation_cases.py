from apps.inventory.models import Purity
from apps.inventory.services import stock_item_create
from apps.invoicing import services
from apps.tenants.models import Membership, Role
from apps.tenants.services import tenant_update
from tests.isolation import Probe, input_case, isolation_case
from tests.tenants.factories import gstin_for, gstin_verified


def _owner(tenant):
    return Membership.objects.for_tenant(tenant).get(role=Role.OWNER).user


def _customer(tenant, name="Their customer"):
    return services.customer_create(
        tenant=tenant, actor=_owner(tenant), name=name, state_code=tenant.state_code
    )


def _draft(tenant):
    invoice = services.invoice_draft_create(tenant=tenant, actor=_owner(tenant), customer=_customer(tenant))
    services.invoice_line_add_free(
        tenant=tenant,
        actor=_owner(tenant),
        invoice=invoice,
        description="Their repair",
        hsn_code="9987",
        amount="10",
    )
    return invoice


def _item(tenant):
    # Silver: sellable without a HUID or a rate check until it is put on a line.
    purity = Purity.objects.get(metal="silver", fineness=925)
    return stock_item_create(
        tenant=tenant, actor=_owner(tenant), name="Their anklet", purity=purity, gross_weight="20"
    )


@isolation_case("api:customer-detail", methods=["GET", "PATCH"], api=True)
def _api_customer(other_tenant):
    return {"pk": _customer(other_tenant).pk}


@isolation_case("api:invoice-detail", methods=["GET", "PATCH", "DELETE"], api=True)
def _api_invoice(other_tenant):
    return {"pk": _draft(other_tenant).pk}


@isolation_case("api:invoice-lines", methods=["POST"], api=True)
def _api_invoice_lines(other_tenant):
    return {"pk": _draft(other_tenant).pk}


@isolation_case("api:invoice-line", methods=["PATCH", "DELETE"], api=True)
def _api_invoice_line(other_tenant):
    invoice = _draft(other_tenant)
    return {"pk": invoice.pk, "line_id": invoice.lines.get().pk}


@isolation_case("api:invoice-issue", methods=["POST"], api=True)
def _api_invoice_issue(other_tenant):
    return {"pk": _draft(other_tenant).pk}


@isolation_case("api:invoice-cancel", methods=["POST"], api=True)
def _api_invoice_cancel(other_tenant):
    return {"pk": _draft(other_tenant).pk}


# --- ids in list filters and request bodies ----------------------------------------------------------


@input_case("invoices_list query:customer")
def _filter_invoices_by_customer(tenant, other_tenant):
    return Probe("GET", "/api/v1/invoices", lambda pk: {"customer": pk}, _draft(other_tenant).customer_id)


@input_case("invoices_create body:customer")
def _draft_for_their_customer(tenant, other_tenant):
    return Probe("POST", "/api/v1/invoices", lambda pk: {"customer": pk}, _customer(other_tenant).pk)


@input_case("invoices_partial_update body:customer")
def _move_our_draft_to_their_customer(tenant, other_tenant):
    ours = services.invoice_draft_create(tenant=tenant, actor=_owner(tenant))
    return Probe(
        "PATCH", f"/api/v1/invoices/{ours.pk}", lambda pk: {"customer": pk}, _customer(other_tenant).pk
    )


@input_case("invoices_create body:lines[].stock_item")
def _draft_with_their_article(tenant, other_tenant):
    return Probe(
        "POST", "/api/v1/invoices", lambda pk: {"lines": [{"stock_item": pk}]}, _item(other_tenant).pk
    )


@input_case("invoices_lines_create body:stock_item")
def _add_their_article(tenant, other_tenant):
    ours = services.invoice_draft_create(tenant=tenant, actor=_owner(tenant))
    return Probe(
        "POST", f"/api/v1/invoices/{ours.pk}/lines", lambda pk: {"stock_item": pk}, _item(other_tenant).pk
    )


def _registered(tenant):
    """The shop with the verified GSTIN and the address a GST document needs."""
    if not tenant.gstin:
        tenant = tenant_update(
            tenant=tenant, actor=_owner(tenant), name=tenant.name, state_code=tenant.state_code,
            gstin=gstin_for(tenant.state_code, pan=f"AAACX{tenant.pk % 10000:04d}Z"), address="1 Main Road",
        )  # fmt: skip
    return gstin_verified(tenant)


def _issued(tenant):
    tenant = _registered(tenant)
    invoice = _draft(tenant)
    return services.invoice_issue(tenant=tenant, actor=_owner(tenant), invoice=invoice)


def _voucher(tenant):
    tenant = _registered(tenant)
    return services.old_gold_voucher_create(
        tenant=tenant, actor=_owner(tenant), customer=_customer(tenant), description="Their old chain",
        gross_weight="10", purity_percent="91.6", rate_per_gram="7000",
    )  # fmt: skip


def _payment(tenant):
    return services.payment_record(
        tenant=tenant, actor=_owner(tenant), invoice=_issued(tenant), mode="upi", amount="1"
    )


@isolation_case("api:payment-detail", api=True)
def _api_payment(other_tenant):
    return {"pk": _payment(other_tenant).pk}


@isolation_case("api:old-gold-voucher-detail", api=True)
def _api_old_gold_voucher(other_tenant):
    return {"pk": _voucher(other_tenant).pk}


@input_case("payments_list query:invoice")
def _filter_payments_by_invoice(tenant, other_tenant):
    return Probe("GET", "/api/v1/payments", lambda pk: {"invoice": pk}, _payment(other_tenant).invoice_id)


@input_case("payments_create body:invoice")
def _pay_their_invoice(tenant, other_tenant):
    return Probe(
        "POST",
        "/api/v1/payments",
        lambda pk: {"invoice": pk, "mode": "upi", "amount": "1"},
        _issued(other_tenant).pk,
    )


@input_case("payments_create body:old_gold_voucher")
def _pay_with_their_old_gold(tenant, other_tenant):
    ours = _issued(tenant)

    def payload(pk):
        return {"invoice": ours.pk, "mode": "old_gold", "amount": "1", "old_gold_voucher": pk}

    return Probe("POST", "/api/v1/payments", payload, _voucher(other_tenant).pk)


@input_case("old_gold_vouchers_create body:customer")
def _buy_old_gold_from_their_customer(tenant, other_tenant):
    def payload(pk):
        return {"customer": pk, "gross_weight": "5", "purity_percent": "91.6", "rate_per_gram": "7000"}

    return Probe("POST", "/api/v1/old-gold-vouchers", payload, _customer(other_tenant).pk)


# --- pages -----------------------------------------------------------------------------------------


@isolation_case("invoicing:customer_detail")
def _customer_detail(other_tenant):
    return {"customer_id": _customer(other_tenant).pk}


@isolation_case("invoicing:customer_edit", methods=["GET", "POST"])
def _customer_edit(other_tenant):
    return {"customer_id": _customer(other_tenant).pk}


def _their_draft(other_tenant):
    return {"invoice_id": _draft(other_tenant).pk}


def _their_issued(other_tenant):
    return {"invoice_id": _issued(other_tenant).pk}


for _name in ("invoice_detail", "invoice_print"):
    isolation_case(f"invoicing:{_name}")(_their_draft)
for _name in ("invoice_scan", "invoice_free_line", "invoice_buyer", "invoice_buyer_new", "invoice_issue",
              "invoice_discard"):  # fmt: skip
    isolation_case(f"invoicing:{_name}", methods=["POST"])(_their_draft)
for _name in ("invoice_pay", "invoice_old_gold", "invoice_cancel"):
    isolation_case(f"invoicing:{_name}", methods=["POST"])(_their_issued)


@isolation_case("invoicing:invoice_line", methods=["POST"])
def _invoice_line(other_tenant):
    invoice = _draft(other_tenant)
    return {"invoice_id": invoice.pk, "line_id": invoice.lines.get().pk}


@isolation_case("invoicing:invoice_pdf")
def _invoice_pdf(other_tenant):
    return _their_issued(other_tenant)


@isolation_case("invoicing:invoice_email", methods=["POST"])
def _invoice_email(other_tenant):
    return _their_issued(other_tenant)


@isolation_case("api:invoice-pdf", api=True)
def _api_invoice_pdf(other_tenant):
    return {"pk": _issued(other_tenant).pk}


# --- credit and debit notes ------------------------------------------------------------------------


def _note(tenant, kind="credit_note", *, issue=False):
    """A note of `kind` against one of the tenant's issued invoices, crediting or adding ₹1 on its line."""
    invoice = _issued(tenant)
    tenant = invoice.tenant
    create = services.credit_note_draft_create if kind == "credit_note" else services.debit_note_draft_create
    reason = "deficiency" if kind == "credit_note" else "price_increase"
    note = create(tenant=tenant, actor=_owner(tenant), original=invoice, reason=reason)
    services.note_line_add_amount(
        tenant=tenant, actor=_owner(tenant), note=note, original_line=invoice.lines.get(), amount="1"
    )
    return services.invoice_issue(tenant=tenant, actor=_owner(tenant), invoice=note) if issue else note


for _kind, _base in (("credit_note", "credit-note"), ("debit_note", "debit-note")):

    def _draft_note(other_tenant, kind=_kind):
        return {"pk": _note(other_tenant, kind).pk}

    def _issued_note(other_tenant, kind=_kind):
        return {"pk": _note(other_tenant, kind, issue=True).pk}

    def _note_line(other_tenant, kind=_kind):
        note = _note(other_tenant, kind)
        return {"pk": note.pk, "line_id": note.lines.get().pk}

    isolation_case(f"api:{_base}-detail", methods=["GET", "DELETE"], api=True)(_draft_note)
    for _action in ("lines", "issue"):
        isolation_case(f"api:{_base}-{_action}", methods=["POST"], api=True)(_draft_note)
    isolation_case(f"api:{_base}-line", methods=["DELETE"], api=True)(_note_line)
    isolation_case(f"api:{_base}-cancel", methods=["POST"], api=True)(_issued_note)
    isolation_case(f"api:{_base}-pdf", api=True)(_issued_note)

    reason = "deficiency" if _kind == "credit_note" else "price_increase"

    @input_case(f"{_kind}s_create body:original")
    def _note_on_their_invoice(tenant, other_tenant, base=_base, reason=reason):
        return Probe(
            "POST",
            f"/api/v1/{base}s",
            lambda pk: {"original": pk, "reason": reason},
            _issued(other_tenant).pk,
        )

    @input_case(f"{_kind}s_list query:original")
    def _filter_notes_by_their_invoice(tenant, other_tenant, base=_base, kind=_kind):
        return Probe(
            "GET", f"/api/v1/{base}s", lambda pk: {"original": pk}, _note(other_tenant, kind).original_id
        )

    @input_case(f"{_kind}s_list query:customer")
    def _filter_notes_by_their_customer(tenant, other_tenant, base=_base, kind=_kind):
        return Probe(
            "GET", f"/api/v1/{base}s", lambda pk: {"customer": pk}, _note(other_tenant, kind).customer_id
        )

    @input_case(f"{_kind}s_lines_create body:original_line")
    def _note_takes_their_line(tenant, other_tenant, base=_base, kind=_kind):
        ours = _note(tenant, kind)

        def payload(pk):
            return {"original_line": pk, "amount": "1"}

        return Probe(
            "POST",
            f"/api/v1/{base}s/{ours.pk}/lines",
            payload,
            _note(other_tenant, kind).original.lines.get().pk,
        )


def _their_issued_invoice(other_tenant):
    return {"invoice_id": _issued(other_tenant).pk}


for _name in ("credit_note_new", "debit_note_new"):
    isolation_case(f"invoicing:{_name}", methods=["POST"])(_their_issued_invoice)


@isolation_case("invoicing:note_line", methods=["POST"])
def _page_note_line(other_tenant):
    return {"invoice_id": _note(other_tenant).pk}


@isolation_case("invoicing:note_issue", methods=["POST"])
def _page_note_issue(other_tenant):
    return {"invoice_id": _note(other_tenant).pk}


# --- advances on receipt vouchers ------------------------------------------------------------------


def _receipt_voucher(tenant):
    tenant = _registered(tenant)
    return services.receipt_voucher_create(
        tenant=tenant, actor=_owner(tenant), customer=_customer(tenant), mode="upi", amount="1000",
        description="Their order",
    )  # fmt: skip


def _their_receipt_voucher(other_tenant):
    return {"voucher_id": _receipt_voucher(other_tenant).pk}


isolation_case("invoicing:receipt_voucher_detail")(_their_receipt_voucher)
isolation_case("invoicing:receipt_voucher_print")(_their_receipt_voucher)
isolation_case("invoicing:invoice_advance", methods=["POST"])(_their_issued)


@isolation_case("invoicing:customer_advance", methods=["POST"])
def _customer_advance(other_tenant):
    return {"customer_id": _customer(other_tenant).pk}


@isolation_case("api:receipt-voucher-detail", api=True)
def _api_receipt_voucher(other_tenant):
    return {"pk": _receipt_voucher(other_tenant).pk}


@input_case("receipt_vouchers_list query:customer")
def _filter_advances_by_customer(tenant, other_tenant):
    return Probe("GET", "/api/v1/receipt-vouchers", lambda pk: {"customer": pk}, _customer(other_tenant).pk)


@input_case("receipt_vouchers_create body:customer")
def _advance_from_their_customer(tenant, other_tenant):
    def payload(pk):
        return {"customer": pk, "mode": "upi", "amount": "1000", "description": "An order"}

    return Probe("POST", "/api/v1/receipt-vouchers", payload, _customer(other_tenant).pk)


@input_case("payments_create body:receipt_voucher")
def _pay_with_their_advance(tenant, other_tenant):
    ours = _issued(tenant)

    def payload(pk):
        return {"invoice": ours.pk, "mode": "advance", "amount": "1", "receipt_voucher": pk}

    return Probe("POST", "/api/v1/payments", payload, _receipt_voucher(other_tenant).pk)


# --- e-invoices ------------------------------------------------------------------------------------


def _einvoiced(tenant):
    """A B2B invoice of the tenant with its IRN recorded from the IRP's answer."""
    from django.utils import timezone

    from apps.tenants.services import tenant_gst_settings_update
    from tests.gst.fake_irp import FakeIrp

    owner = _owner(tenant)
    tenant = tenant_update(
        tenant=tenant, actor=owner, name=tenant.name, state_code=tenant.state_code,
        gstin=tenant.gstin or gstin_for(tenant.state_code, pan=f"AAACX{tenant.pk % 10000:04d}Z"),
        address="1 Main Road, Chennai 600001",
    )  # fmt: skip
    tenant = gstin_verified(tenant)
    tenant = tenant_gst_settings_update(
        tenant=tenant, actor=owner, gstr1_frequency="monthly", einvoice_from=timezone.localdate(),
        turnover_ten_crore=False,
    )  # fmt: skip
    buyer = services.customer_create(
        tenant=tenant, actor=owner, kind="registered", name="Their trade buyer", state_code=tenant.state_code,
        gstin=gstin_for(tenant.state_code, pan="AAACT1234T"), address="2 Bazaar Road, Chennai", pincode="600002",
    )  # fmt: skip
    invoice = services.invoice_draft_create(tenant=tenant, actor=owner, customer=buyer)
    services.invoice_line_add_free(
        tenant=tenant,
        actor=owner,
        invoice=invoice,
        description="Their repair",
        hsn_code="998729",
        amount="10",
    )
    invoice = services.invoice_issue(tenant=tenant, actor=owner, invoice=invoice)
    answer = FakeIrp().answer_for(services.einvoice_document_payload(tenant=tenant, document=invoice))
    return services.einvoice_answers_import(tenant=tenant, actor=owner, answers=[answer]).recorded[0]


isolation_case("invoicing:invoice_einvoice_json")(_their_issued)
isolation_case("invoicing:invoice_einvoice_generate", methods=["POST"])(_their_issued)


@isolation_case("invoicing:invoice_einvoice_cancel", methods=["POST"])
def _page_einvoice_cancel(other_tenant):
    return {"invoice_id": _einvoiced(other_tenant).document_id}


@isolation_case("api:invoice-e-invoice", api=True)
def _api_invoice_einvoice(other_tenant):
    return {"pk": _issued(other_tenant).pk}


for _kind, _base in (("credit_note", "credit-note"), ("debit_note", "debit-note")):

    def _their_issued_note(other_tenant, kind=_kind):
        return {"pk": _note(other_tenant, kind, issue=True).pk}

    isolation_case(f"api:{_base}-e-invoice", api=True)(_their_issued_note)


@isolation_case("api:e-invoice-detail", api=True)
def _api_einvoice(other_tenant):
    return {"pk": _einvoiced(other_tenant).pk}


@isolation_case("api:e-invoice-cancel", methods=["POST"], api=True)
def _api_einvoice_cancel(other_tenant):
    return {"pk": _einvoiced(other_tenant).pk}
