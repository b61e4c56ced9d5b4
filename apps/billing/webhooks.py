"""Razorpay's webhook: outside the shop's pages, the API and any session; its own authentication is the
signature over the raw body (`billing_webhook_receive`)."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.billing import services
from apps.billing.exceptions import PaymentSignatureInvalid, PaymentsOff, WebhookPayloadInvalid
from apps.core.api.errors import error_body
from apps.core.api.throttling import AnonymousRateThrottle


class WebhookThrottle(AnonymousRateThrottle):
    """Requests to the webhook per client address, counted like the API's anonymous callers."""

    scope = "billing_webhook"

    def get_rate(self) -> str:
        return settings.BILLING_WEBHOOK_RATE


@csrf_exempt
@require_POST
def razorpay_webhook_view(request):
    """Razorpay's webhook, outside the API and any session: its own authentication is the signature over
    the raw body. 400 and nothing written for a bad signature or body; 200 for an event kept (or seen
    before); a failure answers 500 and Razorpay retries."""
    if not WebhookThrottle().allow_request(request, None):
        return JsonResponse(error_body("throttled", "Too many requests: try again in a minute."), status=429)
    try:
        answer = services.billing_webhook_receive(
            raw_body=request.body,
            signature=request.headers.get("X-Razorpay-Signature", ""),
            event_id=request.headers.get("X-Razorpay-Event-Id", ""),
        )
    except (PaymentSignatureInvalid, WebhookPayloadInvalid) as exc:
        return JsonResponse(error_body(exc.code, exc.message), status=400)
    except PaymentsOff as exc:
        return JsonResponse(error_body(exc.code, exc.message), status=404)
    return JsonResponse(
        {"status": "duplicate" if answer.duplicate else "ok", "outcome": answer.event.outcome}
    )
