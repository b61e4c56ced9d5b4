"""Who belongs to a tenant: roles, removal, and invitations from sending to acceptance."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.tenants import services
from apps.tenants.exceptions import AlreadyMemberError, InvitationError, LastOwnerError, RoleNotAllowedError
from apps.tenants.models import Invitation, Membership, Role
from tests.accounts.factories import UserFactory
from tests.conftest import add_member
from tests.races import overlap

pytestmark = pytest.mark.django_db


def _membership(tenant, user) -> Membership:
    return Membership.objects.get(tenant=tenant, user=user)


def test_last_owner_cannot_be_demoted(tenant, owner):
    me = _membership(tenant, owner)
    with pytest.raises(LastOwnerError):
        services.membership_change_role(
            tenant=tenant, actor=owner, actor_membership=me, membership=me, role=Role.ADMIN
        )
    me.refresh_from_db()
    assert me.role == Role.OWNER


def test_last_owner_cannot_leave(tenant, owner):
    me = _membership(tenant, owner)
    with pytest.raises(LastOwnerError):
        services.membership_remove(tenant=tenant, actor=owner, actor_membership=me, membership=me)
    assert Membership.objects.filter(pk=me.pk).exists()


def test_second_owner_makes_leaving_possible(tenant, owner):
    second = add_member(tenant, Role.OWNER)
    me = _membership(tenant, owner)
    services.membership_remove(tenant=tenant, actor=owner, actor_membership=me, membership=me)
    assert list(Membership.objects.for_tenant(tenant).values_list("user", flat=True)) == [second.pk]
    assert AuditEvent.objects.filter(tenant=tenant, action="member.leave").exists()


def test_admin_cannot_grant_owner_or_touch_owners(tenant, owner, admin_user, staff_user):
    admin_m = _membership(tenant, admin_user)
    with pytest.raises(RoleNotAllowedError):
        services.membership_change_role(
            tenant=tenant,
            actor=admin_user,
            actor_membership=admin_m,
            membership=_membership(tenant, staff_user),
            role=Role.OWNER,
        )
    with pytest.raises(RoleNotAllowedError):
        services.membership_remove(
            tenant=tenant, actor=admin_user, actor_membership=admin_m, membership=_membership(tenant, owner)
        )
    assert _membership(tenant, staff_user).role == Role.STAFF


def test_staff_cannot_remove_others(tenant, staff_user, admin_user):
    with pytest.raises(RoleNotAllowedError):
        services.membership_remove(
            tenant=tenant,
            actor=staff_user,
            actor_membership=_membership(tenant, staff_user),
            membership=_membership(tenant, admin_user),
        )


def test_role_change_is_audited(tenant, owner, staff_user):
    services.membership_change_role(
        tenant=tenant,
        actor=owner,
        actor_membership=_membership(tenant, owner),
        membership=_membership(tenant, staff_user),
        role=Role.ADMIN,
    )
    event = AuditEvent.objects.get(action="member.role_change")
    assert event.tenant == tenant and event.actor == owner
    assert "from Staff to Admin" in event.summary


def test_invitation_round_trip(tenant, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            tenant=tenant,
            actor=owner,
            actor_membership=_membership(tenant, owner),
            email="New.Person@Example.in",
            role=Role.ADMIN,
        )
    assert len(mail.outbox) == 1
    assert "Shop A Jewellers" in mail.outbox[0].subject
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    found = services.invitation_from_token(token)
    assert found.pk == invitation.pk
    newcomer = UserFactory(email="new.person@example.in")
    membership = services.invitation_accept(invitation=found, user=newcomer)
    assert (membership.tenant, membership.role) == (tenant, Role.ADMIN)
    with pytest.raises(InvitationError, match="already been accepted"):
        services.invitation_from_token(token)


def test_invitation_for_someone_else_is_refused(tenant, owner):
    invitation = services.invitation_create(
        tenant=tenant,
        actor=owner,
        actor_membership=_membership(tenant, owner),
        email="a@example.in",
        role="staff",
    )
    intruder = UserFactory(email="b@example.in")
    with pytest.raises(InvitationError, match=r"is for a@example\.in"):
        services.invitation_accept(invitation=invitation, user=intruder)
    assert not Membership.objects.filter(user=intruder).exists()


def test_invitation_link_expires_after_7_days(tenant, owner, settings):
    invitation = services.invitation_create(
        tenant=tenant,
        actor=owner,
        actor_membership=_membership(tenant, owner),
        email="a@example.in",
        role="staff",
    )
    token = services.invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationError, match="expired"):
        services.invitation_from_token(token)


def test_tampered_invitation_link_is_refused(tenant, owner):
    invitation = services.invitation_create(
        tenant=tenant,
        actor=owner,
        actor_membership=_membership(tenant, owner),
        email="a@example.in",
        role="staff",
    )
    token = services.invitation_token(invitation)
    with pytest.raises(InvitationError, match="not valid"):
        services.invitation_from_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_signed_link_older_than_7_days_is_refused_even_if_row_says_open(tenant, owner, settings):
    invitation = services.invitation_create(
        tenant=tenant,
        actor=owner,
        actor_membership=_membership(tenant, owner),
        email="a@example.in",
        role="staff",
    )
    token = services.invitation_token(invitation)
    settings.INVITATION_MAX_AGE_DAYS = 0
    with pytest.raises(InvitationError, match="expired"):
        services.invitation_from_token(token)


def test_reinviting_replaces_the_open_invitation(tenant, owner):
    me = _membership(tenant, owner)
    first = services.invitation_create(
        tenant=tenant, actor=owner, actor_membership=me, email="a@example.in", role="staff"
    )
    second = services.invitation_create(
        tenant=tenant, actor=owner, actor_membership=me, email="A@example.in", role="admin"
    )
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert second.status == Invitation.Status.PENDING


def test_inviting_an_existing_member_is_refused(tenant, owner, staff_user):
    with pytest.raises(AlreadyMemberError):
        services.invitation_create(
            tenant=tenant,
            actor=owner,
            actor_membership=_membership(tenant, owner),
            email=staff_user.email.upper(),
            role="staff",
        )


def test_staff_cannot_invite_above_their_role(tenant, admin_user):
    with pytest.raises(RoleNotAllowedError):
        services.invitation_create(
            tenant=tenant,
            actor=admin_user,
            actor_membership=_membership(tenant, admin_user),
            email="x@example.in",
            role=Role.OWNER,
        )
    assert not Invitation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(tenant, owner):
    """Row locks serialise the two demotions: the second waits for the first, then sees one owner left."""
    second = add_member(tenant, Role.OWNER)
    m1, m2 = _membership(tenant, owner), _membership(tenant, second)

    def demote(actor, actor_membership, target):
        return lambda: services.membership_change_role(
            tenant=tenant, actor=actor, actor_membership=actor_membership, membership=target, role=Role.STAFF
        )

    race = overlap(tenant, demote(owner, m1, m2), demote(second, m2, m1))

    assert isinstance(race.first, Membership) and race.first.role == Role.STAFF, race.first
    assert race.second_waited  # on the owners' rows the first demotion still held
    assert isinstance(race.second, LastOwnerError), race.second
    owners = Membership.objects.for_tenant(tenant).filter(role=Role.OWNER)
    assert list(owners.values_list("user_id", flat=True)) == [owner.pk]
