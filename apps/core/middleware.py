"""Request id (from the load balancer's header when sane, else made here) and request facts."""

from __future__ import annotations

import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

from apps.core.context import RequestMeta, acting_via_var, client_ip, request_meta_var, tenant_id_var
from apps.core.rls import request_scope

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        meta = RequestMeta(
            request_id=request.id,
            ip_address=client_ip(request.META),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        # Set, not reset on the way out: Django logs a 4xx/5xx after the middleware has returned,
        # and that line must carry the ids too. `request_finished` clears them.
        request_meta_var.set(meta)
        tenant_id_var.set("-")
        acting_via_var.set("")
        with request_scope():  # no tenant's rows until the request says whose it is
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


@receiver(request_finished)
def _clear_request_context(sender, **kwargs) -> None:
    request_meta_var.set(RequestMeta())
    tenant_id_var.set("-")
    acting_via_var.set("")
