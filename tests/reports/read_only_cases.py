"""A finished export of the expired shop, so its download is read end to end (the isolation cases leave
theirs queued: there only the row matters)."""

from apps.reports import services
from tests.read_only import read_only_case
from tests.reports.isolation_cases import _export


def _built(tenant):
    export = services.export_build(export_id=_export(tenant).pk)
    assert export.status == export.Status.DONE, export.error
    return export


@read_only_case("reports:export_download")
def _export_download(tenant):
    return {"export_id": _built(tenant).pk}


@read_only_case("api:export-download")
def _api_export_download(tenant):
    return {"pk": _built(tenant).pk}
