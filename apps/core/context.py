"""What the current request says about itself (id, address, browser), for logs and the audit trail.

Services record audit events without being handed the request: the middleware puts these facts in
context variables, which also hold in a Celery task (where they stay empty).
"""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestMeta:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""


request_meta_var: contextvars.ContextVar[RequestMeta] = contextvars.ContextVar(
    "request_meta",
    default=RequestMeta(),  # noqa: B039 - a frozen dataclass, immutable
)
tenant_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("tenant_id", default="-")
# Set when the request acts through an API key ("key tj_1a2b3c4d"), so the audit trail says so.
acting_via_var: contextvars.ContextVar[str] = contextvars.ContextVar("acting_via", default="")


def client_ip(meta: dict) -> str | None:
    """The client's address: REMOTE_ADDR, or the hop our NUM_PROXIES trusted proxies appended."""
    candidate = meta.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def request_client_ip(request) -> str | None:
    """The same address rule for django-axes' lockouts as for the audit trail."""
    return client_ip(request.META)
