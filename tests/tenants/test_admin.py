"""Tenants in Django admin: the profile saves through its service, memberships change only by actions."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.accounts.admin import MembershipInline, UserAdmin
from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.tenants.admin import TenantAdmin, TenantMembershipInline
from apps.tenants.models import ApiKey, Invitation, Membership, Role, Tenant
from tests.accounts.factories import UserFactory
from tests.conftest import add_member
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root):
    client = Client()
    client.force_login(root)
    return client


def _tenant_form(client, tenant, **changes) -> dict:
    """What the change page posts: its editable fields (changed as asked) and each inline's counts."""
    page = client.get(reverse("admin:tenants_tenant_change", args=[tenant.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    return {**data, **changes}


def _events(tenant) -> int:
    return AuditEvent.objects.filter(tenant=tenant).count()


def test_admin_saves_the_profile_through_the_service_and_audits_it(root_client, root, tenant):
    gstin = gstin_for("27")
    before = _events(tenant)

    response = root_client.post(
        reverse("admin:tenants_tenant_change", args=[tenant.pk]),
        _tenant_form(root_client, tenant, name="Shop A Gold", gstin=gstin.lower()),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    tenant.refresh_from_db()
    assert (tenant.name, tenant.gstin) == ("Shop A Gold", gstin)  # stored as the service writes it
    event = AuditEvent.objects.filter(tenant=tenant).latest("pk")
    assert _events(tenant) == before + 1
    assert (event.action, event.actor_id) == ("tenant.update", root.pk)
    assert event.summary == "Changed name, GSTIN"


@pytest.mark.parametrize(
    "gstin, message",
    [
        ("27AAPFU0939F1ZX", "check digit"),
        (gstin_for("29"), "registered in Karnataka (29), not in Maharashtra"),
    ],
)
def test_admin_cannot_save_an_invalid_gstin_or_one_of_another_state(root_client, tenant, gstin, message):
    before = _events(tenant)

    response = root_client.post(
        reverse("admin:tenants_tenant_change", args=[tenant.pk]),
        _tenant_form(root_client, tenant, gstin=gstin),
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["gstin"])
    tenant.refresh_from_db()
    assert tenant.gstin == "" and _events(tenant) == before


def test_the_gstin_field_refuses_an_invalid_number_whoever_saves_it(tenant):
    tenant.gstin = "27AAPFU0939F1ZX"
    with pytest.raises(ValidationError) as caught:
        tenant.full_clean(validate_constraints=False)
    assert "check digit" in " ".join(caught.value.message_dict["gstin"])


def test_admin_neither_adds_nor_deletes_tenants(root_client, tenant):
    assert root_client.get(reverse("admin:tenants_tenant_add")).status_code == 403
    assert root_client.post(reverse("admin:tenants_tenant_delete", args=[tenant.pk])).status_code == 403
    assert Tenant.objects.filter(pk=tenant.pk).exists()


@pytest.mark.parametrize(
    "inline, parent",
    [(TenantMembershipInline, TenantAdmin), (MembershipInline, UserAdmin)],
)
def test_membership_inlines_are_read_only(rf, root, inline, parent):
    request = rf.get("/")
    request.user = root
    model = Tenant if parent is TenantAdmin else User
    shown = inline(model, admin.site)
    assert not shown.has_add_permission(request, None)
    assert not shown.has_change_permission(request, None)
    assert not shown.has_delete_permission(request, None)


def test_membership_admin_has_no_form_that_writes(root_client, tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)
    change = reverse("admin:tenants_membership_change", args=[membership.pk])

    assert (
        root_client.post(change, {"role": Role.STAFF, "user": owner.pk, "tenant": tenant.pk}).status_code
        == 403
    )
    assert (
        root_client.post(reverse("admin:tenants_membership_delete", args=[membership.pk])).status_code == 403
    )
    assert root_client.get(reverse("admin:tenants_membership_add")).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def _action(client, action: str, *memberships):
    return client.post(
        reverse("admin:tenants_membership_changelist"),
        {"action": action, "_selected_action": [m.pk for m in memberships]},
        follow=True,
    )


def test_admin_cannot_remove_the_last_owner(root_client, tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)
    before = _events(tenant)

    response = _action(root_client, "remove", membership)

    assert "This is the only owner. Make someone else an owner first." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk, role=Role.OWNER).exists()
    assert _events(tenant) == before


def test_admin_cannot_demote_the_last_owner(root_client, tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)

    response = _action(root_client, "make_staff", membership)

    assert "This is the only owner." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_a_role_changed_in_admin_leaves_an_audit_event(root_client, root, tenant):
    staff = Membership.objects.get(tenant=tenant, user=add_member(tenant, Role.STAFF, "staff@shop-a.in"))

    response = _action(root_client, "make_admin", staff)

    assert "1 member(s) are now Admin." in response.content.decode()
    staff.refresh_from_db()
    assert staff.role == Role.ADMIN
    event = AuditEvent.objects.get(tenant=tenant, action="member.role_change")
    assert event.actor_id == root.pk
    assert event.summary == "Changed staff@shop-a.in from Staff to Admin"


def test_a_member_removed_in_admin_is_audited_and_loses_their_keys(root_client, tenant):
    from tests.api_helpers import make_key

    leaver = add_member(tenant, Role.ADMIN, "admin@shop-a.in")
    make_key(tenant, leaver, "admin")
    membership = Membership.objects.get(tenant=tenant, user=leaver)

    _action(root_client, "remove", membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(tenant=tenant, action="member.remove").count() == 1
    assert not ApiKey.objects.filter(created_by=leaver, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("model", ["invitation", "apikey"])
def test_invitations_and_keys_are_read_only_in_admin(root_client, tenant, owner, model):
    from tests.api_helpers import make_key

    make_key(tenant, owner, "owner")
    Invitation.objects.create(
        tenant=tenant, email="x@example.in", role=Role.STAFF, invited_by=owner, expires_at="2099-01-01T00:00Z"
    )
    obj = (Invitation if model == "invitation" else ApiKey).objects.get()
    assert root_client.get(reverse(f"admin:tenants_{model}_changelist")).status_code == 200
    assert root_client.get(reverse(f"admin:tenants_{model}_change", args=[obj.pk])).status_code == 200
    assert root_client.get(reverse(f"admin:tenants_{model}_add")).status_code == 403
    assert root_client.post(reverse(f"admin:tenants_{model}_delete", args=[obj.pk])).status_code == 403
