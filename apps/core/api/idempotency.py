"""`Idempotency-Key` for POST requests, as Stripe and the IETF draft describe it.

The same key with the same request returns the first response without doing the work again; with a
different request, 422; while the first is still running, 409. Keys belong to the caller (the API key,
or the person for a browser session), so another caller reusing a key does its own work and never
receives someone else's answer; they live 24 hours. An answer carrying a secret is stored without it,
and a repeat is told that the secret was shown once instead of being replayed.
The claim is a row inserted in the same transaction as the work: if the work fails the claim goes
with it, and a concurrent request with the same key waits on the unique index (PostgreSQL) until the
first commits (then replays it) or, past a short lock timeout, answers 409.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from apps.core.api.errors import error_response
from apps.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
LOCK_TIMEOUT_MS = 2000  # how long a duplicate waits for the first request before answering 409
MAX_KEY_LENGTH = 255
MULTIPART = "multipart/form-data"


def _caller(request) -> str:
    """Whose key this is: the API key that signed the request, else the signed-in person."""
    api_key = request.auth  # an ApiKey for key authentication, None for a session
    return f"api_key:{api_key.pk}" if api_key is not None else f"user:{request.user.pk}"


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)  # the handler reads it again
    return digest.hexdigest()


def _multipart_canonical(request) -> bytes:
    """The parsed fields, and each file by name, size and SHA-256: the boundary differs on every send."""
    fields = [[name, request.POST.getlist(name)] for name in sorted(request.POST)]
    files = [
        [name, [[f.name, f.size, _file_digest(f)] for f in request.FILES.getlist(name)]]
        for name in sorted(request.FILES)
    ]
    return json.dumps([fields, files], ensure_ascii=False).encode()


def _fingerprint(request) -> str:
    media_type = (request.content_type or "").split(";", 1)[0].strip().lower()
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), media_type):
        digest.update(part.encode() + b"\0")
    # Other bodies (JSON, forms) carry nothing random, so their bytes are the request.
    digest.update(_multipart_canonical(request) if media_type == MULTIPART else request.body)
    return digest.hexdigest()


def _in_progress() -> Response:
    return error_response(
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed. Retry in a moment.",
        status.HTTP_409_CONFLICT,
    )


def _replay(previous: IdempotencyKey, withheld_message: str) -> Response:
    if previous.secret_withheld:
        body = defaultdict(str, previous.response_body or {})
        return error_response(
            "idempotency_secret_not_kept", withheld_message.format_map(body), status.HTTP_409_CONFLICT
        )
    replay = Response(previous.response_body, status=previous.response_status)
    replay["Idempotent-Replayed"] = "true"
    return replay


def _claim(
    *, tenant, caller: str, key: str, fingerprint: str, withheld_message: str = ""
) -> IdempotencyKey | Response:
    """Insert the claim, or return the answer owed to a repeated key."""
    now = timezone.now()
    mine = IdempotencyKey.objects.for_tenant(tenant).filter(caller=caller, key=key)
    mine.filter(expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
            claim = IdempotencyKey.objects.create(
                tenant=tenant, caller=caller, key=key, fingerprint=fingerprint, expires_at=now + TTL
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")  # the work itself may wait as usual
            return claim
    except OperationalError:
        return _in_progress()
    except IntegrityError:
        pass
    previous = mine.first()
    if previous is None or previous.response_status is None:
        return _in_progress()
    if previous.fingerprint != fingerprint:
        return error_response(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
            status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return _replay(previous, withheld_message)


def idempotent(handler=None, *, withhold: str = "", withheld_message: str = ""):
    """Wrap a DRF POST handler (`create`, or a POST action) so it honours `Idempotency-Key`.

    `withhold` names a field of a successful answer that must never be stored (a new API key's
    secret). The answer is stored without it, and a repeat answers 409 with `withheld_message`,
    formatted with the stored answer's fields, rather than a copy that silently lacks the secret.
    """
    if handler is None:
        return lambda h: idempotent(h, withhold=withhold, withheld_message=withheld_message)

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
        try:
            fingerprint = _fingerprint(request)
        except Exception as exc:  # an unreadable body gets its API answer; nothing was claimed yet
            return self.handle_exception(exc)
        with transaction.atomic():
            claimed = _claim(
                tenant=request.tenant,
                caller=_caller(request),
                key=key,
                fingerprint=fingerprint,
                withheld_message=withheld_message,
            )
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
            body = json.loads(json.dumps(response.data, default=str))
            withheld = bool(withhold) and isinstance(body, dict) and withhold in body
            if withheld:
                del body[withhold]
            claimed.response_status = response.status_code
            claimed.response_body = body
            claimed.secret_withheld = withheld
            claimed.save(update_fields=["response_status", "response_body", "secret_withheld", "updated_at"])
        response["Idempotent-Replayed"] = "false"
        return response

    return wrapper


def idempotency_keys_purge(*, now=None) -> int:
    """Forget keys older than 24 hours (beat job)."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
