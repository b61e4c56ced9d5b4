"""`Idempotency-Key` for POST requests, as Stripe and the IETF draft describe it.

The same key with the same request returns the first response without doing the work again; with a
different request, 422; while the first is still running, 409. Keys are per tenant and live 24 hours.
The claim is a row inserted in the same transaction as the work: if the work fails the claim goes
with it, and a concurrent request with the same key waits on the unique index (PostgreSQL) until the
first commits (then replays it) or, past a short lock timeout, answers 409.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, OperationalError, connection, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from apps.core.api import error_response
from apps.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
LOCK_TIMEOUT_MS = 2000  # how long a duplicate waits for the first request before answering 409
MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(request.content_type.encode() if request.content_type else b"")
    try:
        digest.update(request.body)
    except RawPostDataException:  # a multipart body already parsed (CSRF check): use what it parsed to
        digest.update(json.dumps(request.data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _claim(*, tenant, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Insert the claim, or return the answer owed to a repeated key."""
    now = timezone.now()
    IdempotencyKey.objects.for_tenant(tenant).filter(key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
            claim = IdempotencyKey.objects.create(
                tenant=tenant, key=key, fingerprint=fingerprint, expires_at=now + TTL
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")  # the work itself may wait as usual
            return claim
    except OperationalError:
        return error_response(
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed. Retry in a moment.",
            status.HTTP_409_CONFLICT,
        )
    except IntegrityError:
        pass
    previous = IdempotencyKey.objects.for_tenant(tenant).filter(key=key).first()
    if previous is None or previous.response_status is None:
        return error_response(
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed. Retry in a moment.",
            status.HTTP_409_CONFLICT,
        )
    if previous.fingerprint != fingerprint:
        return error_response(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
            status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    replay = Response(previous.response_body, status=previous.response_status)
    replay["Idempotent-Replayed"] = "true"
    return replay


def idempotent(handler):
    """Wrap a DRF POST handler (`create`, or a POST action) so it honours `Idempotency-Key`."""

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return error_response(
                "idempotency_key_invalid",
                f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable characters, such as a UUID.",
                status.HTTP_400_BAD_REQUEST,
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            claimed = _claim(tenant=request.tenant, key=key, fingerprint=fingerprint)
            if isinstance(claimed, Response):
                return claimed
            try:
                with transaction.atomic():
                    response = handler(self, request, *args, **kwargs)
            except Exception as exc:  # turned into its API answer here, so a 4xx can be stored and replayed
                response = self.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # no claim: the client may retry the failed request
                return response
            claimed.response_status = response.status_code
            claimed.response_body = json.loads(json.dumps(response.data, default=str))
            claimed.save(update_fields=["response_status", "response_body", "updated_at"])
        response["Idempotent-Replayed"] = "false"
        return response

    return wrapper


def idempotency_keys_purge(*, now=None) -> int:
    """Forget keys older than 24 hours (beat job)."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
