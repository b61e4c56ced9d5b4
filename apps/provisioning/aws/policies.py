"""The IAM documents of a role Tijori assumes: permission policy, execution roles' boundary, trust policy.

The policy files live in `iam/` with placeholders (account, environment, allowed regions), filled
in here for the account that holds the stacks; docs/aws-iam.md explains each statement.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# An IAM role ARN: partition, 12-digit account, and a role name (with an optional path) as IAM allows.
ROLE_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):"
    r"role/(?P<name>(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})",
    re.ASCII,
)
POLICY_DIR = Path(__file__).resolve().parent.parent / "iam"
PERMISSION_POLICY_FILE = POLICY_DIR / "permission-policy.json"
EXECUTION_BOUNDARY_FILE = POLICY_DIR / "execution-boundary.json"


def generate_external_id() -> str:
    """A new random ExternalId for a tenant's own account (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def role_account(role_arn: str) -> str:
    """The 12-digit account id in a role ARN (`arn:aws:iam::123456789012:role/Name`), or ""."""
    match = ROLE_ARN.fullmatch(role_arn or "")
    return match.group("account") if match else ""


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
