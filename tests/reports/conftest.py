"""Fixtures of the reports tests: the shops of the invoicing tests, and the exports storage in a test's
own folder or in a moto bucket."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages

from apps.reports.models import Export
from tests.invoicing.conftest import other_shop, shop  # noqa: F401 - fixtures shared with invoicing
from tests.reports.registers_data import book, buyer, on_day  # noqa: F401 - the registers' hand-worked book

EXPORTS_BUCKET = "tijori-test-exports"


def _use_storage(settings, monkeypatch, spec: dict):
    settings.STORAGES = {**settings.STORAGES, "exports": spec}
    storages._storages = {}
    # FileField resolves its storage callable once, at import: point it at this test's storage too.
    monkeypatch.setattr(Export._meta.get_field("file"), "storage", storages["exports"])
    return storages["exports"]


@pytest.fixture
def exports_in_tmp(settings, tmp_path, monkeypatch):
    """Exported files go to this test's own folder, not the project's media."""
    location = tmp_path / "exports"
    _use_storage(
        settings, monkeypatch,
        {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    )  # fmt: skip
    yield location
    storages._storages = {}


@pytest.fixture
def exports_in_s3(settings, monkeypatch, exports_in_tmp):
    """The `exports` storage on a moto bucket, made by the settings code production runs: presigned links."""
    import boto3
    from moto import mock_aws

    from config.settings.storages import _storage

    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("S3_BUCKET_EXPORTS", EXPORTS_BUCKET)
    with mock_aws():
        boto3.client("s3", region_name="ap-south-1").create_bucket(
            Bucket=EXPORTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
        )
        yield _use_storage(settings, monkeypatch, _storage("exports"))
        storages._storages = {}
