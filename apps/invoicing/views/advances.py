"""A receipt voucher's pages: what the advance was and where it went, and the voucher as it is printed."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.gst.states import state_name
from apps.gst.words import rupees_in_words
from apps.invoicing import rules, selectors
from apps.invoicing.models import ReceiptVoucher
from apps.tenants.access.decorators import tenant_view


def _voucher_context(request, voucher: ReceiptVoucher) -> dict:
    """What CGST Rule 50 puts on a receipt voucher. The place of supply is the shop's state: an advance
    is taken at the counter, where the goods ordered are handed over."""
    tenant = request.tenant
    customer = voucher.customer
    return {
        "voucher": voucher,
        "customer": customer,
        "shop": tenant,
        "shop_state": state_name(tenant.state_code) if tenant.state_code else "",
        "customer_state": state_name(customer.state_code) if customer.state_code else "",
        "place_code": tenant.state_code,
        "place_name": state_name(tenant.state_code) if tenant.state_code else "",
        "amount_in_words": rupees_in_words(voucher.amount),
        "no_gst_line": rules.ADVANCE_NO_GST_LINE,
    }


@require_GET
@tenant_view()
def receipt_voucher_detail_view(request, voucher_id: int):
    voucher = selectors.receipt_voucher_get(tenant=request.tenant, voucher_id=voucher_id)
    context = _voucher_context(request, voucher)
    context["adjustments"] = list(
        selectors.receipt_voucher_adjustments(tenant=request.tenant, voucher=voucher)
    )
    return render(request, "invoicing/receipt_voucher_detail.html", context)


@require_GET
@tenant_view()
def receipt_voucher_print_view(request, voucher_id: int):
    """The voucher printed from the browser on A4, in the bill's layout."""
    voucher = selectors.receipt_voucher_get(tenant=request.tenant, voucher_id=voucher_id)
    return render(request, "invoicing/receipt_voucher_print.html", _voucher_context(request, voucher))
