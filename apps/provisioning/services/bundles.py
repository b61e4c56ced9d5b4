"""Application bundles: the built-in starter app, and uploaded zips checked before anything is stored.

A bundle is a zip with `backend/` (the Lambda code; `backend/app.py` defines `handler`) and
`frontend/` (the static site; `frontend/index.html` is the home page).
"""

from __future__ import annotations

import io
import lzma
import mimetypes
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from apps.core.validators import control_character

MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_FILES = 500
ENCRYPTED = 0x1  # general-purpose flag bit 0 of a zip entry
COMPRESSION_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# What the zipfile module raises for a malformed archive or entry, short of a bug of ours.
ZIP_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError,
    NotImplementedError, zlib.error, lzma.LZMAError, struct.error,
)  # fmt: skip
HANDLER = "app.handler"

STARTER_BACKEND = '''import json
import os


def handler(event, context):
    """The starter API: says hello and names the table the app may use."""
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"message": "Hello from your Tijori starter app", "table": os.environ.get("TABLE_NAME")}),
    }
'''
PLACEHOLDER_BACKEND = '''import json


def handler(event, context):
    """No application is deployed on this stack."""
    return {"statusCode": 503, "headers": {"content-type": "application/json"},
            "body": json.dumps({"message": "No application is deployed here yet."})}
'''
STARTER_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Starter app</title><link rel="stylesheet" href="style.css"></head>
<body><main><h1>Your Tijori starter app</h1><p>This page is served from your S3 bucket.</p>
<p id="api">Asking the API…</p></main>
<script src="config.js"></script>
<script>fetch(window.TIJORI_API_URL).then(r => r.json()).then(d => {
  document.getElementById("api").textContent = "The API says: " + d.message; });</script>
</body></html>
"""
STARTER_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#2b2118}\n"
)


@dataclass(frozen=True)
class Bundle:
    """What a deploy puts on the stack: the Lambda zip and the frontend files (path → bytes)."""

    code_zip: bytes
    files: dict[str, bytes]

    def content_type(self, path: str) -> str:
        return content_type(path)


def content_type(path: str) -> str:
    """The type a site's file is stored and served with, from its name."""
    guessed, _ = mimetypes.guess_type(path)
    if path.endswith(".js"):
        return "text/javascript"
    return guessed or "application/octet-stream"


def _zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def placeholder_code() -> bytes:
    """The function's code while no application is deployed (after provisioning and after a purge)."""
    return _zip({"app.py": PLACEHOLDER_BACKEND})


def starter_bundle() -> Bundle:
    return Bundle(
        code_zip=_zip({"app.py": STARTER_BACKEND}),
        files={"index.html": STARTER_INDEX.encode(), "style.css": STARTER_CSS.encode()},
    )


def bundle_check(upload: UploadedFile) -> None:
    """Refuse anything but a well-formed bundle, with the reason; every file is read, as a deploy will."""
    if upload.size > MAX_BUNDLE_BYTES:
        raise ValidationError({"bundle": [f"The bundle is over {MAX_BUNDLE_BYTES // 1024 // 1024} MB."]})
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        raise ValidationError({"bundle": ["The bundle must be a .zip file."]})
    upload.seek(0)
    bundle_read(upload.read())
    upload.seek(0)


def bundle_read(data: bytes) -> Bundle:
    """The bundle in `data`, split into the Lambda zip and the frontend files.

    Whatever the zip holds, a bad one raises ValidationError with the reason: a damaged or truncated
    archive, a password, a compression method Python can't unpack, sizes that don't match what is
    stored, too much unpacked data, or a path that would leave the bundle.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except ZIP_ERRORS:
        raise _refused("The bundle is not a readable .zip file.") from None
    if len(members) > MAX_FILES:
        raise _refused(f"The bundle has more than {MAX_FILES} files.")
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _refused(f"The bundle unpacks to more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB.")
    backend, frontend = {}, {}
    for member in members:
        path = posixpath.normpath(member.filename)
        if control_character(member.filename) is not None:
            raise _refused("The bundle has a file name with a control character in it.")
        if path == ".." or path.startswith(("/", "../")) or "\\" in member.filename:
            raise _refused(f"The bundle has an unsafe path: {_shown(member.filename)}.")
        top, _, rest = path.partition("/")
        if top == "backend" and rest:
            backend[rest] = _member_read(archive, member)
        elif top == "frontend" and rest:
            frontend[rest] = _member_read(archive, member)
    if "app.py" not in backend:
        raise _refused("The bundle needs backend/app.py with the Lambda handler.")
    if "index.html" not in frontend:
        raise _refused("The bundle needs frontend/index.html, the site's home page.")
    return Bundle(code_zip=_zip(backend), files=frontend)


def _member_read(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """One file's content, exactly as large as the zip's directory says (so a zip bomb can't lie)."""
    name = _shown(member.filename)
    if member.flag_bits & ENCRYPTED:
        raise _refused(f"{name} is protected by a password: zip the bundle again without one.")
    if member.compress_type not in COMPRESSION_METHODS:
        raise _refused(
            f"{name} is compressed with a method Tijori can't unpack (method {member.compress_type}): "
            "zip the bundle again with the usual compression (deflate)."
        )
    try:
        with archive.open(member) as stream:
            content = stream.read(member.file_size + 1)
    except ZIP_ERRORS:
        content = None
    if content is None or len(content) != member.file_size:
        raise _refused(f"{name} is damaged in the zip (its size or checksum is wrong): zip the bundle again.")
    return content


def _shown(name: str) -> str:
    return name if len(name) <= 100 else f"{name[:97]}..."


def _refused(message: str) -> ValidationError:
    return ValidationError({"bundle": [message]})
