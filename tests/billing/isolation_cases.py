"""Every URL of AMC payments that names an object: another workspace's order, stand-in order or invoice
answers 404, like a missing one, and changes nothing."""

from apps.billing import services
from apps.billing.models import PlatformInvoice
from tests.billing.signed import order_for, payment_id
from tests.isolation import isolation_case


def _invoice(tenant) -> PlatformInvoice:
    """A year paid online and Tijori's invoice for it."""
    order = order_for(tenant)
    payment = services.billing_payment_confirm(
        order=order, gateway_payment_id=payment_id(), amount_paise=order.amount_paise, caused_by="test"
    )
    return PlatformInvoice.objects.get(payment=payment)


@isolation_case("billing:checkout")
def _checkout(other_tenant):
    return {"order_id": order_for(other_tenant).pk}


@isolation_case("billing:checkout_return", methods=["POST"])
def _checkout_return(other_tenant):
    return {"order_id": order_for(other_tenant).pk}


@isolation_case("billing:invoice_pdf")
def _invoice_pdf(other_tenant):
    return {"invoice_id": _invoice(other_tenant).pk}


@isolation_case("payments:standin_checkout", methods=["GET", "POST"])
def _standin_checkout(other_tenant):
    return {"order_id": order_for(other_tenant).gateway_order_id}


@isolation_case("api:billing-invoice-pdf", api=True)
def _api_invoice_pdf(other_tenant):
    return {"pk": _invoice(other_tenant).pk}
