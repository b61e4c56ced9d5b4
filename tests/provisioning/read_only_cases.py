"""The expired shop's own AWS account, started before its AMC ran out, so reading it answers 200."""

from apps.provisioning.services.accounts import aws_account_start
from apps.tenants.models import Membership, Role
from tests.read_only import read_only_case


@read_only_case("api:aws-account")
def _aws_account(tenant):
    owner = Membership.objects.for_tenant(tenant).get(role=Role.OWNER).user
    aws_account_start(tenant=tenant, actor=owner)
    return {}
