"""Defences: the login lockout (django-axes) and the Content-Security-Policy (django-csp)."""

from datetime import timedelta

from config.env import env
from config.settings.storages import AWS_S3_ENDPOINT_URL, S3_PUBLIC_DOMAIN

# --- Login lockout -------------------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Either the account or the address is locked once it reaches the limit.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Count failures by the address as stored, so a change of letter case is the same account.
AXES_USERNAME_CALLABLE = "apps.accounts.normalise.axes_username"
AXES_CLIENT_IP_CALLABLE = "apps.core.context.request_client_ip"

# --- Content-Security-Policy ---------------------------------------------------------------------
# Every page runs only our own scripts and styles, from static files: no inline script, style or
# handler, so markup that slips into a page runs nothing. Logos may come from the public bucket.
# The API docs and the 500 page widen or set their own policy, with the reason next to them; stored
# files are served with `sandbox` instead (apps.core.files).
_PUBLIC_FILES_ORIGIN = (
    [f"https://{S3_PUBLIC_DOMAIN}" if S3_PUBLIC_DOMAIN else AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com"]
    if env("S3_BUCKET_PUBLIC", default="")
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *_PUBLIC_FILES_ORIGIN],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
