"""Factories shared by every app's tests. Rich states are built by calling services (see conftest)."""

import factory

from apps.accounts.models import User
from apps.tenants.models import Membership, Role, Tenant

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.in")
    full_name = factory.Faker("name", locale="en_IN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    kind = Tenant.Kind.SHOP
    name = factory.Sequence(lambda n: f"Shop {n} Jewellers")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    state_code = "27"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STAFF


def gstin_for(state: str, pan: str = "AAPFU0939F", entity: str = "1") -> str:
    """A GSTIN that passes every check, for the given state code."""
    from stdnum import luhn

    body = f"{state}{pan}{entity}Z"
    return body + luhn.calc_check_digit(body, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
