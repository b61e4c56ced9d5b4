"""What each audit action code means, in the words a shop owner reads on the audit trail page."""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "account.signup": "Signed up",
    "api_key.create": "API key created",
    "api_key.revoke": "API key revoked",
    "aws_account.connect": "AWS account connected",
    "aws_account.disconnect": "AWS account disconnected",
    "aws_account.recheck": "AWS account re-checked",
    "aws_account.start": "AWS account connection started",
    "aws_account.verified": "AWS account verified",
    "batch.receive": "Hallmarking batch received",
    "batch.send": "Hallmarking batch sent",
    "certificate.upload": "Certificate uploaded",
    "customer.create": "Customer added",
    "customer.update": "Customer changed",
    "invitation.create": "Invitation sent",
    "invoice.cancel": "Invoice cancelled",
    "invoice.discard": "Draft invoice discarded",
    "invoice.email": "Invoice e-mailed",
    "invoice.issue": "Invoice issued",
    "invitation.revoke": "Invitation withdrawn",
    "member.join": "Member joined",
    "old_gold.buy": "Old gold bought",
    "member.leave": "Member left or removed",
    "member.role_change": "Member's role changed",
    "operation.failed": "Operation failed",
    "payment.record": "Payment received",
    "operation.succeeded": "Operation succeeded",
    "project.create": "Project created",
    "project.extend": "Project extended",
    "project.provision": "Project provisioning requested",
    "project.destroy": "Project destruction requested",
    "project.deploy_app": "Application deployment requested",
    "project.purge_app": "Application removal requested",
    "provisioning.accounts_unreachable": "AWS accounts unreachable",
    "provisioning.orphans": "Orphaned AWS resources found",
    "rate.set": "Metal rate set",
    "series.create": "Document series added",
    "stock.create": "Article added",
    "stock.delete": "Article deleted",
    "stock.hallmark_status": "Hallmark status changed",
    "stock.huid": "HUID changed",
    "stock.ready_for_sale": "Sale readiness changed",
    "stock.stock_status": "Stock status changed",
    "tenant.bis_registration": "BIS registration recorded",
    "tenant.create": "Shop or workspace created",
    "tenant.reactivate": "Reactivated",
    "tenant.update": "Details changed",
    "tenant.deactivate": "Deactivated",
    "tenant_quota.reset": "Spend quota reset",
    "tenant_quota.set": "Spend quota set",
}

# The audit page filters by the part before the dot.
ACTION_GROUP_LABELS: dict[str, str] = {
    "account": "Accounts",
    "api_key": "API keys",
    "aws_account": "AWS account",
    "batch": "Hallmarking batches",
    "certificate": "Certificates",
    "customer": "Customers",
    "invitation": "Invitations",
    "invoice": "Invoices",
    "member": "Team members",
    "old_gold": "Old gold",
    "operation": "Operations",
    "payment": "Payments",
    "project": "Projects",
    "provisioning": "Provisioning",
    "rate": "Metal rates",
    "series": "Document series",
    "stock": "Stock",
    "tenant": "Shop or workspace",
    "tenant_quota": "Spend quota",
}


def action_label(code: str) -> str:
    """The readable label of an action code; an unknown code (a newer one) is shown as it is."""
    return ACTION_LABELS.get(code, code)


def action_group_label(prefix: str) -> str:
    """The readable name of a group of actions ('stock' for every stock.* code)."""
    return ACTION_GROUP_LABELS.get(prefix, prefix.replace("_", " ").capitalize())
