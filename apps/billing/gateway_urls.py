"""/billing/: what Razorpay (or its local stand-in) reaches, outside the shop's pages and the API.

The webhook authenticates by its signature, not a session. The stand-in's checkout is mounted only while
`RAZORPAY_STANDIN` is on (never in production).
"""

from django.conf import settings
from django.urls import path

from apps.billing import standin, webhooks

app_name = "payments"

urlpatterns = [
    path("webhooks/razorpay", webhooks.razorpay_webhook_view, name="razorpay_webhook"),
]
if settings.RAZORPAY_STANDIN:
    urlpatterns.append(
        path("standin/checkout/<str:order_id>", standin.standin_checkout_view, name="standin_checkout")
    )
