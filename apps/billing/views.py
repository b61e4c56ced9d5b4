"""The workspace's own view of its AMC: plan, state, dates and history (owners and admins); renewing it
online and the checkout's answer, its payments and Tijori's invoices. Razorpay's webhook is in
`apps.billing.webhooks`."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.billing import selectors, services
from apps.billing.exceptions import PaymentsOff
from apps.billing.gateway import gateway, payments_online
from apps.billing.models import BillingOrder, Contract
from apps.billing.services import today_local
from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import service_error_text
from apps.core.money import inr
from apps.provisioning.services.quotas import quota_limits
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view
from apps.tenants.access.writes import tenant_contract

# Existing badge colours of app.css: green for standing, blue for a trial, amber for grace, red for stopped.
STATE_BADGES = {
    Contract.State.TRIALING: "badge-at_centre",
    Contract.State.ACTIVE: "badge-hallmarked",
    Contract.State.GRACE: "badge-pending",
    Contract.State.EXPIRED: "badge-state-failed",
    Contract.State.SUSPENDED: "badge-state-failed",
}


@require_GET
@tenant_view(rights.BILLING_SEE)
def contract_view(request):
    return _billing_page(request)


def _billing_page(request, *, status: int = 200, payment_error: str = ""):
    """The Billing page: the AMC and its history, what renewing costs, the payments and Tijori's invoices;
    `payment_error` says why a renewal or a checkout's answer was refused."""
    tenant = request.tenant
    contract = tenant_contract(request)  # read once for the page and the AMC banner
    today = today_local()
    context = {
        "contract": contract,
        "today": today,
        "days_left": contract.days_left(today) if contract else None,
        "state_badge": STATE_BADGES.get(contract.state, "") if contract else "",
        "events": selectors.contract_event_list(tenant=tenant) if contract else [],
        # A plan states no quotas of its own: the workspace's provisioning limits are the ones that apply.
        "quotas": None if tenant.is_shop else quota_limits(tenant=tenant),
        **_payment_context(tenant, contract, today),
        "payment_error": payment_error,
    }
    return render(request, "billing/contract.html", context, status=status)


# --- paying: the amount due, renewing online, the checkout's answer, invoices, Razorpay's webhook -------


def _payment_context(tenant, contract, today) -> dict:
    """What the Billing page shows about paying. A plan with nothing to pay shows none of it."""
    if contract is None or contract.period_kind == Contract.PeriodKind.FREE:
        return {"billed": False}
    contract.tenant = tenant
    due, due_error = None, ""
    try:
        due = selectors.amount_due(contract=contract, on=today)
    except ApplicationError as exc:
        due_error = exc.message
    return {
        "billed": True,
        "due": due,
        "due_error": due_error,
        "payments_online": payments_online(),
        "payments_standin": settings.RAZORPAY_STANDIN,
        "open_order": selectors.billing_order_open(tenant=tenant),
        "payments": selectors.billing_payment_list(tenant=tenant),
        "platform_invoices": selectors.platform_invoice_list(tenant=tenant),
    }


@post_only("billing:contract")
@tenant_view(rights.BILLING_PAY)
def renew_view(request):
    """ "Renew now": the order for the amount due (the open one, or a new one), then its checkout."""
    try:
        order = services.billing_order_start(tenant=request.tenant, actor=request.user)
    except (ApplicationError, ValidationError) as exc:
        return _billing_page(
            request, status=getattr(exc, "status_code", 409), payment_error=service_error_text(exc)
        )
    return redirect("billing:checkout", order_id=order.pk)


@require_GET
@tenant_view(rights.BILLING_PAY)
def checkout_view(request, order_id: int):
    """The order's checkout: Razorpay's (its script opens over this page), or the local stand-in's page."""
    order = selectors.billing_order_get(tenant=request.tenant, order_id=order_id)
    if order.status == BillingOrder.Status.PAID:
        messages.info(request, "This order is already paid.")
        return redirect("billing:contract")
    if order.status == BillingOrder.Status.EXPIRED:
        messages.info(request, "That order was given up: press “Renew now” for the amount due today.")
        return redirect("billing:contract")
    return_url = reverse("billing:checkout_return", kwargs={"order_id": order.pk})
    try:
        paying = gateway()
    except PaymentsOff as exc:
        messages.error(request, exc.message)
        return redirect("billing:contract")
    if paying.standin:
        standin = reverse("payments:standin_checkout", kwargs={"order_id": order.gateway_order_id})
        return redirect(f"{standin}?{urlencode({'callback_url': return_url})}")
    response = render(
        request,
        "billing/checkout.html",
        {
            "order": order,
            "key_id": paying.key_id,
            "return_url": return_url,
            "merchant": settings.PLATFORM_LEGAL_NAME,
        },
    )
    response._csp_update = settings.RAZORPAY_CHECKOUT_CSP  # Razorpay's script and frames, on this page only
    return response


@post_only("billing:contract")
@tenant_view(rights.BILLING_PAY)
def checkout_return_view(request, order_id: int):
    """The checkout's answer, posted back here: recorded once its signature is Razorpay's."""
    order = selectors.billing_order_get(tenant=request.tenant, order_id=order_id)
    if request.POST.get("razorpay_order_id", order.gateway_order_id) != order.gateway_order_id:
        raise Http404("The answer is for another order.")
    try:
        payment = services.billing_checkout_return(
            tenant=request.tenant,
            actor=request.user,
            order=order,
            gateway_payment_id=request.POST.get("razorpay_payment_id", ""),
            signature=request.POST.get("razorpay_signature", ""),
        )
    except (ApplicationError, ValidationError) as exc:
        return _billing_page(
            request, status=getattr(exc, "status_code", 409), payment_error=service_error_text(exc)
        )
    contract = selectors.contract_for(tenant=request.tenant)
    messages.success(
        request,
        f"Paid {inr(payment.amount)}: the AMC is renewed until {contract.period_end:%d %b %Y}. "
        "Tijori's invoice is under Invoices below.",
    )
    return redirect("billing:contract")


@require_GET
@tenant_view(rights.BILLING_SEE)
def platform_invoice_pdf_view(request, invoice_id: int):
    """The PDF of one of Tijori's invoices or credit notes to this shop, through an expiring link."""
    invoice = selectors.platform_invoice_get(tenant=request.tenant, invoice_id=invoice_id)
    return redirect(services.platform_invoice_pdf_link(invoice=invoice, user=request.user))
