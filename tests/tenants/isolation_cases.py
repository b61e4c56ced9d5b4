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
