"""Uploaded application bundles that are not sound zips: refused with the reason, nothing stored or queued.

Each bad zip is made from a good one by changing what its central directory says about a file, as
a damaged download or a crafted archive would.
"""

import io
import struct
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse

from apps.provisioning.models import Operation, Project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aws_env")]

INDEX = "frontend/index.html"
GOOD = {"backend/app.py": "def handler(event, context):\n    return {}\n" * 20, INDEX: "<h1>Shop</h1>" * 50}
# Offsets of a central directory entry's fields (APPNOTE.TXT 4.3.12).
CENTRAL = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "size": (24, "<I")}


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tampered(**fields) -> bytes:
    """The good bundle with INDEX's central directory entry saying something else."""
    data = bytearray(zip_of(GOOD))
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(INDEX)] != INDEX.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    real = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(INDEX)
    values = {"crc": real.CRC, "size": real.file_size}
    for name, value in fields.items():
        offset, fmt = CENTRAL[name]
        struct.pack_into(fmt, data, entry + offset, value(values[name]) if callable(value) else value)
    return bytes(data)


BAD = {
    "bad_crc": (lambda: tampered(crc=lambda crc: crc ^ 1), "is damaged in the zip"),
    "encrypted": (lambda: tampered(flags=0x1), "is protected by a password"),
    "unknown_compression": (lambda: tampered(method=99), "compressed with a method Tijori can't unpack"),
    "deflate64": (lambda: tampered(method=9), "compressed with a method Tijori can't unpack"),
    "size_smaller_than_content": (lambda: tampered(size=lambda size: size - 10), "is damaged in the zip"),
    "size_larger_than_content": (lambda: tampered(size=lambda size: size + 10), "is damaged in the zip"),
    "zip_bomb": (lambda: tampered(size=2**31), "unpacks to more than 60 MB"),
    "path_traversal": (lambda: zip_of({**GOOD, "frontend/../../../etc/cron.d/x": "x"}), "unsafe path"),
    "control_character_name": (lambda: zip_of({**GOOD, "frontend/a\x1b[2Jb.html": "x"}), "control character"),
    "truncated": (lambda: zip_of(GOOD)[:300], "not a readable .zip file"),
}


@pytest.fixture
def project(tenant):
    return Project.objects.create(
        tenant=tenant, name="Shop site", key="abcd1234", region="ap-south-1", tier="small",
        estimate_usd_month=10, infra_state="deployed",
    )  # fmt: skip


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("site.zip", data, "application/zip")


@pytest.fixture(autouse=True)
def bundles_in_tmp(tmp_path, monkeypatch):
    """Uploaded bundles go to this test's own folder, so "nothing stored" can be seen."""
    folder = tmp_path / "bundles"
    storage = FileSystemStorage(location=str(folder))
    monkeypatch.setattr(Operation._meta.get_field("bundle"), "storage", storage)
    return folder


def nothing_stored(folder) -> bool:
    return not Operation.objects.exists() and not [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("case", BAD)
def test_a_bad_bundle_is_a_4xx_with_its_reason_on_the_api(api, project, bundles_in_tmp, case):
    make, reason = BAD[case]
    url = f"/api/v1/projects/{project.pk}/deploy"
    response = api.post(url, {"bundle": upload(make())}, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == ["bundle"] and reason in body["fields"]["bundle"][0]
    assert nothing_stored(bundles_in_tmp)


@pytest.mark.parametrize("case", BAD)
def test_a_bad_bundle_is_a_422_with_its_reason_on_the_page(owner_client, project, bundles_in_tmp, case):
    make, reason = BAD[case]
    response = owner_client.post(
        reverse("provisioning:deploy", args=[project.pk]), {"source": "bundle", "bundle": upload(make())}
    )
    assert response.status_code == 422
    assert reason in response.context["deploy_form"].errors["bundle"][0]
    assert nothing_stored(bundles_in_tmp)


def test_the_good_bundle_these_are_made_from_is_accepted(
    api, project, bundles_in_tmp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            f"/api/v1/projects/{project.pk}/deploy",
            {"bundle": upload(zip_of(GOOD))},
            content_type=MULTIPART_CONTENT,
        )
    assert response.status_code == 202, response.json()
    assert not nothing_stored(bundles_in_tmp)  # the check above would see a stored file
