"""Every change to tenants, memberships, invitations and API keys: in a transaction, validated, audited."""

from apps.tenants.services.api_keys import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
)
from apps.tenants.services.gstin import (
    tenant_gstin_certificate_link,
    tenant_gstin_certificate_upload,
    tenant_gstin_reject,
    tenant_gstin_verify,
)
from apps.tenants.services.members import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
    invitation_token,
    membership_change_role,
    membership_remove,
)
from apps.tenants.services.roles import membership_change_refusal
from apps.tenants.services.shop_settings import tenant_gst_settings_update, tenant_stock_settings_update
from apps.tenants.services.workspaces import (
    tenant_build,
    tenant_create,
    tenant_gst_fields_check,
    tenant_set_active,
    tenant_update,
)

__all__ = [
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_send",
    "invitation_token",
    "membership_change_refusal",
    "membership_change_role",
    "membership_remove",
    "tenant_build",
    "tenant_create",
    "tenant_gst_fields_check",
    "tenant_gst_settings_update",
    "tenant_gstin_certificate_link",
    "tenant_gstin_certificate_upload",
    "tenant_gstin_reject",
    "tenant_gstin_verify",
    "tenant_set_active",
    "tenant_stock_settings_update",
    "tenant_update",
]
