"""Provisioning services, one module per sub-domain, re-exported here for `services.<name>` callers."""

from apps.provisioning.services.accounts import (
    CheckRetry,
    aws_account_check,
    aws_account_check_failed,
    aws_account_connect,
    aws_account_disconnect,
    aws_account_recheck,
    aws_account_start,
)
from apps.provisioning.services.projects import operation_request, project_create, project_extend
from apps.provisioning.services.quotas import (
    Limits,
    QuotaUsage,
    quota_check,
    quota_limits,
    quota_lock,
    quota_usage,
)
from apps.provisioning.services.runner import LeaseHeld, RetryLater, operation_run
from apps.provisioning.services.sweeps import Orphan, operations_reap, orphans_sweep, projects_expire_due

__all__ = [
    "CheckRetry",
    "LeaseHeld",
    "Limits",
    "Orphan",
    "QuotaUsage",
    "RetryLater",
    "aws_account_check",
    "aws_account_check_failed",
    "aws_account_connect",
    "aws_account_disconnect",
    "aws_account_recheck",
    "aws_account_start",
    "operation_request",
    "operation_run",
    "operations_reap",
    "orphans_sweep",
    "project_create",
    "project_extend",
    "projects_expire_due",
    "quota_check",
    "quota_limits",
    "quota_lock",
    "quota_usage",
]
