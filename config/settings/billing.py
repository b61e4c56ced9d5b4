"""AMC payments (apps.billing): Razorpay or its local stand-in, and the platform's own GST identity.

Which gateway takes payments is decided here and nowhere else (`apps.billing.gateway.gateway`):
- `RAZORPAY_STANDIN` on (the default of `make run` and the tests): orders and the checkout are the app's
  own local stand-in for Razorpay, under /billing/standin/, bannered on every page it shows; no money
  moves. Signatures are made and checked exactly as Razorpay's are, with the secrets below.
- Off, with `RAZORPAY_KEY_ID` set (production): the `razorpay` SDK and Razorpay's hosted Checkout.
- Off and no key: online payments are off; super admins still record payments received by bank or UPI.
"""

from config.env import env

# Razorpay's API key pair (Dashboard → Account & Settings → API keys) and the secret of the webhook set up
# at /billing/webhooks/razorpay (Dashboard → Webhooks; events payment.captured, payment.failed, order.paid).
RAZORPAY_KEY_ID = env("RAZORPAY_KEY_ID", default="")
RAZORPAY_KEY_SECRET = env("RAZORPAY_KEY_SECRET", default="")
RAZORPAY_WEBHOOK_SECRET = env("RAZORPAY_WEBHOOK_SECRET", default="")
# The local stand-in for Razorpay's order API and checkout (never in production: production forces it off).
RAZORPAY_STANDIN = env.bool("RAZORPAY_STANDIN", default=False)
# Where the stand-in delivers its signed webhooks. Default: this site's own endpoint (TIJORI_SITE_URL).
RAZORPAY_STANDIN_WEBHOOK_URL = env("RAZORPAY_STANDIN_WEBHOOK_URL", default="")
# Seconds a call to Razorpay's API may take: the SDK itself waits for ever.
RAZORPAY_TIMEOUT_SECONDS = env.int("RAZORPAY_TIMEOUT_SECONDS", default=15)
# Razorpay's Checkout runs its own script and frames on the page that opens it; only that page widens its
# policy by these sources (https://razorpay.com/docs/payments/payment-gateway/web-integration/standard/).
RAZORPAY_CHECKOUT_CSP = {
    "script-src": ["https://checkout.razorpay.com"],
    "frame-src": ["https://api.razorpay.com", "https://checkout.razorpay.com"],
    "connect-src": ["https://api.razorpay.com", "https://lumberjack.razorpay.com"],
    "img-src": ["https://cdn.razorpay.com"],
}

# Orders still awaiting payment this long after they were made are asked about by the daily
# reconciliation (Razorpay stops retrying a webhook after 24 hours, then disables it).
BILLING_RECONCILE_AFTER_MINUTES = env.int("BILLING_RECONCILE_AFTER_MINUTES", default=30)
# An order nobody paid is given up after this many days (a new "Renew now" makes a new one).
BILLING_ORDER_EXPIRE_DAYS = env.int("BILLING_ORDER_EXPIRE_DAYS", default=7)
# Requests to the webhook endpoint per client address (Razorpay's own retries stay far below it).
BILLING_WEBHOOK_RATE = env("BILLING_WEBHOOK_RATE", default="600/min")

# The platform as a GST supplier: its own invoices to shops carry these (copied onto each at issue).
# Production needs all four once payments are on; local and test settings give a demo identity.
PLATFORM_GSTIN = env("PLATFORM_GSTIN", default="")
PLATFORM_LEGAL_NAME = env("PLATFORM_LEGAL_NAME", default="")
PLATFORM_ADDRESS = env("PLATFORM_ADDRESS", default="")
PLATFORM_STATE_CODE = env("PLATFORM_STATE_CODE", default="")
# The AMC's SAC: IT support and maintenance services, 18% in the rate table (confirm with the CA).
PLATFORM_SAC = env("PLATFORM_SAC", default="998313")

# Local and demo defaults: a well-formed identity no one holds, and the stand-in's secrets.
DEMO_PLATFORM = {
    "PLATFORM_GSTIN": "27AAICT4821M1ZX",
    "PLATFORM_LEGAL_NAME": "Tijori Software Private Limited",
    "PLATFORM_ADDRESS": "4th floor, Example Tech Park, Powai, Mumbai 400076",
    "PLATFORM_STATE_CODE": "27",
}
STANDIN_KEYS = {
    "RAZORPAY_KEY_ID": "rzp_test_standin",
    "RAZORPAY_KEY_SECRET": "standin-key-secret",
    "RAZORPAY_WEBHOOK_SECRET": "standin-webhook-secret",
}


def embedded_defaults() -> dict:
    """`make run` and the tests: the stand-in for Razorpay and the demo platform. A variable set (and not
    left empty, as a copied .env.example leaves it) wins."""
    values = {
        name: env(name, default="") or value for name, value in {**DEMO_PLATFORM, **STANDIN_KEYS}.items()
    }
    standin = env.bool("RAZORPAY_STANDIN") if env("RAZORPAY_STANDIN", default="") else True
    return {**values, "RAZORPAY_STANDIN": standin}
