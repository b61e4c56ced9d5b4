"""Stored files: names chosen by the server, checks by content, serving, and private links.

Every upload is checked by what its bytes are, then stored as `<folder>/t<tenant>/<random>.<ext>`,
the extension being that of the checked type: the client's file name never reaches storage, so it
can neither choose the type a file is served as nor collide with another file. Files are served
with the type their stored extension names, `nosniff` and a `sandbox` policy, documents as
downloads, so even a file that is more than it seems (an image that is also HTML) runs nothing on
our origin; a name stored before this rule with any other extension is served as plain bytes.

A private file is handed out only after the caller has checked the user may see it; in embedded
mode the link names that user and the tenant, and the download checks again that the user still
belongs to the tenant and that the file is in the tenant's folder, since a link stays valid for a
few minutes. Presigned S3 links can't be checked again: they only expire.
"""

from __future__ import annotations

import posixpath
import uuid
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

FILE_SALT = "core.private_file"

# The types an upload can be checked as, and the extension it is then stored under. Serving trusts
# this table only: whatever else a stored name ends with is served as plain bytes, downloaded.
UPLOAD_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/zip": "zip",
}
# Files Tijori writes itself (GST return exports): served by their extension like uploads, never accepted
# as an upload.
WRITTEN_TYPES = {"application/json": "json"}
_SERVED_EXTENSIONS = {**UPLOAD_TYPES, **WRITTEN_TYPES}
_EXTENSION_TYPES = {extension: content_type for content_type, extension in _SERVED_EXTENSIONS.items()}
# Shown in the page (a logo, a scanned certificate); documents and anything unknown are downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
_PILLOW_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SANDBOX = "sandbox"


# --- names ---------------------------------------------------------------------------------------


def upload_name(content_type: str) -> str:
    """The name to hand `FieldFile.save()` for an upload checked as `content_type`.

    Only its extension reaches storage (see `tenant_upload_path`).
    """
    return f"upload.{UPLOAD_TYPES[content_type]}"


def tenant_upload_path(*, folder: str, tenant_id: int, filename: str) -> str:
    """The stored name of an upload, for `upload_to`: a random name in the tenant's folder.

    `filename` must come from `upload_name()`; a name with any other extension is a client's name
    that slipped through, and is refused rather than stored.
    """
    extension = posixpath.splitext(filename)[1].lstrip(".").lower()
    if extension not in UPLOAD_TYPES.values():
        raise ValueError(f"store uploads under upload_name(content_type), not {filename!r}")
    return f"{folder}/t{tenant_id}/{uuid.uuid4().hex}.{extension}"


def in_tenant_folder(name: str, tenant_id: int) -> bool:
    """Whether a stored name lies in the tenant's folder (`…/t<id>/…`, or `t<id>/…` for older files)."""
    return f"t{tenant_id}" in name.split("/")[:-1]


def served_type(name: str) -> str:
    """The content type a stored file is served as: from its stored extension, never sniffed."""
    extension = posixpath.splitext(name)[1].lstrip(".").lower()
    return _EXTENSION_TYPES.get(extension, "application/octet-stream")


def download_name(original: str, name: str) -> str:
    """The name a download is saved under: the uploader's name, with the extension of what it is."""
    stem = posixpath.splitext(posixpath.basename((original or "").replace("\\", "/")))[0].strip()
    stem = "".join(c for c in stem if c.isprintable()) or "file"
    return f"{stem[:150]}.{_SERVED_EXTENSIONS.get(served_type(name), 'bin')}"


# --- checks by content ---------------------------------------------------------------------------


