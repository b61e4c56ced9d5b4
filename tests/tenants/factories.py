"""Workspaces and their people. A tenant is made by `tenant_create`, as signup makes it: with its owner,
its owner's membership and its first audit event."""

from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
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


def certificate_png(name: str = "gst-reg-06.png") -> SimpleUploadedFile:
    """A real PNG (certificates are read by Pillow, not by their name), as a shop would upload it."""
    buffer = BytesIO()
    Image.new("RGB", (32, 24), (240, 240, 230)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def platform_admin():
    """The super admin who reviews GSTINs in fixtures (one per database; it can't sign in)."""
    from apps.accounts.models import User

    return User.objects.filter(email="gstin-review@tijori.in").first() or UserFactory(
        email="gstin-review@tijori.in", is_staff=True, is_superuser=True, password=None
    )


def gstin_verified(tenant: Tenant) -> Tenant:
    """The shop with its GSTIN verified as on the site: its owner uploads the certificate, a super admin
    verifies it. Issuing GST invoices needs this. Safe to call again: a verified shop is returned as it is."""
    tenant = Tenant.objects.get(pk=tenant.pk)
    if tenant.gstin_verified_at:
        return tenant
    owner = Membership.objects.filter(tenant=tenant, role=Role.OWNER).select_related("user").first()
    tenant = services.tenant_gstin_certificate_upload(
        tenant=tenant, actor=owner.user if owner else None, upload=certificate_png()
    )
    return services.tenant_gstin_verify(tenant=tenant, actor=platform_admin())
