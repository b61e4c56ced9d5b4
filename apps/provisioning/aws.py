"""The AWS access layer: assumed-role sessions per tenant and member, cached clients, tags, policies, error words.

Every AWS call for a tenant runs with short-lived credentials from STS AssumeRole of the platform
role (or of the role the tenant registered in its own account, which each project keeps once it is
provisioned there), with the ExternalId its trust policy requires and session tags naming the tenant
and the user. The credentials are botocore refreshable
credentials, so sessions and clients can be cached for the life of a worker: botocore assumes the
role again 15 minutes before expiry (advisory, one thread refreshes while the others carry on with
the old set) and, at 10 minutes, blocks until it has a new set. The base credentials for the STS call
come from wherever boto3 finds them (environment, ECS task role, instance profile).

The error helpers sort botocore's exceptions into "try again later" (throttling, 5xx, network) and
"already gone" (for deletes), and put an error into words a shop owner understands.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, DeferredRefreshableCredentials
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
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from apps.provisioning.models import TenantAwsAccount

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from apps.provisioning.models import Project
    from apps.tenants.models import Tenant

# An IAM role ARN: partition, 12-digit account, and a role name (with an optional path) as IAM allows.
ROLE_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):"
    r"role/(?P<name>(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})",
    re.ASCII,
)
PLATFORM_TAG = "tijori"  # value of the ManagedBy tag on every resource Tijori creates

SESSION_SECONDS = 3600  # 1 hour: the most AWS allows when the base credentials are themselves a role's
MAX_SESSIONS = 256  # cached sessions per worker process; the least recently used are dropped
CLIENT_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 5}, connect_timeout=5, read_timeout=30)

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
# Backoff between attempts after a transient error (see retry_countdown).
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

Role = tuple[str, str]  # role ARN, ExternalId
SessionKey = tuple[str, str, int, int | None, str, str]  # role, ExternalId, tenant, user, region, endpoint

_lock = threading.Lock()  # guards _sessions and _clients
_sts_lock = threading.Lock()  # guards _sts_clients; its own lock, as refreshes run inside API calls
_sessions: OrderedDict[SessionKey, boto3.Session] = OrderedDict()
_clients: dict[tuple[SessionKey, str], BaseClient] = {}
_sts_clients: dict[tuple[str, str], BaseClient] = {}
# Service models (JSON) are large: a loader per session costs tens of megabytes per tenant.
_data_loader = botocore.loaders.create_loader()


# --- sessions and clients ----------------------------------------------------------------------


def platform_role() -> Role:
    return settings.AWS_ROLE_ARN, settings.AWS_EXTERNAL_ID


def role_for(tenant: Tenant) -> Role:
    """The role new stacks of the tenant go to: its own account's once connected, else the platform's."""
    own = (
        TenantAwsAccount.objects.filter(tenant_id=tenant.pk, status=TenantAwsAccount.Status.VERIFIED)
        .exclude(role_arn="")
        .values_list("role_arn", "external_id")
        .first()
    )
    return (own[0], own[1]) if own else platform_role()


def project_role(project: Project) -> Role:
    """The role that holds the project's resources: the one fixed when it was provisioned."""
    if project.aws_role_arn:
        return project.aws_role_arn, project.aws_external_id
    return platform_role()


def aws_session(
    *, tenant: Tenant, region: str, user_id: int | None = None, role: Role | None = None
) -> boto3.Session:
    """A boto3 session acting as an assumed role for the tenant in `region`, cached and self-renewing.

    `role` defaults to `role_for(tenant)`. Sessions are cached per role, tenant, user and region, so
    CloudTrail's session name and the UserId session tag always name the member the work is for.
    """
    key = _session_key(tenant, region, user_id, role)
    with _lock:
        return _session_locked(key)


def aws_client(
    service: str, *, tenant: Tenant, region: str, user_id: int | None = None, role: Role | None = None
) -> BaseClient:
    """A cached client of `service` on the tenant's assumed-role session (see `aws_session`)."""
    return _client(_session_key(tenant, region, user_id, role), service)


