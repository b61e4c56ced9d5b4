"""Production: every secret from the environment, HTTPS only, JSON logs."""

from .base import *

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")


def _ecs_task_addresses() -> list[str]:
    """On ECS the load balancer's health checks name the task's own private address as the host."""
    import json
    import urllib.request

    metadata = env("ECS_CONTAINER_METADATA_URI_V4", default="")
    if not metadata.startswith("http://"):
        return []
    with urllib.request.urlopen(metadata, timeout=2) as answer:  # noqa: S310 - ECS's own link-local endpoint
        container = json.load(answer)
    return [
        address for network in container.get("Networks", []) for address in network.get("IPv4Addresses", [])
    ]


ALLOWED_HOSTS += _ecs_task_addresses()

# TLS ends at the load balancer, which tells us through this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^api/health/live$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Database connections from a pool in each process instead of persistent ones with a `SELECT 1` per
# request (apps.core.db.pool). DATABASE_POOL_MAX_SIZE at least gunicorn's threads per worker.
if env.bool("DATABASE_POOL", default=True):
    from apps.core.db.pool import pool_enable

    for _alias in [a for a in ("default", "replica") if a in DATABASES]:
        if DATABASES[_alias]["ENGINE"] == "apps.core.db.postgresql":
            pool_enable(
                DATABASES[_alias],
                min_size=env.int("DATABASE_POOL_MIN_SIZE", default=1),
                max_size=env.int("DATABASE_POOL_MAX_SIZE", default=8),
            )

LOG_FORMAT = "json"
LOGGING["handlers"]["console"]["formatter"] = "json"

ADMINS = [("Tijori admins", a) for a in env.list("DJANGO_ADMIN_EMAILS", default=[])]

# AMC payments: never the local stand-in. Once Razorpay's key is set (payments on), its secrets and the
# platform's GST identity, printed on every invoice it issues to a shop, must be set too.
RAZORPAY_STANDIN = False
if RAZORPAY_KEY_ID:
    RAZORPAY_KEY_SECRET = env("RAZORPAY_KEY_SECRET")
    RAZORPAY_WEBHOOK_SECRET = env("RAZORPAY_WEBHOOK_SECRET")
    PLATFORM_GSTIN = env("PLATFORM_GSTIN")
    PLATFORM_LEGAL_NAME = env("PLATFORM_LEGAL_NAME")
    PLATFORM_ADDRESS = env("PLATFORM_ADDRESS")
    PLATFORM_STATE_CODE = env("PLATFORM_STATE_CODE")
