"""图片版: a report published only as page images (a scan), with no text layer.

There is no CJK font on the machines this runs on, so Chinese characters are drawn as
stroke clusters derived from the code point (a scan at low resolution looks much the
same); digits and Latin letters use Pillow's bundled font, so the numbers are legible.
"""

from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .model import Report, Table
from .tables import place

PAGE = (827, 1169)  # A4 at 100 dpi
MARGIN = 70
CHAR = 18  # px per character cell
LINE = 28
INK = (30, 30, 30)
PAPER = (250, 248, 242)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _glyph(draw: ImageDraw.ImageDraw, x: int, y: int, ch: str, size: int) -> int:
    """Draw one character at (x, y); returns its advance."""
    if ch.isspace():
        return size if ch == "\u3000" else size // 2 + 1
    if ch.isascii():
        draw.text((x, y + size // 8), ch, fill=INK, font=_font(size - 2))
        return size // 2 + 1
    rng = random.Random(ord(ch))
    pad, stroke = max(1, size // 8), max(1, size // 10)
    for _ in range(rng.randint(4, 8)):
        if rng.random() < 0.55:
            yy = y + rng.randint(pad, size - pad)
            draw.line((x + rng.randint(pad, size // 3), yy, x + rng.randint(size * 2 // 3, size - pad), yy),
                      fill=INK, width=stroke)
        else:
            xx = x + rng.randint(pad, size - pad)
            draw.line((xx, y + rng.randint(pad, size // 3), xx + rng.randint(-size // 4, size // 4),
                       y + rng.randint(size * 2 // 3, size - pad)), fill=INK, width=stroke)
    return size


def _width(text: str, size: int) -> int:
    return sum(size // 2 + 1 if ch.isascii() else size for ch in text)


def _text(draw: ImageDraw.ImageDraw, x: int, y: int, text: str, size: int) -> None:
    for ch in text:
        x += _glyph(draw, x, y, ch, size)


def _wrap(text: str, width: int, size: int) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if _width(current + ch, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current]


class _Pages:
    """Lays out blocks top to bottom, starting a new page when one is full."""

    def __init__(self) -> None:
        self.pages: list[Image.Image] = []
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(Image.new("RGB", PAGE, PAPER))
        self.draw = ImageDraw.Draw(self.pages[-1])
        self.y = MARGIN

    def room(self, height: int) -> None:
        if self.y + height > PAGE[1] - MARGIN:
            self.new_page()

    def paragraph(self, text: str, size: int = CHAR, indent: int = 2, center: bool = False) -> None:
        width = PAGE[0] - 2 * MARGIN
        for number, line in enumerate(_wrap("　" * indent + text, width, size)):
            self.room(LINE)
            x = MARGIN + ((width - _width(line, size)) // 2 if center else 0)
            _text(self.draw, x, self.y, line, size)
            self.y += LINE if number or not center else LINE + 12

    def table(self, table: Table) -> None:
        placed, height, width = place(table)
        size, row_height = 11, 30
        short = [all(len(t) <= 6 for _, c, t, _, cs in placed if c == col and cs == 1) for col in range(width)]
        usable = PAGE[0] - 2 * MARGIN
        narrow = min(44, usable // width)
        wide = (usable - narrow * short.count(True)) // max(1, short.count(False))
        xs = [MARGIN]
        for is_short in short:
            xs.append(xs[-1] + (narrow if is_short else wide))
        starts: dict[int, tuple[ImageDraw.ImageDraw, int]] = {}
        for r in range(height):  # a row and the spans it opens never break across pages
            self.room(row_height * max(rs for rr, _, _, rs, _ in placed if rr == r))
            starts[r] = (self.draw, self.y)
            self.y += row_height
        for r, c, text, rowspan, colspan in placed:
            draw, top = starts[r]
            left, right = xs[c], xs[c + colspan]
            bottom = top + row_height * rowspan
            draw.rectangle((left, top, right, bottom), outline=INK)
            lines = _wrap(text.replace("\n", ""), right - left - 4, size)[:2]
            for i, line in enumerate(lines):
                _text(draw, left + 2 + max(0, (right - left - 4 - _width(line, size)) // 2),
                      (top + bottom) // 2 - 7 * len(lines) + 14 * i, line, size)
        self.y += 10


def render_page_images(report: Report, fmt: str = "png") -> list[bytes]:
    """Each page of the report as an image (``png`` or ``jpeg``)."""
    pages = _Pages()
    pages.paragraph(report.title, size=24, indent=0, center=True)
    for block in report.blocks:
        if isinstance(block, Table):
            pages.table(block)
        else:
            pages.paragraph(block)
    out = []
    for page in pages.pages:
        buffer = io.BytesIO()
        page.save(buffer, format=fmt.upper(), **({"quality": 70} if fmt == "jpeg" else {}))
        out.append(buffer.getvalue())
    return out


def render_image_only(report: Report, *, fmt: str = "pdf") -> bytes:
    """图片版: a PDF whose pages are only JPEG images (``fmt="pdf"``), or the first page image."""
    if fmt in ("png", "jpeg"):
        return render_page_images(report, fmt)[0]
    if fmt != "pdf":
        raise ValueError(f"unknown image-only format {fmt!r}: pdf, png or jpeg")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for image in render_page_images(report, "jpeg"):
        canvas.drawImage(ImageReader(io.BytesIO(image)), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
