"""One shape for every API error: `{"code", "message", "fields"}` with the fitting status."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    code = serializers.CharField(help_text="Stable, machine-readable reason, e.g. `not_found`, `invalid`.")
    message = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages for invalid input (`non_field_errors` for the whole body); else empty.",
    )


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for name, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _fields(value).items():
                    out[f"{name}.{sub}"] = messages
            elif isinstance(value, list):
                flat: list[str] = []
                for item in value:
                    if isinstance(item, dict):
                        for sub, messages in _fields(item).items():
                            out[f"{name}.{sub}"] = messages
                    else:
                        flat.append(str(item))
                if flat:
                    out[name] = flat
            else:
                out[name] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


SERVER_ERROR = ("server_error", "Something went wrong on our side. Please try again.")
NOT_FOUND = ("not_found", "Not found.")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The body of every error answer; plain Django views (404, 500) send it too."""
    return {"code": code, "message": message, "fields": fields or {}}


def error_response(
    code: str, message: str, http_status: int, fields: dict | None = None, headers=None
) -> Response:
    return Response(error_body(code, message, fields), status=http_status, headers=headers)


def exception_handler(exc, context):
    """One shape for every API error: {"code", "message", "fields"}, with the fitting status."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, ApplicationError):
        return error_response(exc.code, exc.message, getattr(exc, "status_code", status.HTTP_409_CONFLICT))
    if isinstance(exc, Http404):
        return error_response(*NOT_FOUND, status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, SuspiciousOperation):
        # Django's request-size guards fire while the body is read, inside the view: answer as Django
        # itself would (400), in the API's shape.
        logger.warning("refused request body: %s", exc)
        return error_response(*_suspicious(exc), status.HTTP_400_BAD_REQUEST)

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return error_response(*SERVER_ERROR, status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        first = next(iter(fields.values()), ["Invalid input."])[0]
        body = {"code": "invalid", "message": f"Invalid input: {first}", "fields": fields}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = (
            str(detail)
            if not isinstance(detail, dict | list)
            else str(next(iter(_fields(detail).values()))[0])
        )
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        if isinstance(exc, exceptions.NotFound):
            # A NotFound keeps its message (e.g. what to create first); a missing row is Http404, above.
            code = NOT_FOUND[0]
        body = {"code": code, "message": message, "fields": {}}
    else:  # pragma: no cover - drf only answers APIException subclasses
        body = {"code": "error", "message": str(exc), "fields": {}}
    response.data = body
    return response


def _suspicious(exc: SuspiciousOperation) -> tuple[str, str]:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return "request_too_large", f"The request is too large: send at most {limit} MB."
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return "request_too_many_fields", "The request has too many fields or files."
    return "bad_request", "The request could not be read."
