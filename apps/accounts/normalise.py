"""One spelling of an e-mail address, for every place that looks one up or compares two.

Addresses are stored lower-cased and stripped. Anything that counts or matches by address (sign-in,
the lockout counter, signup, password reset, invitations, member lookups) must use the same form,
or `Victim@Example.in` becomes a different person from `victim@example.in`.
"""

from __future__ import annotations

from django.conf import settings


def email_normalise(value: str | None) -> str:
    """The address as stored: surrounding spaces removed, lower case throughout."""
    return (value or "").strip().lower()


def axes_username(request, credentials: dict | None) -> str | None:
    """The username django-axes counts failures and lockouts by (`AXES_USERNAME_CALLABLE`)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    return None if value is None else email_normalise(value)
