"""Certificates of the expired shop with their files in place, so its downloads are read end to end
(the isolation cases remove the file: there only the row matters)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.inventory.models import Certificate
from apps.inventory.services import certificate_upload
from tests.inventory.conftest import PDF
from tests.inventory.isolation_cases import _item, _owner
from tests.read_only import read_only_case


def _certificate(tenant) -> Certificate:
    return certificate_upload(
        tenant=tenant,
        actor=_owner(tenant),
        kind=Certificate.Kind.STONE,
        item_id=_item(tenant).pk,
        upload=SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
    )


@read_only_case("inventory:certificate_download")
def _certificate_download(tenant):
    return {"certificate_id": _certificate(tenant).pk}


@read_only_case("api:certificate-download")
def _api_certificate_download(tenant):
    return {"pk": _certificate(tenant).pk}
