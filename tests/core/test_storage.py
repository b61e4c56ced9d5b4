"""Object Lock on the bucket of records under retention: files are locked as written, never for less.

moto does not refuse a shorter COMPLIANCE date (AWS does), so the rule "never ask for a shorter lock"
is proven on the requests themselves, recorded from botocore's events.
"""

from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from apps.core.storage import ObjectLockS3Storage, RetainedFile, lock_instant, retention_extend
from apps.invoicing.models import Invoice
from tests.conftest import INVOICES_BUCKET

LATER = date(2033, 12, 31)
LATEST = date(2035, 3, 31)
EARLIER = date(2031, 12, 31)


def _head(key: str) -> dict:
    return boto3.client("s3", region_name="ap-south-1").head_object(Bucket=INVOICES_BUCKET, Key=key)


def _locks_sent(calls) -> list[tuple[str, datetime]]:
    """Each lock date a request asked for: on a write, or on a change of retention."""
    sent = []
    for operation, params in calls:
        if operation == "PutObjectRetention":
            sent.append((operation, params["Retention"]["RetainUntilDate"]))
        elif "ObjectLockRetainUntilDate" in params:
            sent.append((operation, params["ObjectLockRetainUntilDate"]))
    return sent


def test_the_end_of_the_retention_day_in_utc_is_the_lock():
    assert lock_instant(date(2032, 12, 31)) == datetime(2032, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_the_invoices_storage_is_the_locking_one_when_its_bucket_is_named(invoices_in_s3):
    assert isinstance(invoices_in_s3, ObjectLockS3Storage)
    assert isinstance(Invoice._meta.get_field("pdf").storage, ObjectLockS3Storage)


def test_a_retained_file_is_written_locked_in_compliance_until_its_day(invoices_in_s3, invoices_s3_calls):
    name = invoices_in_s3.save("invoices/t1/a.pdf", RetainedFile(b"%PDF-1.7 a", retain_until=LATER))
    head = _head(name)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == lock_instant(LATER)  # its own date, not the bucket's 1 day
    # Locked by the write itself: no version of it ever exists unlocked.
    assert _locks_sent(invoices_s3_calls) == [("PutObject", lock_instant(LATER))]
    with pytest.raises(ClientError, match="AccessDenied"):
        boto3.client("s3", region_name="ap-south-1").delete_object(
            Bucket=INVOICES_BUCKET, Key=name, VersionId=head["VersionId"]
        )
    assert _head(name)["VersionId"] == head["VersionId"]


def test_extending_moves_the_lock_later_and_an_earlier_day_asks_for_nothing(
    invoices_in_s3, invoices_s3_calls
):
    name = invoices_in_s3.save("invoices/t1/b.pdf", RetainedFile(b"%PDF-1.7 b", retain_until=LATER))
    file = Invoice(pdf=name).pdf

    assert retention_extend(file, EARLIER) == lock_instant(LATER)
    assert retention_extend(file, LATER) == lock_instant(LATER)
    assert not [call for call in invoices_s3_calls if call[0] == "PutObjectRetention"]
    assert _head(name)["ObjectLockRetainUntilDate"] == lock_instant(LATER)

    assert retention_extend(file, LATEST) == lock_instant(LATEST)
    head = _head(name)
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == ("COMPLIANCE", lock_instant(LATEST))
    retention_calls = [params for operation, params in invoices_s3_calls if operation == "PutObjectRetention"]
    assert [(p["Retention"], p["VersionId"]) for p in retention_calls] == [
        ({"Mode": "COMPLIANCE", "RetainUntilDate": lock_instant(LATEST)}, head["VersionId"])
    ]


def test_writing_a_key_again_keeps_the_later_lock(invoices_in_s3, invoices_s3_calls):
    overwriting = ObjectLockS3Storage(
        bucket_name=INVOICES_BUCKET, region_name="ap-south-1", file_overwrite=True
    )
    overwriting.connection.meta.client.meta.events.register(
        "before-parameter-build.s3",
        lambda params, model, **kw: invoices_s3_calls.append((model.name, dict(params))),
    )
    name = overwriting.save("invoices/t1/c.pdf", RetainedFile(b"%PDF-1.7 c", retain_until=LATEST))
    assert overwriting.save(name, RetainedFile(b"%PDF-1.7 c2", retain_until=EARLIER)) == name
    assert _head(name)["ObjectLockRetainUntilDate"] == lock_instant(LATEST)
    assert _locks_sent(invoices_s3_calls) == [("PutObject", lock_instant(LATEST))] * 2


def test_every_lock_ever_asked_for_is_never_earlier_than_the_one_before(invoices_in_s3, invoices_s3_calls):
    name = invoices_in_s3.save("invoices/t1/d.pdf", RetainedFile(b"%PDF-1.7 d", retain_until=LATER))
    file = Invoice(pdf=name).pdf
    for day in (EARLIER, LATEST, LATER, date(2020, 1, 1), LATEST):
        retention_extend(file, day)
    dates = [until for _, until in _locks_sent(invoices_s3_calls)]
    assert dates == sorted(dates) and dates[-1] == lock_instant(LATEST)


def test_extending_a_missing_file_says_so(invoices_in_s3):
    with pytest.raises(FileNotFoundError):
        retention_extend(Invoice(pdf="invoices/t1/none.pdf").pdf, LATER)


def test_local_files_have_no_lock_and_extending_does_nothing(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=str(tmp_path))
    monkeypatch.setattr(Invoice._meta.get_field("pdf"), "storage", storage)
    name = storage.save("invoices/t1/e.pdf", RetainedFile(b"%PDF-1.7 e", retain_until=LATER))
    assert (tmp_path / name).read_bytes() == b"%PDF-1.7 e"
    assert retention_extend(Invoice(pdf=name).pdf, LATEST) is None


def test_a_file_saved_without_a_retention_day_gets_only_the_buckets_default(
    invoices_in_s3, invoices_s3_calls
):
    name = invoices_in_s3.save("invoices/t1/f.pdf", ContentFile(b"%PDF-1.7 f"))
    assert _locks_sent(invoices_s3_calls) == []
    assert _head(name)["ObjectLockRetainUntilDate"] < datetime.now(UTC) + timedelta(days=2)
