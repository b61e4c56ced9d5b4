"""The workspace a signed-in person has chosen, kept in their session. Only this module touches the key."""

from __future__ import annotations

from django.http import HttpRequest

SESSION_KEY = "active_tenant_id"


def active_tenant_choose(request: HttpRequest, tenant_id: int) -> None:
    """Work in this tenant from the next request on. Callers have checked the membership."""
    request.session[SESSION_KEY] = tenant_id


def active_tenant_chosen(request: HttpRequest) -> int | None:
    return request.session.get(SESSION_KEY)


def active_tenant_forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
