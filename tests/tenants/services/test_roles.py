"""Who may change or remove whom, walked for every role pair on every channel.

The rules, stated here independently of the code: staff change nobody's role and remove only
themselves (leave); admins never change or remove an owner and never make anyone an owner; only
owners make owners; the last owner is never demoted or removed. A refusal for the actor's role is a
403, the last-owner rule a 409, and a refusal changes nothing (the member, their role, their keys).
"""

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.tenants.exceptions import LastOwnerError
from apps.tenants.models import ApiKey, Membership, Role
from apps.tenants.services.roles import membership_change_refusal
from tests.api_helpers import ApiClient, make_key
from tests.conftest import add_member, login

pytestmark = pytest.mark.django_db

ROLES = [Role.OWNER, Role.ADMIN, Role.STAFF]
CHANNELS = ["page", "api_session", "api_key"]


def change_allowed(actor: str, target: str, new: str) -> bool:
    if actor == Role.STAFF:
        return False
    if actor == Role.ADMIN:
        return target != Role.OWNER and new != Role.OWNER
    return True


def remove_allowed(actor: str, target: str) -> bool:
    if actor == Role.STAFF:
        return False
    if actor == Role.ADMIN:
        return target != Role.OWNER
    return True


class Channel:
    """One way of asking: the team page, the API with a session, or the API with the actor's key."""

    def __init__(self, kind: str, tenant, user, key_role: str | None = None):
        self.kind = kind
        if kind == "page":
            self.client = login(Client(), user, tenant)
        elif kind == "api_session":
            self.client = login(ApiClient(), user, tenant)
        else:
            role = key_role or Membership.objects.get(tenant=tenant, user=user).role
            self.client = ApiClient(make_key(tenant, user, role))

    def change_role(self, membership: Membership, role: str):
        if self.kind == "page":
            return self.client.post(reverse("tenants:member_role", args=[membership.pk]), {"role": role})
        return self.client.patch(f"/api/v1/members/{membership.pk}", {"role": role})

    def remove(self, membership: Membership):
        if self.kind == "page":
            return self.client.post(reverse("tenants:member_remove", args=[membership.pk]))
        return self.client.delete(f"/api/v1/members/{membership.pk}")

    def assert_allowed(self, response, *, removed_self: bool = False):
        if self.kind == "page":
            assert response.status_code == 302, response.content[:400]
            expected = reverse("tenants:dashboard") if removed_self else reverse("tenants:team")
            assert response["Location"] == expected
        else:
            assert response.status_code in (200, 204), response.content

    def assert_refused(self, response, status: int, code: str):
        assert response.status_code == status, response.content[:400]
        if self.kind != "page":
            body = response.json()
            assert body["code"] == code or (status == 403 and body["code"] == "permission_denied"), body


def _team(tenant, actor_role: str, target_role: str):
    """The fixture's owner, an actor and a target (other people), each target holding an API key."""
    actor = add_member(tenant, actor_role)
    target = add_member(tenant, target_role)
    target_key = make_key(tenant, target, target_role)
    return actor, Membership.objects.get(tenant=tenant, user=target), target_key


def _snapshot(tenant):
    return (
        sorted(Membership.objects.for_tenant(tenant).values_list("user_id", "role")),
        sorted(ApiKey.objects.for_tenant(tenant).values_list("pk", "revoked_at")),
        AuditEvent.objects.filter(tenant=tenant).count(),
    )


@pytest.mark.parametrize("new_role_index", [0, 1], ids=["to-first-other", "to-second-other"])
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("target_role", ROLES, ids=[f"target={r}" for r in ROLES])
@pytest.mark.parametrize("actor_role", ROLES, ids=[f"actor={r}" for r in ROLES])
def test_changing_another_members_role(tenant, channel, actor_role, target_role, new_role_index):
    new_role = [r for r in ROLES if r != target_role][new_role_index]
    actor, target, _ = _team(tenant, actor_role, target_role)
    ask = Channel(channel, tenant, actor)
    before = _snapshot(tenant)

    response = ask.change_role(target, new_role)

    target.refresh_from_db()
    if change_allowed(actor_role, target_role, new_role):
        ask.assert_allowed(response)
        assert target.role == new_role
    else:
        ask.assert_refused(response, 403, "role_not_allowed")
        assert target.role == target_role
        assert _snapshot(tenant) == before


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("target_role", ROLES, ids=[f"target={r}" for r in ROLES])
@pytest.mark.parametrize("actor_role", ROLES, ids=[f"actor={r}" for r in ROLES])
def test_removing_another_member(tenant, channel, actor_role, target_role):
    actor, target, target_key = _team(tenant, actor_role, target_role)
    ask = Channel(channel, tenant, actor)
    before = _snapshot(tenant)

    response = ask.remove(target)

    if remove_allowed(actor_role, target_role):
        ask.assert_allowed(response)
        assert not Membership.objects.filter(pk=target.pk).exists()
        assert ApiClient(target_key).get("/api/v1/me").status_code == 401
    else:
        ask.assert_refused(response, 403, "role_not_allowed")
        assert Membership.objects.filter(pk=target.pk, role=target_role).exists()
        assert ApiClient(target_key).get("/api/v1/me").status_code == 200
        assert _snapshot(tenant) == before


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", ROLES)
def test_anyone_may_leave_unless_the_last_owner(tenant, owner, channel, role):
    me_user = add_member(tenant, role) if role != Role.OWNER else owner
    me = Membership.objects.get(tenant=tenant, user=me_user)
    ask = Channel(channel, tenant, me_user)
    if role == Role.OWNER:
        before = _snapshot(tenant)
        refused = ask.remove(me)
        ask.assert_refused(refused, 409, "last_owner")
        assert "only owner" in refused.content.decode()
        assert _snapshot(tenant) == before
        add_member(tenant, Role.OWNER)

    response = ask.remove(me)

    ask.assert_allowed(response, removed_self=True)
    assert not Membership.objects.filter(pk=me.pk).exists()


