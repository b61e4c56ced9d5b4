from apps.provisioning.models import Operation, Project
from apps.tenants.models import Membership, Role
from tests.isolation import isolation_case


def _project(other_tenant):
    owner = Membership.objects.for_tenant(other_tenant).get(role=Role.OWNER).user
    return Project.objects.create(
        tenant=other_tenant, name="Their project", key=f"x{other_tenant.pk:07d}", region="ap-south-1",
        tier="small", estimate_usd_month=10, created_by=owner,
    )  # fmt: skip


def _project_id(other_tenant):
    return {"project_id": _project(other_tenant).pk}


def _pk(other_tenant):
    return {"pk": _project(other_tenant).pk}


for _name in ("infrastructure", "application", "status"):
    isolation_case(f"provisioning:{_name}")(_project_id)
for _name in ("provision", "destroy", "deploy", "purge", "extend", "delete"):
    isolation_case(f"provisioning:{_name}", methods=["POST"])(_project_id)
isolation_case("api:project-detail", methods=["GET", "DELETE"], api=True)(_pk)


@isolation_case("provisioning:preview")
def _deployed_site(other_tenant):
    """A deployed application, whose site a member of its own workspace would be sent to."""
    project = _project(other_tenant)
    Project.objects.filter(pk=project.pk).update(
        infra_state="deployed", app_state="deployed", site_url="http://their-site.example/"
    )
    return {"project_id": project.pk}


for _name in ("provision", "destroy", "deploy", "purge", "extend"):
    isolation_case(f"api:project-{_name}", methods=["POST"], api=True)(_pk)


@isolation_case("api:operation-detail", api=True)
def _operation(other_tenant):
    project = _project(other_tenant)
    operation = Operation.objects.create(
        tenant=other_tenant, project=project, action="provision", state="failed"
    )
    return {"pk": operation.pk}
