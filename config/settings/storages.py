"""Files: local folders under var/media by default, one S3 bucket per kind of file when configured."""

from config.env import VAR_DIR, env

MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="ap-south-1")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
PRIVATE_FILE_URL_EXPIRY_SECONDS = env.int("PRIVATE_FILE_URL_EXPIRY_SECONDS", default=300)
# The CDN host in front of the public bucket (CloudFront), for the links to shop logos. Default: the bucket's own.
S3_PUBLIC_DOMAIN = env("S3_PUBLIC_DOMAIN", default=None)


# Aliases whose bucket has Object Lock: records under GST retention, each object locked until its record's
# retain-until day (apps.core.storage). Local folders have no such lock.
OBJECT_LOCK_ALIASES = frozenset({"invoices"})


def _storage(alias: str, *, public: bool = False, **s3_options) -> dict:
    """Local files under var/media/<alias> unless S3_BUCKET_<ALIAS> names a bucket."""
    bucket = env(f"S3_BUCKET_{alias.upper()}", default="")
    if bucket:
        options = {
            "bucket_name": bucket,
            "region_name": AWS_S3_REGION_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "signature_version": "s3v4",
            "addressing_style": "path" if AWS_S3_ENDPOINT_URL else "auto",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": not public,
            "querystring_expire": PRIVATE_FILE_URL_EXPIRY_SECONDS,
            **s3_options,
        }
        if alias in OBJECT_LOCK_ALIASES:
            return {"BACKEND": "apps.core.storage.ObjectLockS3Storage", "OPTIONS": options}
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    options = {"location": str(MEDIA_ROOT / alias)}
    if public:
        options["base_url"] = f"{MEDIA_URL}{alias}/"
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}


STORAGES = {
    "default": _storage("default"),
    "public": _storage("public", public=True, custom_domain=S3_PUBLIC_DOMAIN),
    "certificates": _storage("certificates"),
    "invoices": _storage("invoices"),
    "exports": _storage("exports"),
    "backups": _storage("backups"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
PRIVATE_STORAGE_ALIASES = ["default", "certificates", "invoices", "exports", "backups"]
