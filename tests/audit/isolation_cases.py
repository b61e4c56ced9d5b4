from apps.tenants.models import Membership, Role
from tests.isolation import Probe, input_case


@input_case("audit_events_list query:actor")
def _filter_events_by_their_owner(tenant, other_tenant):
    # The other shop's owner acted there (creating it is audited): their events must not show here.
    their_owner = Membership.objects.for_tenant(other_tenant).get(role=Role.OWNER).user
    return Probe("GET", "/api/v1/audit-events", lambda pk: {"actor": pk}, their_owner.pk)