def platform_client(service: str, *, region: str) -> BaseClient:
    """A client on the platform role itself, for work of no one tenant (the orphan sweep)."""
    return _client((*platform_role(), 0, None, region, settings.AWS_ENDPOINT_URL or ""), service)


def _client(key: SessionKey, service: str) -> BaseClient:
    with _lock:
        session = _session_locked(key)  # also marks it recently used
        client = _clients.get((key, service))
        if client is None:
            client = session.client(service, region_name=key[4], **client_options(service))
            _clients[(key, service)] = client
        return client


def clear_cache() -> None:
    """Forget every cached session and client (tests; a changed role or endpoint setting)."""
    with _lock:
        _sessions.clear()
        _clients.clear()
    with _sts_lock:
        _sts_clients.clear()


def _session_key(tenant: Tenant, region: str, user_id: int | None, role: Role | None) -> SessionKey:
    role_arn, external_id = role or role_for(tenant)
    return (role_arn, external_id, tenant.pk, user_id, region, settings.AWS_ENDPOINT_URL or "")


def _session_locked(key: SessionKey) -> boto3.Session:
    """The cached session of `key`, made on first use; the caller holds `_lock`."""
    session = _sessions.get(key)
    if session is not None:
        _sessions.move_to_end(key)
        return session
    role_arn, external_id, tenant_id, user_id, region, _ = key
    session = assumed_role_session(
        role=(role_arn, external_id), region=region, tenant_id=tenant_id, user_id=user_id
    )
    _sessions[key] = session
    while len(_sessions) > MAX_SESSIONS:
        dropped, _ = _sessions.popitem(last=False)
        for client_key in [k for k in _clients if k[0] == dropped]:
            del _clients[client_key]
    return session


def session_name(*, tenant_id: int, user_id: int | None) -> str:
    """The RoleSessionName CloudTrail shows: `tijori-t<tenant>[-u<user>]`, at most 64 characters."""
    name = f"tijori-t{tenant_id}" + ("" if user_id is None else f"-u{user_id}")
    return re.sub(r"[^\w+=,.@-]", "-", name)[:64]


class _AssumedRoleProvider(CredentialProvider):
    """Hands botocore the one refreshable credential set of an assumed-role session."""

    METHOD = "assume-role"
    CANONICAL_NAME = "TijoriAssumeRole"

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials


def assumed_role_session(*, role: Role, region: str, tenant_id: int, user_id: int | None) -> boto3.Session:
    """A new, uncached session whose credentials come from AssumeRole on first use, renewed before expiry.

    Nothing is sent to STS here: the first API call of any client of the session assumes the role,
    named and tagged for the tenant and the user (`system` without one).
    """
    role_arn, external_id = role
    credentials = DeferredRefreshableCredentials(
        refresh_using=_assume_role_fetcher(
            role_arn=role_arn, external_id=external_id, region=region,
            session_name=session_name(tenant_id=tenant_id, user_id=user_id),
            tags={"TenantId": str(tenant_id), "UserId": "system" if user_id is None else str(user_id)},
        ),
        method=_AssumedRoleProvider.METHOD,
        time_fetcher=lambda: _now(),  # looked up at each call, so tests can move the clock
    )  # fmt: skip
    core = botocore.session.get_session()
    core.register_component("credential_provider", CredentialResolver([_AssumedRoleProvider(credentials)]))
    session = boto3.Session(botocore_session=core, region_name=region)
    # After boto3 has set up the session's own loader (it only serves boto3 resources): clients read
    # the service models from the process-wide loader, parsed once instead of once per session.
    core.register_component("data_loader", _data_loader)
    return session


