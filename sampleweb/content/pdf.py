"""Reports as PDF attachments with a real text layer (reportlab, built-in CID font)."""

from __future__ import annotations

import io
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle

from .markup import is_heading
from .model import Report, Table
from .tables import place

FONT = "STSong-Light"  # one of reportlab's CID fonts: Acrobat's own, never embedded
MARGIN = 20 * mm
NUMBER_COLUMN = 36  # pt; columns whose data cells are all short numbers


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = dict(fontName=FONT, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontSize=17, leading=26, alignment=1, spaceAfter=12, **base),
        "body": ParagraphStyle("body", fontSize=11, leading=18, firstLineIndent=22, **base),
        "heading": ParagraphStyle("heading", fontSize=12, leading=20, spaceBefore=4, **base),
        "cell": ParagraphStyle("cell", fontSize=7.5, leading=9.5, alignment=1, **base),
    }


def _markup(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _column_widths(table: Table, width: int, available: float) -> list[float]:
    placed, _, _ = place(table)
    short = [True] * width
    for _, c, text, _, colspan in placed:
        if colspan == 1 and len(text) > 6:
            short[c] = False
    fixed = sum(NUMBER_COLUMN for s in short if s)
    wide = max(1, short.count(False))
    rest = max(NUMBER_COLUMN, (available - fixed) / wide)
    return [NUMBER_COLUMN if s else rest for s in short]


def pdf_table(table: Table, available: float) -> PdfTable:
    """A reportlab table with the page's spans and ruling lines (so it reads back as rows)."""
    placed, height, width = place(table)
    cell = _styles()["cell"]
    data: list[list[object]] = [[""] * width for _ in range(height)]
    commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for r, c, text, rowspan, colspan in placed:
        data[r][c] = Paragraph(_markup(text), cell)
        if rowspan > 1 or colspan > 1:
            commands.append(("SPAN", (c, r), (c + colspan - 1, r + rowspan - 1)))
    return PdfTable(data, colWidths=_column_widths(table, width, available), style=TableStyle(commands))


def render_pdf(report: Report, *, with_spam: bool = False) -> bytes:
    """The report as a PDF (title, paragraphs, tables), byte-for-byte reproducible."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=report.title,
                            author=report.agency, creator="", producer="", invariant=1)
    story: list[object] = [Paragraph(escape(report.title), styles["title"])]
    for block in report.published_blocks() if with_spam else report.blocks:
        if isinstance(block, Table):
            story += [Spacer(1, 4), pdf_table(block, doc.width), Spacer(1, 6)]
        else:
            story.append(Paragraph(_markup(block), styles["heading" if is_heading(block) else "body"]))
    doc.build(story)
    return buffer.getvalue()
