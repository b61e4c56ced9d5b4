"""Handing out private files: presigned S3 URLs, or signed links to a checking view when local.

A link is made only after the caller has checked the user may see the file; in embedded mode the
link also names that user, so a forwarded link is useless to anyone else, and it expires either way.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, storages
from django.urls import reverse

FILE_SALT = "core.private_file"


def private_file_url(*, alias: str, name: str, user_id: int, filename: str | None = None) -> str:
    if alias not in settings.PRIVATE_STORAGE_ALIASES:
        raise ValueError(f"{alias} is not a private storage")
    storage = storages[alias]
    expiry = settings.PRIVATE_FILE_URL_EXPIRY_SECONDS
    if not isinstance(storage, FileSystemStorage):
        params = {}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        return storage.url(name, parameters=params or None, expire=expiry)
    token = signing.dumps(
        {"a": alias, "n": name, "u": user_id, "f": filename or ""}, salt=FILE_SALT, compress=True
    )
    return reverse("core:private_file", args=[token])


def private_file_from_token(token: str, *, user_id: int) -> dict:
    """The file a link names, if the link is genuine, unexpired and was made for this user."""
    data = signing.loads(token, salt=FILE_SALT, max_age=settings.PRIVATE_FILE_URL_EXPIRY_SECONDS)
    if data.get("u") != user_id or data.get("a") not in settings.PRIVATE_STORAGE_ALIASES:
        raise signing.BadSignature("link made for someone else")
    return data