def _assume_role_fetcher(
    *, role_arn: str, external_id: str, region: str, session_name: str, tags: dict[str, str]
) -> Callable[[], dict[str, Any]]:
    def fetch() -> dict[str, Any]:
        params: dict[str, Any] = {
            "RoleArn": role_arn,
            "RoleSessionName": session_name,
            "DurationSeconds": SESSION_SECONDS,
            "Tags": tag_list(tags),
            "TransitiveTagKeys": list(tags),
        }
        if external_id:
            params["ExternalId"] = external_id
        response = _sts_client(region).assume_role(**params)
        credentials = response["Credentials"]
        metadata = {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].isoformat(),
        }
        arn = response.get("AssumedRoleUser", {}).get("Arn", "")
        if arn.count(":") >= 5:
            metadata["account_id"] = arn.split(":")[4]
        return metadata

    return fetch


def _sts_client(region: str) -> BaseClient:
    """The STS client that assumes roles, on the base credentials boto3 finds; one per region."""
    endpoint = settings.AWS_ENDPOINT_URL or ""
    with _sts_lock:
        client = _sts_clients.get((region, endpoint))
        if client is None:
            client = boto3.Session(region_name=region).client(
                "sts", region_name=region, **client_options("sts")
            )
            _sts_clients[(region, endpoint)] = client
        return client


def client_options(service: str) -> dict[str, Any]:
    """The endpoint and configuration of every client Tijori makes (`session.client(s, **options)`)."""
    endpoint = settings.AWS_ENDPOINT_URL
    if not endpoint:
        return {"config": CLIENT_CONFIG}
    config = CLIENT_CONFIG
    if service == "s3":  # an emulator has no per-bucket host names
        config = config.merge(Config(s3={"addressing_style": "path"}))
    return {"config": config, "endpoint_url": endpoint}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- tags --------------------------------------------------------------------------------------


def stack_id(project: Project) -> str:
    """The stack's name, `tijori-<environment>-<project key>`: the start of every resource's name."""
    return f"tijori-{settings.TIJORI_ENVIRONMENT}-{project.key}".lower()


def resource_tags(project: Project, *, user_id: int | None = None) -> dict[str, str]:
    """The tags on every resource of the project: who, which project, whose platform, until when."""
    user = project.created_by_id if user_id is None else user_id
    expires_at = project.expires_at or timezone.now() + dt.timedelta(
        minutes=settings.RESOURCE_TIMEOUT_MINUTES
    )
    return {
        "TenantId": str(project.tenant_id),
        "UserId": "system" if user in (None, "") else str(user),
        "ProjectId": str(project.pk),
        "StackId": stack_id(project),
        "ManagedBy": PLATFORM_TAG,
        "Environment": str(settings.TIJORI_ENVIRONMENT),
        "CreatedAt": _iso(project.created_at),
        "ExpiresAt": _iso(expires_at),
    }


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    """`{"k": "v"}` in the `[{"Key": "k", "Value": "v"}]` form most AWS APIs take."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _iso(moment: dt.datetime) -> str:
    """ISO-8601 in UTC to the second, e.g. `2026-04-01T10:30:00Z` (tag values allow these characters)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- errors ------------------------------------------------------------------------------------


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


def retry_countdown(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...) before the next one.

    Exponential backoff with jitter and a cap: the ceiling doubles from RETRY_FIRST_SECONDS up to
    RETRY_MAX_SECONDS, and each wait is drawn between half the ceiling and all of it, so workers hit
    by the same outage do not come back together. Ten attempts span about 14 to 28 minutes, long
    enough to ride out an endpoint that is down for a while.
    """
    ceiling = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** max(attempt - 1, 0))
    return ceiling - secrets.randbelow(ceiling // 2 + 1)


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


# --- tenants' own accounts ---------------------------------------------------------------------


def generate_external_id() -> str:
    """A new random ExternalId for a tenant's own account (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


POLICY_DIR = Path(__file__).with_name("iam")
PERMISSION_POLICY_FILE = POLICY_DIR / "permission-policy.json"
EXECUTION_BOUNDARY_FILE = POLICY_DIR / "execution-boundary.json"


