"""Report attachments: their kind from their bytes, the text of PDFs and DOCX files.

The file name and Content-Type of a government attachment are often wrong (``.doc`` that
is DOCX, ``download.jsp`` that is PDF); magic bytes decide. Legacy sites serve 2-byte
stubs for lost files; scanned reports carry no text layer and are marked ``needs_ocr``.
Word tables come out as ``cell | cell`` rows, like the tables of pages; spreadsheets are
all table, and are read as grids by ``pipelines.tables``. A PDF is interpreted once, for its
text and its grids (``pipelines.pdf``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from .pdf import read_pdf
from .render import clean_line

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
# Smaller than any real document: a placeholder left where a file was lost.
STUB_BYTES = 64
KINDS = ("pdf", "docx", "xlsx", "xls", "ole", "zip", "image", "stub", "html", "text")


@dataclass
class Attachment:
    """What an attachment holds: its kind, text lines, document title if any, and flags;
    for a PDF also its table grids, read in the same pass as its text."""

    kind: str
    lines: list[str] = field(default_factory=list)
    grids: list = field(default_factory=list)
    title: str | None = None
    flags: list[str] = field(default_factory=list)


def sniff(body: bytes) -> str:
    """The kind of a body from its first bytes (one of ``KINDS``)."""
    if len(body.strip()) < STUB_BYTES and not body.lstrip().startswith(b"<"):
        return "stub"
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except zipfile.BadZipFile:
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if body.startswith(OLE_MAGIC):
        return "xls" if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in body or b"Workbook" in body else "ole"
    if body.startswith(IMAGE_MAGIC):
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta", b"<body", b"<div", b"<p", b"<table", b"<!--")) or b"<html" in head.lower():
        return "html"
    return "text"


def read_attachment(body: bytes, kind: str) -> Attachment:
    """Text of a PDF or DOCX body (spreadsheets: kind only). Unreadable files give flags,
    never exceptions."""
    if kind == "stub":
        return Attachment(kind, flags=["stub"])
    if kind == "image":
        return Attachment(kind, flags=["needs_ocr"])
    if kind in ("ole", "zip"):
        return Attachment(kind, flags=["unsupported_format"])
    reader = {"pdf": _pdf, "docx": _docx}.get(kind)
    if reader is None:  # spreadsheets: their text is their grids (pipelines.tables)
        return Attachment(kind)
    try:
        attachment = reader(body)
    except Exception as exc:  # noqa: BLE001 — third-party parsers raise anything on broken files
        return Attachment(kind, flags=["unreadable", f"unreadable:{type(exc).__name__}"])
    attachment.lines = [line for line in (clean_line(x) for x in attachment.lines) if line]
    if not attachment.lines and "needs_ocr" not in attachment.flags:
        attachment.flags.append("empty")
    return attachment


def _row_line(cells: list[str]) -> str | None:
    cells = [clean_line(c).replace("|", "｜") for c in cells]
    return " | ".join(cells) if any(cells) else None


def _pdf(body: bytes) -> Attachment:
    content = read_pdf(body)
    flags = ["needs_ocr"] if content.images and not any(line.strip() for line in content.lines) else []
    if content.grids is None:
        flags.append("unreadable")  # the text, but not its tables
    return Attachment("pdf", content.lines, grids=content.grids or [], flags=flags)


def _docx(body: bytes) -> Attachment:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(body))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                seen: list = []
                cells = []
                for cell in row.cells:  # a merged cell repeats: show it once per row
                    if cell._tc not in seen:
                        seen.append(cell._tc)
                        cells.append(cell.text)
                line = _row_line(cells)
                if line:
                    lines.append(line)
    has_images = any(part.partname.startswith("/word/media/") for part in document.part.package.parts)
    flags = ["needs_ocr"] if has_images and not any(x.strip() for x in lines) else []
    return Attachment("docx", lines, title=document.core_properties.title or None, flags=flags)
