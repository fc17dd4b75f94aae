"""PDF bodies interpreted once: text lines, table grids and images from one pass per page.

pdfplumber interprets each page with pdfminer and keeps its raw layout (``page.layout``).
Its characters and ruling lines give the grids (``pipelines.tables.pdf_page_grids``); then
pdfminer's layout analysis groups the same characters into the text boxes that give the
lines, as ``pdfminer.high_level.extract_pages`` would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .tables import Grid, pdf_page_grids

if TYPE_CHECKING:  # pdfminer and pdfplumber are imported when a PDF is read
    from pdfminer.layout import LAParams, LTPage


@dataclass
class PdfContent:
    """A PDF's text lines (raw, in reading order), its grids (None: the text could be read
    but not the tables) and the number of figures and images on its pages."""

    lines: list[str]
    grids: list[Grid] | None
    images: int


def read_pdf(data: bytes) -> PdfContent:
    """Text lines, grids and image count of a PDF, each page interpreted once.

    A file pdfminer cannot read (syntax errors, a wrong password, truncation) raises
    pdfminer's own exception.
    """
    try:
        return _one_pass(data)
    except Exception:  # noqa: BLE001 — pdfplumber's own reading of page boxes, colours, tags …
        # … can fail where pdfminer does not: the text as pdfminer alone reads it, or its error.
        from pdfminer.high_level import extract_pages

        content = PdfContent([], None, 0)
        for layout in extract_pages(io.BytesIO(data), laparams=_laparams()):
            _add_text(content, layout)
        return content


def _laparams() -> LAParams:
    from pdfminer.layout import LAParams

    # boxes_flow=None: text boxes in plain top-down, left-right order. The default hierarchical
    # grouping costs two thirds of the time and scrambles table cells anyway.
    return LAParams(boxes_flow=None)


def _one_pass(data: bytes) -> PdfContent:
    import pdfplumber

    laparams = _laparams()
    grids: list[Grid] = []
    content = PdfContent([], grids, 0)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            grids += pdf_page_grids(page)
            # Analysed only now: pdfplumber has read its objects from the raw layout, which the
            # analysis regroups into text boxes in place.
            page.layout.analyze(laparams)
            _add_text(content, page.layout)
            page.close()  # pdfplumber caches each page's objects until the file is closed
    return content


def _add_text(content: PdfContent, layout: LTPage) -> None:
    """Add the lines of an analysed page's text boxes, and count its figures and images."""
    from pdfminer.layout import LTFigure, LTImage, LTTextContainer

    for element in layout:
        if isinstance(element, LTTextContainer):
            content.lines.extend(element.get_text().splitlines())
        elif isinstance(element, (LTFigure, LTImage)):
            content.images += 1
