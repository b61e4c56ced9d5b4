"""Putting a service's errors in front of the person who asked: on the form, or as a page message."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError
from apps.core.money import RUPEE, decimal_from_text, number_example

ServiceError = ValidationError | ApplicationError
# A success message announcing work that goes on after the answer ("Provisioning has started."): the base
# template marks it, and it leaves the page once the page's live status shows the work is over.
IN_PROGRESS = "in-progress"


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


def service_action(
    request: HttpRequest, call: Callable[[], object], *, done: str, in_progress: bool = False
) -> bool:
    """Run one service for a page's button: `done` as a success message, or the refusal as an error.
    `in_progress` marks `done` as the start of work whose end the page's live status will show.

    Returns whether the service went through. Only the errors a service raises on purpose are caught;
    anything else is a bug and reaches the logs.
    """
    try:
        call()
    except (ValidationError, ApplicationError) as exc:
        messages_add_service_error(request, exc)
        return False
    messages.success(request, done, extra_tags=IN_PROGRESS if in_progress else "")
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


class DecimalText(forms.CharField):
    """An amount or a weight typed as people write it: "₹5,512.50", "1,00,000", "100,000" or "5512".

    A text box (a number box refuses commas), read by `core.money.decimal_from_text` like every other
    channel; cleans to a Decimal, or "" when left empty. The services round and check the range.
    """

    def __init__(self, *, places: Decimal = RUPEE, **kwargs):
        self.places = places
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)  # the text's own checks first: required, length, control characters
        if text in self.empty_values:
            return text
        try:
            return decimal_from_text(text)
        except ValueError:
            raise ValidationError(
                f"Enter it as a number, like {number_example(self.places)}.", code="invalid"
            ) from None
