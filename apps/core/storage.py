"""S3 Object Lock for files kept under GST retention (invoice, note and voucher PDFs).

A record's file is saved as a `RetainedFile`, which carries the record's `retain_until`. On an
`ObjectLockS3Storage` the object is written in COMPLIANCE mode until the end of that day (UTC) in the
same request that writes it, so no version of it ever exists unlocked; nobody, the root account
included, can delete that version or shorten its lock before then. The bucket's default retention
only covers objects written without a date of their own.

A lock is only ever moved later. Writing again to a key keeps the later of the two dates, and
`retention_extend` asks for nothing when the object is already locked as long: AWS refuses to shorten
a COMPLIANCE lock, but a GOVERNANCE bucket, a caller with bypass rights or an emulator would let it
through. On local folders (the embedded default) files have no lock at all, and nothing here applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

COMPLIANCE = "COMPLIANCE"


def lock_instant(day: date) -> datetime:
    """The end of `day` in UTC: a record kept "until 31 Dec 2032" stays locked through that whole day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


class RetainedFile(ContentFile):
    """File content to be kept, unchangeable, at least until the end of `retain_until`."""

    def __init__(self, content: bytes, *, retain_until: date, name: str | None = None) -> None:
        super().__init__(content, name=name)
        self.retain_until = retain_until


class ObjectLockS3Storage(S3Storage):
    """An S3 bucket with Object Lock enabled: a `RetainedFile` is written locked (see the module)."""

    def _get_write_parameters(self, name, content=None):
        params = super()._get_write_parameters(name, content)
        retain_until = getattr(content, "retain_until", None)
        if retain_until is not None:
            until = lock_instant(retain_until)
            current = self._lock_until(name)  # `name` is already the object's key here
            params["ObjectLockMode"] = COMPLIANCE
            params["ObjectLockRetainUntilDate"] = max(until, current) if current else until
        return params

    def retention_extend(self, name: str, until: date) -> datetime:
        """Keep the file locked at least through `until`; the retain-until it has afterwards."""
        key = self._normalize_name(clean_name(name))
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(f"No stored file {name!r} to keep.")
        wanted = lock_instant(until)
        current = head.get("ObjectLockRetainUntilDate")
        if current is not None and current >= wanted:
            return current
        params = {"VersionId": head["VersionId"]} if head.get("VersionId") else {}
        self.connection.meta.client.put_object_retention(
            Bucket=self.bucket_name,
            Key=key,
            Retention={"Mode": COMPLIANCE, "RetainUntilDate": wanted},
            **params,
        )
        return wanted

    def _head(self, key: str) -> dict | None:
        # `head_object`, not `get_object_retention`: it answers for an object with no lock too.
        try:
            return self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise

    def _lock_until(self, key: str) -> datetime | None:
        head = self._head(key)
        return head.get("ObjectLockRetainUntilDate") if head else None


def retention_extend(file: FieldFile, until: date) -> datetime | None:
    """Keep a stored file locked at least through `until` (never shortened); None where files have no lock."""
    if isinstance(file.storage, ObjectLockS3Storage):
        return file.storage.retention_extend(file.name, until)
    return None
