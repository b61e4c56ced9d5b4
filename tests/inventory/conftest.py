from io import BytesIO

from PIL import Image
from pypdf import PdfWriter


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (16, 16), (212, 175, 55)).save(buffer, format="PNG")
    return buffer.getvalue()


# Real files, since certificates are read by a PDF parser and by Pillow, not by their first bytes.
PDF = _pdf()
PNG = _png()
