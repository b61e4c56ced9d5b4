from apps.tenants import services
from apps.tenants.models import Membership, Role
from tests.isolation import isolation_case


@isolation_case("tenants:member_role", methods=["POST"])
def _member_role(other_tenant):
    return {"membership_id": Membership.objects.for_tenant(other_tenant).first().pk}


@isolation_case("tenants:member_remove", methods=["POST"])
def _member_remove(other_tenant):
    return {"membership_id": Membership.objects.for_tenant(other_tenant).first().pk}


@isolation_case("tenants:invitation_revoke", methods=["POST"])
def _invitation_revoke(other_tenant):
    owner_m = Membership.objects.for_tenant(other_tenant).get(role=Role.OWNER)
    invitation = services.invitation_create(
        tenant=other_tenant,
        actor=owner_m.user,
        actor_membership=owner_m,
        email="victim@example.in",
        role="staff",
    )
    return {"invitation_id": invitation.pk}


def _other_owner_membership(other_tenant):
    return Membership.objects.for_tenant(other_tenant).get(role=Role.OWNER)


def _other_key(other_tenant):
    owner_m = _other_owner_membership(other_tenant)
    key, _ = services.api_key_create(
        tenant=other_tenant, actor=owner_m.user, actor_membership=owner_m, name="victim", role="staff"
    )
    return key


@isolation_case("tenants:api_key_revoke", methods=["POST"])
def _api_key_revoke(other_tenant):
    return {"api_key_id": _other_key(other_tenant).pk}


@isolation_case("api:member-detail", methods=["GET", "PATCH", "DELETE"], api=True)
def _api_member(other_tenant):
    return {"pk": _other_owner_membership(other_tenant).pk}


@isolation_case("api:invitation-detail", methods=["DELETE"], api=True)
def _api_invitation(other_tenant):
    return {"pk": _invitation_revoke(other_tenant)["invitation_id"]}


@isolation_case("api:api-key-detail", methods=["GET", "DELETE"], api=True)
def _api_key(other_tenant):
    return {"pk": _other_key(other_tenant).pk}
