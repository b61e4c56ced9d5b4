"""A workspace's own AWS account: register a role there, check it from a worker, or go back.

Tijori generates the ExternalId (one per workspace, never chosen by the workspace) and shows the
execution roles' permissions boundary to create first, then the trust policy and permission policy
to put on the role. Registering a role ARN queues a check on the `aws` queue: a worker assumes the
role with fresh credentials, asks STS who it is, and reads the boundary policy (it must exist). Only a
role that passed the check receives new stacks (`aws_account_role_for_new_stack`); each project
keeps the role it was provisioned with (`aws.project_role`), so changing or removing the role never
strands a live stack in an account Tijori no longer reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.rls import task_send
from apps.provisioning import aws, tasks
from apps.provisioning.exceptions import TransitionRefused
from apps.provisioning.models import TenantAwsAccount

if TYPE_CHECKING:
    import boto3

    from apps.accounts.models import User
    from apps.tenants.models import Tenant

Status = TenantAwsAccount.Status


def _locked(tenant: Tenant) -> TenantAwsAccount | None:
    return (
        TenantAwsAccount.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("tenant")
        .first()
    )


def aws_account_role_for_new_stack(*, tenant: Tenant) -> aws.AssumableRole:
    """The role a new stack of the tenant goes to: its own account's once connected, else the platform's
    (an empty role ARN, which each project reads as the platform role).

    A workspace that registered its own role must wait for the connection check (or remove the role):
    its stacks never fall back silently to the platform's account, nor go to a role that failed.
    """
    account = TenantAwsAccount.objects.for_tenant(tenant).exclude(role_arn="").first()
    if account is None:
        return aws.AssumableRole("", "")
    if account.status == Status.VERIFIED:
        return aws.AssumableRole(account.role_arn, account.external_id)
    if account.status == Status.CHECKING:
        raise TransitionRefused(
            "Tijori is still checking the connection to your AWS account: try again in a minute."
        )
    raise TransitionRefused(
        "Your AWS account is not connected: fix the role on the AWS account page and check it again, "
        "or stop using your account to provision in Tijori's."
    )


@transaction.atomic
def aws_account_start(*, tenant: Tenant, actor: User | None) -> TenantAwsAccount:
    """The workspace's account record with its ExternalId, made on first use (nothing is sent to AWS)."""
    account = _locked(tenant)
    if account is not None:
        return account
    account = TenantAwsAccount.objects.create(
        tenant=tenant, external_id=aws.generate_external_id(), created_by=actor
    )
    audit_record(
        tenant=tenant, actor=actor, action="aws_account.start", target=account,
        summary="Started connecting the workspace's own AWS account (ExternalId generated)",
    )  # fmt: skip
    return account


def _clean_role_arn(role_arn: str) -> str:
    role_arn = (role_arn or "").strip()
    if not role_arn:
        raise ValidationError({"role_arn": ["Paste the ARN of the role you created."]})
    if aws.ROLE_ARN.fullmatch(role_arn) is None:
        raise ValidationError(
            {
                "role_arn": [
                    "This is not an IAM role ARN. It looks like arn:aws:iam::123456789012:role/TijoriAccess."
                ]
            }
        )
    platform = aws.role_account(settings.AWS_ROLE_ARN)
    if platform and aws.role_account(role_arn) == platform:
        raise ValidationError(
            {"role_arn": ["This role is in Tijori's own AWS account: give a role in yours."]}
        )
    return role_arn


@transaction.atomic
def aws_account_connect(*, tenant: Tenant, actor: User | None, role_arn: str) -> TenantAwsAccount:
    """Register the role ARN (replacing any earlier one) and queue the check that connects it."""
    role_arn = _clean_role_arn(role_arn)
    account = _locked(tenant)
    if account is None:
        raise TransitionRefused("Open the AWS account page first: Tijori generates the ExternalId there.")
    account.role_arn = role_arn
    account.created_by = account.created_by or actor
    return _queue_check(
        account, actor=actor, action="aws_account.connect",
        summary=f"Registered the AWS role {role_arn}; checking the connection",
    )  # fmt: skip


@transaction.atomic
def aws_account_recheck(*, tenant: Tenant, actor: User | None) -> TenantAwsAccount:
    """Check the registered role again (after fixing its trust policy, say)."""
    account = _locked(tenant)
    if account is None or not account.role_arn:
        raise TransitionRefused("There is no role to check: register your role's ARN first.")
    if account.status == Status.CHECKING:
        raise TransitionRefused("The connection is being checked already.")
    return _queue_check(
        account, actor=actor, action="aws_account.recheck",
        summary=f"Asked for the AWS role {account.role_arn} to be checked again",
    )  # fmt: skip


