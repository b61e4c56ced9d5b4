"""Deployment checks (`manage.py check --deploy`): the buckets of records under retention really lock them."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import storages
from storages.backends.s3 import S3Storage

from apps.core.storage import COMPLIANCE, ObjectLockS3Storage

# The bucket's default retention is the floor for an object written without its own date. GST records
# are kept up to about 7 years 9 months (72 months after the annual return's due date): 8 years covers them.
MIN_DEFAULT_RETENTION_DAYS = 8 * 365


def _default_retention_days(rule: dict) -> int:
    retention = rule.get("DefaultRetention", {})
    return retention.get("Days", 0) or retention.get("Years", 0) * 365


def _bucket_messages(alias: str, storage: ObjectLockS3Storage) -> list:
    bucket = storage.bucket_name
    try:
        answer = storage.connection.meta.client.get_object_lock_configuration(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ObjectLockConfigurationNotFoundError":
            return [_unlocked(alias, bucket)]
        return [_unconfirmed(alias, bucket, exc)]
    except BotoCoreError as exc:
        return [_unconfirmed(alias, bucket, exc)]
    config = answer.get("ObjectLockConfiguration", {})
    if config.get("ObjectLockEnabled") != "Enabled":
        return [_unlocked(alias, bucket)]
    rule = config.get("Rule", {})
    if (
        rule.get("DefaultRetention", {}).get("Mode") != COMPLIANCE
        or _default_retention_days(rule) < MIN_DEFAULT_RETENTION_DAYS
    ):
        return [
            Warning(
                f"The bucket {bucket} of the `{alias}` storage has no default retention of at least 8 years "
                "in COMPLIANCE mode.",
                hint="Tijori locks each file until its record's retention day; set the bucket's default "
                "retention (COMPLIANCE, 8 years) as the floor for anything written without one.",
                id="core.W002",
            )
        ]
    return []


def _unlocked(alias: str, bucket: str) -> Error:
    return Error(
        f"The bucket {bucket} of the `{alias}` storage has no Object Lock.",
        hint="Object Lock can only be turned on when a bucket is created: create a new bucket with versioning "
        f"and Object Lock enabled, and point S3_BUCKET_{alias.upper()} at it.",
        id="core.E002",
    )


def _unconfirmed(alias: str, bucket: str, exc: Exception) -> Warning:
    return Warning(
        f"Could not confirm that the bucket {bucket} of the `{alias}` storage has Object Lock: {exc}",
        hint="Give these credentials s3:GetBucketObjectLockConfiguration on the bucket, or check it by hand.",
        id="core.W001",
    )


@register(Tags.files, deploy=True)
def object_lock_check(app_configs, **kwargs) -> list:
    """The storages of records under retention, when kept in S3, lock what they write."""
    messages = []
    for alias in sorted(settings.OBJECT_LOCK_ALIASES):
        storage = storages[alias]
        if isinstance(storage, ObjectLockS3Storage):
            messages.extend(_bucket_messages(alias, storage))
        elif isinstance(storage, S3Storage):
            messages.append(
                Error(
                    f"The `{alias}` storage is S3 without Object Lock: its files would be written unlocked.",
                    hint="Use the backend apps.core.storage.ObjectLockS3Storage for it "
                    f"(config/settings/storages.py does when S3_BUCKET_{alias.upper()} is set).",
                    id="core.E001",
                )
            )
    return messages
