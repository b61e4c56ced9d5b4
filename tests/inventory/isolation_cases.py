from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.inventory.models import Certificate, Purity
from apps.inventory.services import (
    certificate_upload,
    hallmark_batch_send,
    stock_csv_template,
    stock_import_check,
    stock_item_create,
)
from apps.tenants.models import Membership, Role
from tests.inventory.conftest import PDF
from tests.isolation import isolation_case


def _owner(tenant):
    return Membership.objects.for_tenant(tenant).get(role=Role.OWNER).user


def _item(tenant, name="Their ring"):
    return stock_item_create(
        tenant=tenant,
        actor=_owner(tenant),
        name=name,
        purity=Purity.objects.get(karat="22K"),
        gross_weight="3",
    )


@isolation_case("api:stock-item-detail", methods=["GET", "PATCH", "DELETE"], api=True)
def _api_stock_item(other_tenant):
    return {"pk": _item(other_tenant).pk}


def _batch(other_tenant):
    return hallmark_batch_send(
        tenant=other_tenant,
        actor=_owner(other_tenant),
        centre_name="Their AHC",
        request_number="THEIRS-1",
        sent_on=timezone.localdate(),
        item_ids=[_item(other_tenant).pk],
    )


@isolation_case("api:hallmark-batch-detail", api=True)
def _api_batch(other_tenant):
    return {"pk": _batch(other_tenant).pk}


@isolation_case("api:hallmark-batch-receive", methods=["POST"], api=True)
def _api_batch_receive(other_tenant):
    return {"pk": _batch(other_tenant).pk}


def _certificate(other_tenant):
    certificate = certificate_upload(
        tenant=other_tenant,
        actor=_owner(other_tenant),
        kind=Certificate.Kind.STONE,
        item=_item(other_tenant),
        upload=SimpleUploadedFile("theirs.pdf", PDF, "application/pdf"),
    )
    # Only the row matters here; the file would be left behind in the media folder. The download of
    # another tenant's certificate with its file in place is tested in test_api_batches_rates_certificates.
    certificate.file.storage.delete(certificate.file.name)
    return certificate


@isolation_case("api:certificate-detail", api=True)
def _api_certificate(other_tenant):
    return {"pk": _certificate(other_tenant).pk}


@isolation_case("api:certificate-download", api=True)
def _api_certificate_download(other_tenant):
    return {"pk": _certificate(other_tenant).pk}


# --- pages -----------------------------------------------------------------------------------------


@isolation_case("inventory:stock_detail")
def _stock_detail(other_tenant):
    return {"item_id": _item(other_tenant).pk}


@isolation_case("inventory:stock_edit", methods=["GET", "POST"])
def _stock_edit(other_tenant):
    return {"item_id": _item(other_tenant).pk}


@isolation_case("inventory:stock_delete", methods=["POST"])
def _stock_delete(other_tenant):
    return {"item_id": _item(other_tenant).pk}


@isolation_case("inventory:stock_certificate", methods=["POST"])
def _stock_certificate(other_tenant):
    return {"item_id": _item(other_tenant).pk}


@isolation_case("inventory:certificate_download")
def _certificate_download(other_tenant):
    return {"certificate_id": _certificate(other_tenant).pk}


@isolation_case("inventory:batch_detail")
def _batch_detail(other_tenant):
    return {"batch_id": _batch(other_tenant).pk}


@isolation_case("inventory:batch_receive", methods=["POST"])
def _batch_receive(other_tenant):
    return {"batch_id": _batch(other_tenant).pk}


@isolation_case("inventory:batch_report", methods=["POST"])
def _batch_report(other_tenant):
    return {"batch_id": _batch(other_tenant).pk}


@isolation_case("inventory:import_detail", methods=["GET", "POST"])
def _import_detail(other_tenant):
    upload = SimpleUploadedFile("theirs.csv", stock_csv_template().encode(), "text/csv")
    stock_import = stock_import_check(tenant=other_tenant, actor=_owner(other_tenant), upload=upload)
    stock_import.file.storage.delete(stock_import.file.name)  # only the row matters here
    return {"import_id": stock_import.pk}
