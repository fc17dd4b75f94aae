"""An HTML region as lines of text in reading order: paragraphs as lines, tables as rows.

Data tables are handed to a table renderer (the caller's: ``pipelines.tables`` grids) that
returns their rows as lines. A layout table (nested tables, one column, or page-sized
cells, as on 2000s sites built with ``<table>`` and ``<font>``) is read as ordinary blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree, html

from .regions import NON_TEXT_TAGS

TableRenderer = Callable[[html.HtmlElement], list[str]]

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "caption", "marquee",
})
SKIP_TAGS = frozenset(NON_TEXT_TAGS)
# A cell longer than this holds page content, not a statistic or label.
LAYOUT_CELL_CHARS = 400
SPACE_RE = re.compile(r"[ \t\r\n\f\v\xa0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def clean_line(text: str) -> str:
    """Collapse whitespace (full-width and no-break spaces included) and strip."""
    return SPACE_RE.sub(" ", text).strip()


def region_lines(element: html.HtmlElement, render_table: TableRenderer,
                 skip: html.HtmlElement | None = None) -> list[str]:
    """The lines of ``element``: one per block, data tables through ``render_table``;
    the subtree ``skip`` (a region already read) left out."""
    lines: list[str] = []
    buffer: list[str] = []
    _walk(element, lines, buffer, render_table, skip)
    _flush(lines, buffer)
    return lines


def _flush(lines: list[str], buffer: list[str]) -> None:
    line = clean_line("".join(buffer))
    buffer.clear()
    if line:
        lines.append(line)


def _walk(element: html.HtmlElement, lines: list[str], buffer: list[str], render_table: TableRenderer,
          skip: html.HtmlElement | None) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if not tag or tag in SKIP_TAGS or element is skip:
        # Comments, processing instructions, scripts: their text is not content, their tail is.
        if element.tail:
            buffer.append(element.tail)
        return
    if tag == "table" and is_data_table(element):
        _flush(lines, buffer)
        lines.extend(line for line in (clean_line(x) for x in render_table(element)) if line)
    elif tag == "br":
        _flush(lines, buffer)
    else:
        block = tag in BLOCK_TAGS
        if block:
            _flush(lines, buffer)
        if element.text:
            buffer.append(element.text)
        for child in element:
            _walk(child, lines, buffer, render_table, skip)
        if block:
            _flush(lines, buffer)
    if element.tail:
        buffer.append(element.tail)


WIDEST_ROW_XPATH = etree.XPath("(./tr | ./*/tr)[count(td | th) > 1][1]")
LONG_CELL_XPATH = etree.XPath(f"(.//td | .//th)[string-length(.) > {LAYOUT_CELL_CHARS}][1]")


def is_data_table(table: html.HtmlElement) -> bool:
    """True for a table of cells; False for a table used to lay out a page: one with nested
    tables, a single column, or a page-sized cell."""
    if table.find(".//table") is not None:
        return False
    return bool(WIDEST_ROW_XPATH(table)) and not LONG_CELL_XPATH(table)