@pytest.mark.parametrize("channel", ["api_session", "api_key"])
def test_the_last_owner_cannot_demote_themselves(tenant, owner, channel):
    me = Membership.objects.get(tenant=tenant, user=owner)
    ask = Channel(channel, tenant, owner)
    before = _snapshot(tenant)
    response = ask.change_role(me, Role.ADMIN)
    ask.assert_refused(response, 409, "last_owner")
    assert _snapshot(tenant) == before


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_admin_is_refused_for_their_role_before_the_last_owner_rule(tenant, owner, channel):
    admin = add_member(tenant, Role.ADMIN)
    only_owner = Membership.objects.get(tenant=tenant, user=owner)
    ask = Channel(channel, tenant, admin)
    ask.assert_refused(ask.change_role(only_owner, Role.STAFF), 403, "role_not_allowed")
    ask.assert_refused(ask.remove(only_owner), 403, "role_not_allowed")
    only_owner.refresh_from_db()
    assert only_owner.role == Role.OWNER


@pytest.mark.parametrize("key_role", [Role.STAFF, Role.ADMIN])
def test_a_lesser_key_cannot_remove_its_owner_maker(tenant, owner, key_role):
    """A key acts with its own role: a staff or admin key made by an owner can't remove that owner."""
    add_member(tenant, Role.OWNER)  # not the last owner, so only the role rule can stop it
    makers_other_key = make_key(tenant, owner, Role.OWNER)
    lesser = ApiClient(make_key(tenant, owner, key_role))
    me = Membership.objects.get(tenant=tenant, user=owner)
    before = _snapshot(tenant)

    response = lesser.delete(f"/api/v1/members/{me.pk}")

    assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
    assert Membership.objects.filter(pk=me.pk, role=Role.OWNER).exists()
    assert ApiClient(makers_other_key).get("/api/v1/me").status_code == 200
    assert _snapshot(tenant) == before


def test_a_key_of_its_makers_full_role_may_leave_for_them(tenant, admin_user):
    me = Membership.objects.get(tenant=tenant, user=admin_user)
    response = ApiClient(make_key(tenant, admin_user, Role.ADMIN)).delete(f"/api/v1/members/{me.pk}")
    assert response.status_code == 204
    assert AuditEvent.objects.filter(tenant=tenant, action="member.leave").exists()


def test_a_key_is_capped_by_its_makers_current_role(tenant, owner):
    second_owner = add_member(tenant, Role.OWNER)
    key = ApiClient(make_key(tenant, second_owner, Role.OWNER))
    Membership.objects.filter(tenant=tenant, user=second_owner).update(role=Role.ADMIN)
    first = Membership.objects.get(tenant=tenant, user=owner)
    add_member(tenant, Role.OWNER)  # so the refusal can only be about the role

    assert key.delete(f"/api/v1/members/{first.pk}").status_code == 403
    assert key.patch(f"/api/v1/members/{first.pk}", {"role": "staff"}).status_code == 403
    first.refresh_from_db()
    assert first.role == Role.OWNER


def test_team_page_shows_only_the_controls_the_rules_allow(
    make_client, tenant, owner, admin_user, staff_user
):
    page = make_client(admin_user, tenant).get(reverse("tenants:team")).content.decode()
    owner_m = Membership.objects.get(tenant=tenant, user=owner)
    staff_m = Membership.objects.get(tenant=tenant, user=staff_user)
    assert reverse("tenants:member_remove", args=[owner_m.pk]) not in page
    assert reverse("tenants:member_role", args=[owner_m.pk]) not in page
    assert reverse("tenants:member_remove", args=[staff_m.pk]) in page
    staff_row = page[page.index(f'id="role-{staff_m.pk}"') :]
    staff_row = staff_row[: staff_row.index("</select>")]
    assert 'value="owner"' not in staff_row and 'value="admin"' in staff_row


# --- the last-owner refusal speaks to the person it stops: leaving says "you", demoting names the owner

ONLY_OWNER = Membership(tenant_id=1, user_id=1, role=Role.OWNER)


def test_the_only_owner_leaving_is_told_they_cannot_leave():
    refusal = membership_change_refusal(
        actor_membership=ONLY_OWNER, membership=ONLY_OWNER, role=None, owner_count=1
    )

    assert isinstance(refusal, LastOwnerError)
    assert refusal.message == (
        "You are the only owner, so you can't leave. Make someone else an owner first."
    )


def test_the_only_owner_demoting_themselves_is_told_they_are_the_only_owner():
    refusal = membership_change_refusal(
        actor_membership=ONLY_OWNER, membership=ONLY_OWNER, role=Role.ADMIN, owner_count=1
    )

    assert isinstance(refusal, LastOwnerError)
    assert refusal.message == "This is the only owner. Make someone else an owner first."


def test_a_second_owner_may_leave_or_step_down():
    for role in (None, Role.ADMIN, Role.STAFF):
        assert (
            membership_change_refusal(
                actor_membership=ONLY_OWNER, membership=ONLY_OWNER, role=role, owner_count=2
            )
            is None
        )
