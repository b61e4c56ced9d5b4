"""Provisioning services, one module per sub-domain, re-exported here for `services.<name>` callers."""

from apps.provisioning.services.accounts import (
    aws_account_check,
    aws_account_check_failed,
    aws_account_connect,
    aws_account_disconnect,
    aws_account_recheck,
    aws_account_role_for_new_stack,
    aws_account_start,
)
from apps.provisioning.services.projects import (
    operation_request,
    project_create,
    project_delete,
    project_delete_refusal,
    project_extend,
)
from apps.provisioning.services.quotas import (
    Limits,
    QuotaUsage,
    quota_check,
    quota_defaults,
    quota_limit_label,
    quota_limits,
    quota_limits_of,
    quota_lock,
    quota_usage,
    tenant_quota_reset,
    tenant_quota_set,
    tenant_quota_validate,
)
from apps.provisioning.services.runner import operation_give_up, operation_run
from apps.provisioning.services.sweeps import Orphan, operations_reap, orphans_sweep, projects_expire_due

__all__ = [
    "Limits",
    "Orphan",
    "QuotaUsage",
    "aws_account_check",
    "aws_account_check_failed",
    "aws_account_connect",
    "aws_account_disconnect",
    "aws_account_recheck",
    "aws_account_role_for_new_stack",
    "aws_account_start",
    "operation_give_up",
    "operation_request",
    "operation_run",
    "operations_reap",
    "orphans_sweep",
    "project_create",
    "project_delete",
    "project_delete_refusal",
    "project_extend",
    "projects_expire_due",
    "quota_check",
    "quota_defaults",
    "quota_limit_label",
    "quota_limits",
    "quota_limits_of",
    "quota_lock",
    "quota_usage",
    "tenant_quota_reset",
    "tenant_quota_set",
    "tenant_quota_validate",
]
