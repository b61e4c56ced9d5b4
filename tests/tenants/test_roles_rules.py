"""The last-owner refusal speaks to the person it stops: leaving says "you", demoting names the owner."""

from apps.tenants.exceptions import LastOwnerError
from apps.tenants.models import Membership, Role
from apps.tenants.services.roles import membership_change_refusal

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
