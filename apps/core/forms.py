"""Putting a service's errors in front of the person who asked: on the form, or as a page message."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError

ServiceError = ValidationError | ApplicationError


def service_error_text(exc: ServiceError) -> str:
    """Every message of the error, as one sentence or a few."""
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


def form_add_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Errors keyed by a field the form has go under that field; the rest go on top of the form."""
    if isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def messages_add_service_error(request: HttpRequest, exc: ServiceError) -> None:
    """A refusal of a button without a form (provision, extend, recheck) becomes an error message."""
    messages.error(request, service_error_text(exc))


def service_action(request: HttpRequest, call: Callable[[], object], *, done: str) -> bool:
    """Run one service for a page's button: `done` as a success message, or the refusal as an error.

    Returns whether the service went through. Only the errors a service raises on purpose are caught;
    anything else is a bug and reaches the logs.
    """
    try:
        call()
    except (ValidationError, ApplicationError) as exc:
        messages_add_service_error(request, exc)
        return False
    messages.success(request, done)
    return True


def form_submit(form: forms.Form, call: Callable[[dict], object]) -> bool:
    """A page's form, sent to one service: valid input goes to `call(cleaned_data)`; whatever the form
    or the service refuses ends up on the form. Returns whether the service went through."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except (ValidationError, ApplicationError) as exc:
        form_add_service_error(form, exc)
        return False
    return True
