"""Putting a service's errors on the form that called it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from apps.core.exceptions import ApplicationError


def form_add_service_error(form: forms.Form, exc: ValidationError | ApplicationError) -> None:
    """Errors keyed by a field the form has go under that field; the rest go on top of the form."""
    if isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
