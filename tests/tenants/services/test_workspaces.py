"""Creating workspaces and changing their profile and state."""

import pytest

from apps.audit.models import AuditEvent
from apps.tenants import services
from apps.tenants.models import Membership, Tenant
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db


def test_tenant_create_gives_unique_slugs(owner):
    a = services.tenant_create(owner=owner, kind="personal", name="Builds")
    b = services.tenant_create(owner=owner, kind="personal", name="Builds")
    assert a.slug == "builds" and b.slug.startswith("builds-") and a.slug != b.slug


def test_typing_a_gstin_claims_nothing_two_unverified_shops_may_share_one(owner, other_owner):
    gstin = gstin_for("27")
    one = services.tenant_create(owner=owner, kind="shop", name="One", state_code="27", gstin=gstin)
    two = services.tenant_create(owner=other_owner, kind="shop", name="Two", state_code="27", gstin=gstin)
    assert one.gstin == two.gstin == gstin
    assert one.gstin_status == two.gstin_status == Tenant.GstinStatus.NOT_UPLOADED


def test_deactivating_keeps_everything(tenant, owner):
    members_before = Membership.objects.for_tenant(tenant).count()
    services.tenant_set_active(tenant=tenant, actor=owner, active=False, reason="AMC unpaid")
    tenant.refresh_from_db()
    assert not tenant.is_active and tenant.deactivated_at is not None
    assert Membership.objects.for_tenant(tenant).count() == members_before
    assert AuditEvent.objects.filter(tenant=tenant, action="tenant.deactivate").exists()