@transaction.atomic
def aws_account_disconnect(*, tenant: Tenant, actor: User | None) -> TenantAwsAccount:
    """Stop sending new stacks to the workspace's account; stacks already there stay until destroyed."""
    account = _locked(tenant)
    if account is None or not account.role_arn:
        raise TransitionRefused("No AWS account of yours is connected.")
    old = account.role_arn
    account.role_arn, account.status, account.account_id, account.check_error = "", Status.NOT_SET, "", ""
    account.checked_at = None
    account.save(
        update_fields=["role_arn", "status", "account_id", "check_error", "checked_at", "updated_at"]
    )
    audit_record(
        tenant=tenant, actor=actor, action="aws_account.disconnect", target=account,
        summary=f"Stopped using the AWS role {old}; new stacks go to Tijori's account",
    )  # fmt: skip
    return account


def _queue_check(
    account: TenantAwsAccount, *, actor: User | None, action: str, summary: str
) -> TenantAwsAccount:
    """Mark the account as being checked, audit the request, and queue the check when this commits."""
    account.status, account.check_error = Status.CHECKING, ""
    account.account_id, account.checked_at = "", None
    account.save()
    audit_record(tenant=account.tenant, actor=actor, action=action, target=account, summary=summary)
    pk, role_arn, tenant_id = account.pk, account.role_arn, account.tenant_id
    transaction.on_commit(lambda: task_send(tasks.aws_account_check_task, pk, role_arn, tenant_id=tenant_id))
    return account


def aws_account_check(*, account_pk: int, role_arn: str) -> TenantAwsAccount | None:
    """Assume `role_arn` afresh, find the boundary policy there, and record whether it worked.

    Nothing is recorded if the registered role has changed meanwhile: the newer role's own check is
    queued. Raises AwsTransientError when AWS could not be asked; any other AWS failure is recorded in
    words the owner can act on.
    """
    account = TenantAwsAccount.objects.filter(pk=account_pk).first()
    if account is None or account.role_arn != role_arn or account.status != Status.CHECKING:
        return None
    region = settings.AWS_ALLOWED_REGIONS[0]
    session = aws.assumed_role_session(
        role=aws.AssumableRole(role_arn, account.external_id),
        region=region,
        tenant_id=account.tenant_id,
        user_id=None,
    )  # never a cached session: the check must really assume the role now
    expected = aws.role_account(role_arn)
    try:
        identity = session.client(
            "sts", region_name=region, **aws.client_options("sts")
        ).get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        if aws.is_transient(exc):
            raise aws.translate(exc) from exc
        return _check_done(account_pk, role_arn, error=aws.plain_error(exc))
    answered = str(identity.get("Account", ""))
    if answered != expected:
        return _check_done(
            account_pk, role_arn,
            error=f"AWS answered for account {answered or '?'}, not {expected}: check the role ARN.",
        )  # fmt: skip
    missing = _boundary_problem(session, region=region, role_arn=role_arn)
    if missing:
        return _check_done(account_pk, role_arn, error=missing)
    return _check_done(account_pk, role_arn, account_id=answered)


def _boundary_problem(session: boto3.Session, *, region: str, role_arn: str) -> str:
    """Why the account can't take stacks yet for want of the execution roles' boundary policy, or "".

    Tijori creates every execution role with this boundary, so without it in the account each
    provisioning would fail at its first step; saying so now tells the owner what to create.
    """
    name, account = aws.execution_boundary_name(), aws.role_account(role_arn)
    iam = session.client("iam", region_name=region, **aws.client_options("iam"))
    try:
        iam.get_policy(PolicyArn=aws.execution_boundary_arn(role_arn))
    except (BotoCoreError, ClientError) as exc:
        if aws.is_transient(exc):
            raise aws.translate(exc) from exc
        if aws.error_code(exc) == "NoSuchEntity":
            return (
                f"The permissions boundary policy {name} does not exist in account {account}. "
                "Create it first (step 1 of the AWS account page), then check again."
            )
        if aws.error_code(exc) in aws.ACCESS_DENIED_CODES:
            return (
                f"The role may not read the permissions boundary policy {name} (iam:GetPolicy): "
                "give the role the permission policy of the AWS account page, then check again."
            )
        return aws.plain_error(exc)
    return ""


def aws_account_check_failed(*, account_pk: int, role_arn: str, reason: str) -> TenantAwsAccount | None:
    """The check will not run again (its retries ran out, or it broke): record why, so the owner can
    check again later."""
    return _check_done(account_pk, role_arn, error=f"{reason} The check gave up; try again later.")


@transaction.atomic
def _check_done(
    account_pk: int, role_arn: str, *, account_id: str = "", error: str = ""
) -> TenantAwsAccount | None:
    account = TenantAwsAccount.objects.select_for_update().filter(pk=account_pk).first()
    if account is None or account.role_arn != role_arn or account.status != Status.CHECKING:
        return None
    account.status = Status.FAILED if error else Status.VERIFIED
    account.account_id, account.check_error, account.checked_at = account_id, error, timezone.now()
    account.save(update_fields=["status", "account_id", "check_error", "checked_at", "updated_at"])
    audit_record(
        tenant=account.tenant, actor=None, action="aws_account.verified" if not error else "aws_account.failed",
        target=account,
        summary=f"Connected to AWS account {account_id} through {role_arn}" if not error
        else f"Could not use the AWS role {role_arn}: {error}",
    )  # fmt: skip
    return account
