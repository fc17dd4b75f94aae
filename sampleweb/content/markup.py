"""Report blocks as the HTML fragment a CMS editor would have produced.

Variants imitate the editors seen on real sites; ``seed`` varies the details within a
variant (indentation, how split labels break, blank cells), so sites look different:

- ``word``: Word pasted into the editor (TRS, 平潭): inline MsoNormal styles, ``<p><span>``
  in every cell, widths in pt.
- ``editor``: a web editor (UEditor/KindEditor, Hanweb and Anhui sites): ``text-indent``
  paragraphs, ``<table border="1">``.
- ``plain``: bare ``<p>`` and ``<table>``.
- ``legacy``: the 2000s GBK site: ``<font>`` tags, ``&nbsp;`` indents, a layout-table style
  ``bordercolor``/``bgcolor`` table. Only characters GBK can encode are produced.
"""

from __future__ import annotations

import random
import re
from html import escape

from .model import Report, Table

VARIANTS = ("word", "editor", "plain", "legacy")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件)")
WORD_P = ("TEXT-JUSTIFY: inter-ideograph; TEXT-ALIGN: justify; LINE-HEIGHT: 25pt; MARGIN: 0pt; "
          "FONT-FAMILY: 仿宋_GB2312; FONT-SIZE: 16pt")
WORD_TD = ("BORDER-BOTTOM: windowtext 1pt solid; BORDER-LEFT: windowtext 1pt solid; PADDING-LEFT: 5.4pt; "
           "PADDING-RIGHT: 5.4pt; BORDER-TOP: windowtext 1pt solid; BORDER-RIGHT: windowtext 1pt solid")
FONTS = ("仿宋_GB2312", "仿宋", "宋体", "微软雅黑")


def is_heading(text: str) -> bool:
    """A short numbered heading line (一、…, （二）…, 附件…)."""
    return len(text) < 40 and bool(HEADING.match(text))


class _Style:
    """The seeded choices of one rendering."""

    def __init__(self, variant: str, seed: int) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
        rng = random.Random(f"markup:{variant}:{seed}")
        self.variant = variant
        self.font = rng.choice(FONTS)
        self.indent = rng.choice(["text-indent: 2em;", "text-indent: 32px;", "　　", ""])
        self.split_as_p = rng.random() < 0.5  # "商业\n企业" as two <p>, else one <p> with <br/>
        self.blank = rng.choice(["", "&nbsp;", " "])
        self.bold_headings = rng.random() < 0.6
        self.size = rng.choice(["16px", "12pt", "14px"])
        self.line_breaks = rng.random() < 0.5  # legacy pages often separate paragraphs with <br>


def render_html(report: Report, *, variant: str = "editor", seed: int = 0, with_spam: bool = True) -> str:
    """The report body as an HTML fragment (paragraphs and real tables, no chrome).

    ``with_spam`` renders the page as published (seed 004's injection, seed 003's tail);
    without it, the clean truth.
    """
    style = _Style(variant, seed)
    blocks = report.published_blocks() if with_spam else report.blocks
    out = [_table(b, style) if isinstance(b, Table) else _paragraph(b, style) for b in blocks]
    return "\n".join(out)


def _paragraph(text: str, s: _Style) -> str:
    body = escape(text)
    heading = is_heading(text)
    if heading and s.bold_headings:
        body = f"<strong>{body}</strong>"
    if s.variant == "legacy":
        line = f'&nbsp;&nbsp;&nbsp;&nbsp;<font face="宋体" size="3">{body}</font>'
        return f"{line}<br>" if s.line_breaks else f"<p>{line}</p>"
    if s.variant == "plain":
        return f"<p>{body}</p>"
    if s.variant == "word":
        return (f'<p style="{WORD_P}; TEXT-INDENT: 32pt"><span style="FONT-FAMILY: {s.font}; '
                f'FONT-SIZE: 16pt">{body}</span></p>')
    if s.indent.startswith("　"):
        return f"<p>{s.indent}{body}</p>"
    attr = f' style="{s.indent} font-size: {s.size}; font-family: {s.font};"' if s.indent else ""
    return f"<p{attr}>{body}</p>"


def _cell_body(text: str, s: _Style) -> str:
    lines = [escape(line) for line in text.split("\n")]
    if not text:
        return s.blank
    if s.variant == "legacy":
        return f'<font size="2">{"<br>".join(lines)}</font>'
    if s.variant == "plain":
        return "<br/>".join(lines)
    span = f'<span style="FONT-FAMILY: {s.font}; FONT-SIZE: 12pt">' if s.variant == "word" else "<span>"
    p_open = f'<p style="{WORD_P}">' if s.variant == "word" else '<p style="text-align: center;">'
    if s.split_as_p:
        return "".join(f"{p_open}{span}{line}</span></p>" for line in lines)
    return p_open + f"{span}<br/></span>".join(f"{span}{line}</span>" for line in lines) + "</p>"


def _span_attrs(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")


def _table(table: Table, s: _Style) -> str:
    width = max(sum(c[2] for c in row) for row in table.rows) if table.rows else 1
    if s.variant == "word":
        opening = ('<table style="BORDER-BOTTOM: medium none; BORDER-LEFT: medium none; WIDTH: 420.05pt; '
                   'BORDER-COLLAPSE: collapse; FONT-SIZE: 10pt" border="0" cellspacing="0"><tbody>')
        td = f'<td style="{WORD_TD}; WIDTH: {420 // width}pt" valign="center"'
    elif s.variant == "legacy":
        opening = ('<table width="95%" border="1" align="center" cellpadding="2" cellspacing="0" '
                   'bordercolor="#000000" bgcolor="#FFFFFF" style="border-collapse: collapse">')
        td = '<td align="center" valign="middle"'
    elif s.variant == "plain":
        opening = "<table>"
        td = "<td"
    else:
        opening = '<table border="1" cellspacing="0" cellpadding="0" width="100%"><tbody>'
        td = '<td valign="middle" align="center"'
    rows = []
    for index, row in enumerate(table.rows):
        tr = ' class="firstRow"' if index == 0 and s.variant == "word" else ""
        cells = "".join(f"{td}{_span_attrs(r, c)}>{_cell_body(text, s)}</td>" for text, r, c in row)
        rows.append(f"<tr{tr}>{cells}</tr>")
    closing = "</table>" if s.variant in ("legacy", "plain") else "</tbody></table>"
    caption = _paragraph(table.caption, s) if table.caption else ""
    return caption + opening + "".join(rows) + closing
