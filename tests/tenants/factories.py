"""Workspaces and their people. A tenant is made by `tenant_create`, as signup makes it: with its owner,
its owner's membership and its first audit event."""

import factory
from stdnum import luhn

from apps.tenants import services
from apps.tenants.models import Membership, Role, Tenant
from tests.accounts.factories import UserFactory


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    kind = Tenant.Kind.SHOP
    name = factory.Sequence(lambda n: f"Shop {n} Jewellers")
    state_code = "27"
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *, owner, **values):
        return services.tenant_create(owner=owner, **values)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member added directly: joining has no service of its own outside an invitation's acceptance."""

    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STAFF


def gstin_for(state: str, pan: str = "AAPFU0939F", entity: str = "1") -> str:
    """A GSTIN that passes every check, for the given state code."""
    body = f"{state}{pan}{entity}Z"
    return body + luhn.calc_check_digit(body, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
