from apps.core.exceptions import ApplicationError


class ContractTransitionRefused(ApplicationError):
    """The AMC's state does not allow the action (suspend a suspended AMC, renew a free plan) (409)."""

    code = "contract_transition_refused"


class ContractUnderpaid(ApplicationError):
    """A renewal paid less than a year of the plan costs (409)."""

    code = "contract_underpaid"


class PlanChangeRefused(ApplicationError):
    """A plan change that would leave new workspaces without a default plan, or a workspace on a plan
    of the other kind (409)."""

    code = "plan_change_refused"


class BillingOrderRefused(ApplicationError):
    """An online renewal can't start: a free plan, a suspended AMC, a shop whose state is not set (409)."""

    code = "billing_order_refused"


class PaymentsOff(ApplicationError):
    """Online payments, or the platform's GST details its invoices need, are not set up (409)."""

    code = "payments_off"


class PaymentGatewayUnavailable(ApplicationError):
    """Razorpay (or its local stand-in) could not make or report an order; nothing was charged (503)."""

    code = "payment_gateway_unavailable"
    status_code = 503


class PaymentSignatureInvalid(ApplicationError):
    """A checkout answer or a webhook that Razorpay did not sign with our secrets: nothing is recorded (400)."""

    code = "payment_signature_invalid"
    status_code = 400


class WebhookPayloadInvalid(ApplicationError):
    """A signed webhook that is not a Razorpay event (not JSON, no event id) (400)."""

    code = "webhook_payload_invalid"
    status_code = 400


class PlatformInvoiceRefused(ApplicationError):
    """A credit note that can't be issued: already reversed, past the legal date, not an invoice (409)."""

    code = "platform_invoice_refused"
