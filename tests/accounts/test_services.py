"""Onboarding services: joining through an invitation with a new account."""

import pytest
from django.core.exceptions import ValidationError

from apps.accounts import services
from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.tenants import services as tenant_services
from apps.tenants.exceptions import InvitationError
from apps.tenants.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db

EMAIL = "karan@example.in"
PASSWORD = "karan-pass-2026"


@pytest.fixture
def invitation(tenant, owner) -> Invitation:
    return tenant_services.invitation_create(
        tenant=tenant,
        actor=owner,
        actor_membership=Membership.objects.get(tenant=tenant, user=owner),
        email=EMAIL,
        role=Role.ADMIN,
    )


def test_a_newcomer_gets_an_account_and_joins_in_one_step(tenant, invitation):
    membership = services.invitation_accept_as_new_user(
        invitation=invitation, full_name=" Karan Mehta ", password=PASSWORD
    )

    user = User.objects.get(email=EMAIL)
    assert membership.user == user and membership.tenant == tenant and membership.role == Role.ADMIN
    assert user.full_name == "Karan Mehta" and user.check_password(PASSWORD)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == user
    assert AuditEvent.objects.filter(tenant=tenant, action="member.join", actor_id=user.pk).count() == 1


def test_an_invitation_withdrawn_meanwhile_leaves_no_account_behind(tenant, owner, invitation):
    tenant_services.invitation_revoke(tenant=tenant, actor=owner, invitation=invitation)

    with pytest.raises(InvitationError):
        services.invitation_accept_as_new_user(invitation=invitation, full_name="Karan", password=PASSWORD)

    assert not User.objects.filter(email=EMAIL).exists()
    assert not Membership.objects.filter(tenant=tenant, user__email=EMAIL).exists()


def test_an_address_that_has_an_account_is_told_to_sign_in(tenant, invitation):
    from tests.accounts.factories import UserFactory

    UserFactory(email=EMAIL)
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept_as_new_user(invitation=invitation, full_name="Karan", password=PASSWORD)
    assert caught.value.message_dict == {"email": [services.ACCOUNT_EXISTS]}
    assert Membership.objects.filter(tenant=tenant).count() == 1


def test_a_weak_password_is_refused_on_its_field_and_nothing_is_made(tenant, invitation):
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept_as_new_user(invitation=invitation, full_name="Karan", password="1234")
    assert "password1" in caught.value.message_dict
    assert not User.objects.filter(email=EMAIL).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
