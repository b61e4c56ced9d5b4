"""Assumed-role sessions per tenant and member, and the cached clients made on them.

Every AWS call for a tenant runs with short-lived credentials from STS AssumeRole of the platform
role (or of the role the tenant registered in its own account, which each project keeps once it is
provisioned there), with the ExternalId its trust policy requires and session tags naming the tenant
and the user. The credentials are botocore refreshable credentials, so sessions and clients can be
cached for the life of a worker: botocore assumes the role again 15 minutes before expiry (advisory,
one thread refreshes while the others carry on with the old set) and, at 10 minutes, blocks until it
has a new set. The base credentials for the STS call come from wherever boto3 finds them
(environment, ECS task role, instance profile).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, DeferredRefreshableCredentials
from django.conf import settings

from apps.provisioning.aws.tags import tag_list

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from apps.provisioning.models import Project
    from apps.tenants.models import Tenant


class AssumableRole(NamedTuple):
    """An IAM role Tijori may assume, and the ExternalId its trust policy asks for ("" if none)."""

    arn: str
    external_id: str


SESSION_SECONDS = 3600  # 1 hour: the most AWS allows when the base credentials are themselves a role's
MAX_SESSIONS = 256  # cached sessions per worker process; the least recently used are dropped
CLIENT_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 5}, connect_timeout=5, read_timeout=30)

SessionKey = tuple[str, str, int, int | None, str, str]  # role, ExternalId, tenant, user, region, endpoint

_lock = threading.Lock()  # guards _sessions and _clients
_sts_lock = threading.Lock()  # guards _sts_clients; its own lock, as refreshes run inside API calls
_sessions: OrderedDict[SessionKey, boto3.Session] = OrderedDict()
_clients: dict[tuple[SessionKey, str], BaseClient] = {}
_sts_clients: dict[tuple[str, str], BaseClient] = {}
# Service models (JSON) are large: a loader per session costs tens of megabytes per tenant.
_data_loader = botocore.loaders.create_loader()


def emulated() -> bool:
    """Whether AWS is an emulator (AWS_ENDPOINT_URL): its sites and APIs are not on the internet."""
    return bool(settings.AWS_ENDPOINT_URL)


def platform_role() -> AssumableRole:
    return AssumableRole(settings.AWS_ROLE_ARN, settings.AWS_EXTERNAL_ID)


def project_role(project: Project) -> AssumableRole:
    """The role that holds the project's resources: the one fixed when it was provisioned."""
    if project.aws_role_arn:
        return AssumableRole(project.aws_role_arn, project.aws_external_id)
    return platform_role()


def aws_session(
    *, tenant: Tenant, region: str, role: AssumableRole, user_id: int | None = None
) -> boto3.Session:
    """A boto3 session acting as `role` for the tenant in `region`, cached and self-renewing.

    Sessions are cached per role, tenant, user and region, so CloudTrail's session name and the
    UserId session tag always name the member the work is for.
    """
    key = _session_key(tenant, region, user_id, role)
    with _lock:
        return _session_locked(key)


def aws_client(
    service: str, *, tenant: Tenant, region: str, role: AssumableRole, user_id: int | None = None
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


def _session_key(tenant: Tenant, region: str, user_id: int | None, role: AssumableRole) -> SessionKey:
    return (role.arn, role.external_id, tenant.pk, user_id, region, settings.AWS_ENDPOINT_URL or "")


def _session_locked(key: SessionKey) -> boto3.Session:
    """The cached session of `key`, made on first use; the caller holds `_lock`."""
    session = _sessions.get(key)
    if session is not None:
        _sessions.move_to_end(key)
        return session
    role_arn, external_id, tenant_id, user_id, region, _ = key
    session = assumed_role_session(
        role=AssumableRole(role_arn, external_id), region=region, tenant_id=tenant_id, user_id=user_id
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


def assumed_role_session(
    *, role: AssumableRole, region: str, tenant_id: int, user_id: int | None
) -> boto3.Session:
    """A new, uncached session whose credentials come from AssumeRole on first use, renewed before expiry.

    Nothing is sent to STS here: the first API call of any client of the session assumes the role,
    named and tagged for the tenant and the user (`system` without one).
    """
    credentials = DeferredRefreshableCredentials(
        refresh_using=_assume_role_fetcher(
            role=role, region=region, session_name=session_name(tenant_id=tenant_id, user_id=user_id),
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
    *, role: AssumableRole, region: str, session_name: str, tags: dict[str, str]
) -> Callable[[], dict[str, Any]]:
    def fetch() -> dict[str, Any]:
        params: dict[str, Any] = {
            "RoleArn": role.arn,
            "RoleSessionName": session_name,
            "DurationSeconds": SESSION_SECONDS,
            "Tags": tag_list(tags),
            "TransitiveTagKeys": list(tags),
        }
        if role.external_id:
            params["ExternalId"] = role.external_id
        response = sts_client(region).assume_role(**params)
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


def sts_client(region: str) -> BaseClient:
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
