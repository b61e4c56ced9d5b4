from apps.reports import services
from apps.tenants.models import Membership, Role
from tests.isolation import isolation_case
from tests.reports import kinds
from tests.reports.exports_helpers import this_month


def _export(other_tenant):
    owner = Membership.objects.for_tenant(other_tenant).get(role=Role.OWNER).user
    return services.export_request(
        tenant=other_tenant, actor=owner, kind_code=kinds.SLOW.code, period=this_month(), options={}
    )


@isolation_case("reports:export_detail")
def _export_row(other_tenant):
    return {"export_id": _export(other_tenant).pk}


@isolation_case("reports:export_download")
def _export_download(other_tenant):
    return {"export_id": _export(other_tenant).pk}


@isolation_case("api:export-detail", api=True)
def _api_export(other_tenant):
    return {"pk": _export(other_tenant).pk}


@isolation_case("api:export-download", api=True)
def _api_export_download(other_tenant):
    return {"pk": _export(other_tenant).pk}
