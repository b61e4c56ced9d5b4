from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
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
from tests.isolation import Probe, input_case, isolation_case


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
        item_id=_item(other_tenant).pk,
        upload=SimpleUploadedFile("theirs.pdf", PDF, "application/pdf"),
    )
    # Only the row matters here; the file would be left behind in the media folder. The download of
    # another tenant's certificate with its file in place is tested in tests/inventory/api/test_certificates.py.
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


# --- ids in list filters and request bodies ----------------------------------------------------------


def _certificate_on(other_tenant, **owner):
    """A certificate of `other_tenant` on its batch or article, so a leaky filter would list it."""
    kind = Certificate.Kind.AHC_REPORT if "batch" in owner else Certificate.Kind.STONE
    certificate = certificate_upload(
        tenant=other_tenant,
        actor=_owner(other_tenant),
        kind=kind,
        upload=SimpleUploadedFile("theirs.pdf", PDF, "application/pdf"),
        **{f"{name}_id": value.pk for name, value in owner.items()},
    )
    certificate.file.storage.delete(certificate.file.name)  # only the row matters here
    return certificate


@input_case("certificates_list query:batch")
def _filter_certificates_by_batch(tenant, other_tenant):
    batch = _certificate_on(other_tenant, batch=_batch(other_tenant)).batch
    return Probe("GET", "/api/v1/certificates", lambda pk: {"batch": pk}, batch.pk)


@input_case("certificates_list query:item")
def _filter_certificates_by_item(tenant, other_tenant):
    item = _certificate_on(other_tenant, item=_item(other_tenant)).item
    return Probe("GET", "/api/v1/certificates", lambda pk: {"item": pk}, item.pk)


def _upload(kind: str, owner: str):
    def payload(pk):
        upload = SimpleUploadedFile("ours.pdf", PDF, "application/pdf")
        return {"kind": kind, owner: pk, "file": upload}

    return payload


@input_case("certificates_create body:batch")
def _certificate_for_their_batch(tenant, other_tenant):
    return Probe(
        "POST",
        "/api/v1/certificates",
        _upload("ahc_report", "batch"),
        _batch(other_tenant).pk,
        MULTIPART_CONTENT,
    )


@input_case("certificates_create body:item")
def _certificate_for_their_item(tenant, other_tenant):
    return Probe(
        "POST", "/api/v1/certificates", _upload("stone", "item"), _item(other_tenant).pk, MULTIPART_CONTENT
    )


@input_case("hallmark_batches_create body:item_ids[]")
def _send_their_item(tenant, other_tenant):
    mine = _item(tenant, "Our ring").pk

    def payload(pk):
        return {"centre_name": "Our AHC", "request_number": "OURS-9", "sent_on": "2026-04-01",
                "item_ids": [mine, pk]}  # fmt: skip

    return Probe("POST", "/api/v1/hallmark-batches", payload, _item(other_tenant).pk)


@input_case("hallmark_batches_receive_create body:huids[].item")
def _receive_their_item(tenant, other_tenant):
    ours = _batch(tenant)
    theirs = _batch(other_tenant).items.get()

    def payload(pk):
        return {"received_on": timezone.localdate().isoformat(), "huids": [{"item": pk, "huid": "AB12CD"}]}

    return Probe("POST", f"/api/v1/hallmark-batches/{ours.pk}/receive", payload, theirs.pk)
