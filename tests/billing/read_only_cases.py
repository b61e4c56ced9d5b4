"""Tijori's invoice for a shop whose AMC has expired, made without renewing it (a payment recorded before
it lapsed), so the read-only walk downloads it while the shop stays expired."""

from django.utils import timezone

from apps.billing import selectors, services
from apps.billing.models import BillingPayment
from apps.billing.services import today_local
from apps.gst.periods import retain_until
from tests.billing.conftest import contract_of
from tests.read_only import read_only_case


def _invoice_of_an_expired_shop(tenant):
    contract = contract_of(tenant)
    due = selectors.amount_due(contract=contract, on=today_local())
    paid_on = timezone.localdate()
    payment = BillingPayment.objects.create(
        tenant=tenant, contract=contract, method="bank", reference="UTR OLD1", amount=due.amount, paid_on=paid_on,
        caused_by="an earlier year", retain_until=retain_until(paid_on),
    )  # fmt: skip
    return services.platform_invoice_issue(payment=payment, contract=contract, figures=due, actor=None)


@read_only_case("billing:invoice_pdf")
def _invoice_pdf(tenant):
    return {"invoice_id": _invoice_of_an_expired_shop(tenant).pk}


@read_only_case("api:billing-invoice-pdf")
def _api_invoice_pdf(tenant):
    return {"pk": _invoice_of_an_expired_shop(tenant).pk}
