"""The one base class for broken business rules, reported the same way on every channel."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the business was broken. `message` is shown to the user as it is."""

    code = "application_error"

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message