def image_type(upload: IO[bytes], *, allowed: frozenset[str] | set[str]) -> str | None:
    """The type of image Pillow reads in `upload` when it is one of `allowed`, else None."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    content_type = _PILLOW_TYPES.get(image_format or "")
    return content_type if content_type in allowed else None


def pdf_is_readable(upload: IO[bytes]) -> bool:
    """Whether `upload` parses as a PDF with at least one page (its first bytes prove nothing)."""
    try:
        upload.seek(0)
        reader = PdfReader(upload)
        return not reader.is_encrypted and len(reader.pages) > 0
    except Exception:  # a hostile file can break the parser in any way; every way means unreadable
        return False
    finally:
        upload.seek(0)


# A scanned certificate (BIS registration, AHC report, GST registration): a PDF or a photo of one.
CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
CERTIFICATE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


def certificate_type(upload: UploadedFile, *, field: str = "file") -> str:
    """What a certificate upload is, read by a parser (whatever its name, the browser or its first
    bytes claim): a readable PDF, a PNG or a JPEG within the size limit. Errors are keyed `field`."""
    if upload.size > CERTIFICATE_MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    f"The file is {upload.size // 1024} KB; the limit is {CERTIFICATE_MAX_BYTES // 1024} KB."
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({field: ["The file is empty."]})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if not pdf_is_readable(upload):
            raise ValidationError(
                {
                    field: [
                        "This file starts like a PDF but can't be read as one: it may be damaged or "
                        "protected by a password. Save it again as a PDF and upload that."
                    ]
                }
            )
        return "application/pdf"
    content_type = image_type(upload, allowed=CERTIFICATE_IMAGE_TYPES)
    if content_type is None:
        raise ValidationError({field: ["A certificate must be a PDF, PNG or JPEG file."]})
    return content_type


# --- serving -------------------------------------------------------------------------------------


def stored_file_response(
    storage: Storage, name: str, *, filename: str = "", public: bool = False
) -> FileResponse:
    """A stored file, sent so that no browser runs it: its stored type, nosniff, a sandbox policy.

    Documents, unknown types and anything sent under the uploader's `filename` are attachments.
    """
    content_type = served_type(name)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, SuspiciousFileOperation):
        raise Http404("The file is no longer there.") from None
    attachment = bool(filename) or content_type not in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=attachment,
        filename=download_name(filename or posixpath.basename(name), name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    # Stored names are never reused, so a public file can be cached; a private one never is.
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


def private_file_response(storage: Storage, name: str, *, filename: str) -> FileResponse:
    """A private file for a caller already checked: under the uploader's `filename`, never cached.

    Its content type is the one its stored name says (`served_type`), never a stored or claimed one.
    """
    return stored_file_response(storage, name, filename=filename, public=False)


# --- private links -------------------------------------------------------------------------------


def private_file_expires_at() -> datetime:
    """When a private link made from now on stops working (asked before making it, so never later)."""
    now = timezone.now().replace(microsecond=0)
    return now + timedelta(seconds=settings.PRIVATE_FILE_URL_EXPIRY_SECONDS)


def private_file_url(
    *, alias: str, name: str, user_id: int, tenant_id: int, filename: str | None = None
) -> str:
    """A link to a private file of `tenant_id`, for a user the caller has checked may see it."""
    if alias not in settings.PRIVATE_STORAGE_ALIASES:
        raise ValueError(f"{alias} is not a private storage")
    storage = storages[alias]
    expiry = settings.PRIVATE_FILE_URL_EXPIRY_SECONDS
    if not isinstance(storage, FileSystemStorage):
        content_type = served_type(name)
        params = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(
                bool(filename) or content_type not in INLINE_TYPES,
                download_name(filename or posixpath.basename(name), name),
            ),
        }
        return storage.url(name, parameters=params, expire=expiry)
    token = signing.dumps(
        {"a": alias, "n": name, "u": user_id, "t": tenant_id, "f": filename or ""},
        salt=FILE_SALT,
        compress=True,
    )
    return reverse("core:private_file", args=[token])


def private_file_from_token(token: str, *, user_id: int, tenant_ids: set[int]) -> dict:
    """The file a link names, if the link is genuine, unexpired and made for this user, who still
    belongs to the link's tenant, and the file is in that tenant's folder."""
    data = signing.loads(token, salt=FILE_SALT, max_age=settings.PRIVATE_FILE_URL_EXPIRY_SECONDS)
    if data.get("u") != user_id or data.get("a") not in settings.PRIVATE_STORAGE_ALIASES:
        raise signing.BadSignature("link made for someone else")
    tenant_id = data.get("t")
    if tenant_id not in tenant_ids or not in_tenant_folder(data.get("n", ""), tenant_id):
        raise signing.BadSignature("the user left the tenant, or the file is not the tenant's")
    return data
