"""What each role may do in a workspace, written once.

Every gate above the staff role names one of these rights: `tenant_view(RATES_SET)` on a page,
`write_role = RATES_SET` on an API viewset, `right_require(...)` in a service. The Team page's table is
drawn from this same list, so it cannot promise what the code does not do (a test walks every page
and endpoint and refuses a gate above staff that names a bare role instead of a right).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.tenants.exceptions import RoleNotAllowedError
from apps.tenants.models import Membership, Role

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


@dataclass(frozen=True)
class Right:
    """Something a member may do, and the least role that may do it."""

    role: str
    does: str  # as the Team page lists it: "Set the day's metal rates"
    shops_only: bool = False  # a personal workspace has no stock or sales

    def held_by(self, role: str) -> bool:
        return Role.rank(role) >= Role.rank(self.role)

    def refusal(self) -> str:
        roles = " and ".join(r.label.lower() + "s" for r in reversed(ROLES) if self.held_by(r))
        return f"Only {roles} can do this: {self.does[0].lower()}{self.does[1:]}."


ROLES = [Role.STAFF, Role.ADMIN, Role.OWNER]

STOCK_KEEP = Right(Role.STAFF, "Add and change articles, HUIDs and hallmarking batches", shops_only=True)
RATES_SEE = Right(Role.STAFF, "See the day's metal rates and each article's metal value", shops_only=True)
SALES_MAKE = Right(Role.STAFF, "Make and issue bills, take payments, buy old gold", shops_only=True)
REGISTERS_READ = Right(
    Role.STAFF,
    "Read the registers: sales, HSN summary, payments, old gold bought, stock movement",
    shops_only=True,
)
PROJECTS_SEE = Right(Role.STAFF, "See projects and how their stacks are doing")
RATES_SET = Right(Role.ADMIN, "Set the day's metal rates", shops_only=True)
STOCK_VALUE = Right(Role.ADMIN, "See the total value of the stock", shops_only=True)
STOCK_DELETE = Right(Role.ADMIN, "Delete an article entered by mistake", shops_only=True)
SALE_CANCEL = Right(Role.ADMIN, "Cancel an issued invoice", shops_only=True)
SALE_NOTES = Right(Role.ADMIN, "Issue credit and debit notes against issued invoices", shops_only=True)
RETURNS_EXPORT = Right(
    Role.ADMIN, "Export GST returns and registers as files, and download them", shops_only=True
)
EINVOICE = Right(
    Role.ADMIN, "Register invoices and notes on the IRP (e-invoices) and cancel their IRNs", shops_only=True
)
GST_SETTINGS = Right(
    Role.ADMIN, "Set how often the shop files GSTR-1 and from when it e-invoices", shops_only=True
)
BIS_REGISTRATION = Right(Role.ADMIN, "Record the shop's BIS registration", shops_only=True)
PROFILE_EDIT = Right(Role.ADMIN, "Change the profile: name, state, GSTIN, logo")
SHOP_SETTINGS = Right(
    Role.ADMIN, "Set how new articles are numbered and the shop's small-turnover exemption", shops_only=True
)
TEAM_MANAGE = Right(Role.ADMIN, "Invite people, change roles and remove members")
API_KEYS = Right(Role.ADMIN, "Make and revoke API keys")
AUDIT_READ = Right(Role.ADMIN, "Read the audit trail")
BILLING_SEE = Right(Role.ADMIN, "See the AMC: plan, period, state, history, payments and Tijori's invoices")
BILLING_PAY = Right(Role.ADMIN, "Renew the AMC and pay for it online")
PROJECTS_RUN = Right(Role.ADMIN, "Create projects, provision, deploy and destroy them")
OWNERS_MANAGE = Right(Role.OWNER, "Make someone an owner, or change or remove an owner")
AWS_ACCOUNT = Right(Role.OWNER, "Connect the workspace's own AWS account")

# Every right above, in the order the Team page lists them.
BY_NAME: dict[str, Right] = {name: value for name, value in globals().items() if isinstance(value, Right)}
RIGHTS: list[Right] = list(BY_NAME.values())


def rights_held(role: str | None) -> dict[str, bool]:
    """Which rights a role holds, by name, for templates: `{% if can.RATES_SET %}`."""
    return {name: role is not None and right.held_by(role) for name, right in BY_NAME.items()}


def role_of(gate: Right | str) -> str:
    """The least role a gate lets in, whether it names a right or (at the staff level) a bare role."""
    return gate.role if isinstance(gate, Right) else gate


def rights_table(*, shop: bool) -> dict:
    """The Team page's table: the roles (owner first), and each right with whether each role holds it."""
    roles = list(reversed(ROLES))
    return {
        "roles": [role.label for role in roles],
        "rows": [
            {"does": right.does, "held": [right.held_by(role) for role in roles]}
            for right in RIGHTS
            if shop or not right.shops_only
        ],
    }


def right_require(*, tenant: Tenant, actor: User | None, right: Right) -> None:
    """Refuse (403) an actor whose role in the tenant lacks `right`; None acts for the platform itself."""
    if actor is None or right.role == Role.STAFF:
        return
    role = Membership.objects.for_tenant(tenant).filter(user=actor).values_list("role", flat=True).first()
    if role is None or not right.held_by(role):
        raise RoleNotAllowedError(right.refusal())
