"""`manage.py check --deploy` says when the bucket of records under retention would not lock them."""

import boto3
from django.core.files.storage import storages

from apps.core.checks import object_lock_check
from tests.conftest import INVOICES_BUCKET


def _ids() -> list[str]:
    return [message.id for message in object_lock_check(None)]


def _invoices_bucket(settings, backend: str | None = None, bucket: str = INVOICES_BUCKET) -> None:
    invoices = settings.STORAGES["invoices"]
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {
            "BACKEND": backend or invoices["BACKEND"],
            "OPTIONS": {**invoices["OPTIONS"], "bucket_name": bucket},
        },
    }
    storages._storages = {}


def test_local_files_raise_nothing():
    assert _ids() == []


def test_a_bucket_whose_default_retention_is_under_8_years_is_a_warning(invoices_in_s3):
    assert _ids() == ["core.W002"]  # the test bucket's default is one day


def test_a_bucket_locking_8_years_by_default_passes(invoices_in_s3):
    boto3.client("s3", region_name="ap-south-1").put_object_lock_configuration(
        Bucket=INVOICES_BUCKET,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 8}},
        },
    )  # fmt: skip
    assert _ids() == []


def test_a_bucket_without_object_lock_is_an_error(invoices_in_s3, settings):
    boto3.client("s3", region_name="ap-south-1").create_bucket(
        Bucket="tijori-test-unlocked", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
    )
    _invoices_bucket(settings, bucket="tijori-test-unlocked")
    assert _ids() == ["core.E002"]


def test_a_plain_s3_storage_for_invoices_is_an_error(invoices_in_s3, settings):
    _invoices_bucket(settings, backend="storages.backends.s3.S3Storage")
    assert _ids() == ["core.E001"]


def test_a_bucket_that_cannot_be_read_is_a_warning_naming_it(invoices_in_s3, settings):
    _invoices_bucket(settings, bucket="tijori-test-missing")
    (message,) = object_lock_check(None)
    assert message.id == "core.W001" and "tijori-test-missing" in message.msg
