"""The AWS access layer: sessions and clients, tags, error words, IAM policies.

Services call it (and selectors, for the IAM documents a page shows). Nothing here reads the
database: which role a new stack uses is a service's decision
(`services.accounts.aws_account_role_for_new_stack`), kept on the project.
"""

from apps.provisioning.aws.errors import (
    ACCESS_DENIED_CODES,
    RETRY_FIRST_SECONDS,
    RETRY_MAX_SECONDS,
    error_code,
    ignore_not_found,
    is_not_found,
    is_transient,
    plain_error,
    retry_ceiling,
    translate,
    translated,
)
from apps.provisioning.aws.policies import (
    POLICY_DIR,
    ROLE_ARN,
    execution_boundary_arn,
    execution_boundary_name,
    execution_boundary_policy,
    filled_policy,
    generate_external_id,
    permission_policy,
    role_account,
    role_policies,
    trust_policy,
)
from apps.provisioning.aws.sessions import (
    AssumableRole,
    assumed_role_session,
    aws_client,
    aws_session,
    clear_cache,
    client_options,
    platform_client,
    platform_role,
    project_role,
    session_name,
    sts_client,
)
from apps.provisioning.aws.tags import PLATFORM_TAG, resource_tags, stack_id, stack_prefix, tag_dict, tag_list

__all__ = [
    "ACCESS_DENIED_CODES",
    "PLATFORM_TAG",
    "POLICY_DIR",
    "RETRY_FIRST_SECONDS",
    "RETRY_MAX_SECONDS",
    "ROLE_ARN",
    "AssumableRole",
    "assumed_role_session",
    "aws_client",
    "aws_session",
    "clear_cache",
    "client_options",
    "error_code",
    "execution_boundary_arn",
    "execution_boundary_name",
    "execution_boundary_policy",
    "filled_policy",
    "generate_external_id",
    "ignore_not_found",
    "is_not_found",
    "is_transient",
    "permission_policy",
    "plain_error",
    "platform_client",
    "platform_role",
    "project_role",
    "resource_tags",
    "retry_ceiling",
    "role_account",
    "role_policies",
    "session_name",
    "stack_id",
    "stack_prefix",
    "sts_client",
    "tag_dict",
    "tag_list",
    "translate",
    "translated",
    "trust_policy",
]