def permission_policy(
    *, account_id: str, environment: str | None = None, regions: list[str] | None = None
) -> dict:
    """The least-privilege permission policy of a role Tijori assumes, for the account holding the stacks.

    The same policy serves the platform role and a role in a tenant's own account; docs/aws-iam.md
    explains each statement. `environment` and `regions` default to the settings.
    """
    return filled_policy(
        PERMISSION_POLICY_FILE, account_id=account_id, environment=environment, regions=regions
    )


def execution_boundary_policy(*, account_id: str, environment: str | None = None) -> dict:
    """The permissions boundary of every execution role Tijori creates: the most a function may ever do.

    Whoever holds the platform role's credentials can put any inline policy on an execution role and
    run code as it, so the boundary, not the inline policy, is what confines that code. The account
    holding the stacks creates it once (docs/aws-iam.md); the platform role can neither change it
    nor take it off a role.
    """
    return filled_policy(EXECUTION_BOUNDARY_FILE, account_id=account_id, environment=environment)


def execution_boundary_name(environment: str | None = None) -> str:
    """The boundary's managed policy name, `tijori-<environment>-execution-boundary`."""
    return f"tijori-{_environment(environment)}-execution-boundary"


def execution_boundary_arn(role_arn: str) -> str:
    """The boundary's ARN in the account of `role_arn`, the role whose account holds the stacks."""
    match = ROLE_ARN.fullmatch(role_arn or "")
    if match is None:
        raise ImproperlyConfigured(f"Not an IAM role ARN: {role_arn!r}")
    return f"arn:{match.group('partition')}:iam::{match.group('account')}:policy/{execution_boundary_name()}"


def _environment(environment: str | None) -> str:
    return environment or str(settings.TIJORI_ENVIRONMENT).lower()  # names are lower-case


def filled_policy(
    path: Path, *, account_id: str, environment: str | None, regions: list[str] | None = None
) -> dict:
    """A policy file of `iam/` with its placeholders filled in: account, environment, allowed regions."""
    values = {"<ACCOUNT>": account_id, "<ENV>": _environment(environment)}
    regions = list(regions or settings.AWS_ALLOWED_REGIONS)

    def fill(node):
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return regions if node == ["<REGIONS>"] else [fill(item) for item in node]
        if isinstance(node, str):
            for placeholder, value in values.items():
                node = node.replace(placeholder, value)
        return node

    return fill(json.loads(path.read_text()))


def role_policies(*, external_id: str, role_arn: str = "", account_id: str = "") -> dict[str, dict]:
    """The boundary, trust and permission policies for a workspace's account, filled in once it is known."""
    account = account_id or role_account(role_arn) or "<YOUR_ACCOUNT_ID>"
    return {
        "boundary_policy": execution_boundary_policy(account_id=account),
        "trust_policy": trust_policy(external_id),
        "permission_policy": permission_policy(account_id=account),
    }


def role_account(role_arn: str) -> str:
    """The 12-digit account id in a role ARN (`arn:aws:iam::123456789012:role/Name`), or ""."""
    match = ROLE_ARN.fullmatch(role_arn or "")
    return match.group("account") if match else ""


def trust_policy(external_id: str) -> dict:
    """The trust policy a tenant puts on the role in its own account, letting Tijori assume it.

    The principal is the platform's AWS account (the account of AWS_ROLE_ARN); the ExternalId
    condition keeps anyone else who knows the role ARN, through Tijori or not, from assuming it.
    """
    partition, account = _platform_account()
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TijoriAssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def _platform_account() -> tuple[str, str]:
    match = ROLE_ARN.fullmatch(str(settings.AWS_ROLE_ARN))
    if match is None:
        raise ImproperlyConfigured(f"AWS_ROLE_ARN is not an IAM role ARN: {settings.AWS_ROLE_ARN!r}")
    return match.group("partition"), match.group("account")
