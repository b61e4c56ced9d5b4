"""botocore's exceptions sorted once, at the AWS boundary, into the two kinds the services handle.

`translate` turns a botocore error into `AwsTransientError` ("try again later": throttling, 5xx,
network) or `AwsTerminalError` (anything retrying can't fix), each carrying a sentence a shop owner
understands (`plain_error`); `translated()` applies it around a block of AWS calls. Deletes and
"still there?" checks count "not found" as done (`ignore_not_found()`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
    WaiterError,
)
from django.conf import settings

from apps.provisioning.exceptions import AwsError, AwsTerminalError, AwsTransientError

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "SlowDown",
        "RequestThrottled",
    }
)
# Backoff between attempts after a transient error: the ceiling doubles from the first to the most,
# and each wait is drawn below it (Celery's full jitter), so workers hit by the same outage do not
# come back together. Ten attempts span up to about 28 minutes, enough to ride out an endpoint that
# is down for a while.
RETRY_FIRST_SECONDS = 15
RETRY_MAX_SECONDS = 5 * 60
NETWORK_ERRORS = (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectTimeoutError)
NOT_FOUND_CODES = frozenset(
    {"NoSuchBucket", "ResourceNotFoundException", "NotFoundException", "NoSuchEntity", "404"}
)
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
    }
)
# The local emulator (moto server) answers a second delete of an API Gateway REST API with a bare
# HTTP 500 where AWS answers NotFoundException; only believed when an emulator endpoint is configured.
EMULATOR_500_ON_DELETE = frozenset({"DeleteRestApi"})


def retry_ceiling(attempt: int) -> int:
    """The longest wait after failed attempt number `attempt` (1, 2, ...) before the next one."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** max(attempt - 1, 0))


def translate(exc: BotoCoreError | ClientError) -> AwsError:
    """The botocore error as one of ours, with its plain words: transient if worth retrying later."""
    kind = AwsTransientError if is_transient(exc) else AwsTerminalError
    return kind(plain_error(exc))


@contextmanager
def translated() -> Iterator[None]:
    """Run AWS calls, raising botocore's errors as `AwsTransientError` or `AwsTerminalError`."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc) from exc


@contextmanager
def ignore_not_found() -> Iterator[None]:
    """Run a delete (or a "still there?" call), taking "the resource is not there" as done."""
    try:
        yield
    except (ClientError, KeyError) as exc:
        if not is_not_found(exc):
            raise


def error_code(exc: BaseException) -> str:
    """AWS's error code of a ClientError (`NoSuchBucket`), else the exception's class name."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error") or {}
        return str(error.get("Code") or _status(exc) or "ClientError")
    return type(exc).__name__


def is_transient(exc: BaseException) -> bool:
    """Worth retrying later: throttling, an AWS server error (5xx), or the network failing."""
    if isinstance(exc, NETWORK_ERRORS):
        return True
    if isinstance(exc, ClientError):
        status = _status(exc)
        return error_code(exc) in THROTTLING_CODES or (status is not None and status >= 500)
    return False


def is_not_found(exc: BaseException) -> bool:
    """The resource is not there, which a delete (or a "still there?" check) counts as done.

    Beyond AWS's own not-found codes and 404s, this accepts two answers of the moto emulator to a
    second delete of an API Gateway REST API, which AWS answers with NotFoundException: in-process
    moto lets a bare `KeyError` escape from its model, and the moto server turns that into an HTTP 500.
    The KeyError counts only when it was raised inside moto, and the 500 only for those delete calls
    when an emulator endpoint (AWS_ENDPOINT_URL) is configured, so neither can hide a bug of ours or a
    real AWS server error.
    """
    if isinstance(exc, ClientError):
        if error_code(exc) in NOT_FOUND_CODES or _status(exc) == 404:
            return True
        return (
            bool(settings.AWS_ENDPOINT_URL)
            and _status(exc) == 500
            and exc.operation_name in EMULATOR_500_ON_DELETE
        )
    return isinstance(exc, KeyError) and _raised_in_moto(exc)


def plain_error(exc: BaseException) -> str:
    """What went wrong, in a sentence for a shop owner; never a stack trace or a credential."""
    code = error_code(exc)
    if isinstance(exc, NETWORK_ERRORS):
        return "AWS could not be reached (network or timeout)."
    if isinstance(exc, ClientError):
        if code in THROTTLING_CODES:
            return "AWS is busy (throttling)."
        if is_transient(exc):
            return "AWS had an internal error."
        if code == "BucketAlreadyExists":
            return "The bucket name is taken by another AWS account."
        if exc.operation_name == "AssumeRole" and code in ACCESS_DENIED_CODES:
            return (
                "Tijori was not allowed to act in the AWS account: check the role ARN, its trust "
                "policy and the ExternalId."
            )
        if code in CREDENTIAL_CODES:
            return "AWS did not accept Tijori's credentials; a platform administrator must check them."
        if is_not_found(exc):
            return f"AWS says the resource does not exist ({code})."
        message = _clean((exc.response.get("Error") or {}).get("Message", ""))
        return f"AWS refused: {code}: {message}" if message else f"AWS refused: {code}."
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return "Tijori has no AWS credentials configured; a platform administrator must set them."
    if isinstance(exc, WaiterError):
        return "AWS did not finish the change in time."
    if isinstance(exc, ParamValidationError):
        return "Tijori sent AWS a request it could not accept (a fault on Tijori's side)."
    if isinstance(exc, BotoCoreError):
        return f"Talking to AWS failed ({code})."
    return f"Something unexpected went wrong ({code})."


def _status(exc: ClientError) -> int | None:
    status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _clean(message: str) -> str:
    """One line of at most 300 characters, with anything shaped like an access key id masked."""
    message = re.sub(r"\b(AKIA|ASIA)[A-Z0-9]{12,}\b", "[access key]", str(message))
    message = " ".join(message.split())
    return message if len(message) <= 300 else message[:297] + "..."


def _raised_in_moto(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("moto."):
            return True
        tb = tb.tb_next
    return False
