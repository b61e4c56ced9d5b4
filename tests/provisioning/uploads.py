"""An application bundle as the pages and the API receive it: a zip in an uploaded file."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile


def bundle_upload(files: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return SimpleUploadedFile("site.zip", buffer.getvalue(), "application/zip")
