"""Documents as lines, one reader per kind: HTML pages, text captures, attachments.

Each reader returns a ``Page``: the body as lines in reading order (tables as rows of
cells, through ``pipelines.tables`` grids), what the page says about itself (meta tags,
labelled fields, title candidates), the grids for the statistics, the injected markup it
removed and flags. Keys are worked out from a ``Page`` by ``pipelines.extract``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import trafilatura
from lxml import etree, html

from . import tables
from .attachments import read_attachment, sniff
from .chrome import is_chrome
from .decode import decode_body
from .hidden import cloaking_targets, remove_injections, site_key
from .keys import title_year
from .metadata import labelled_fields, meta_tags, title_candidates
from .regions import CHROME_XPATH, densest_block, find_body, gkmlpt_detail
from .render import clean_line, region_lines
from .script import normalize
from .spam import cut_spam

# A title found in the first lines of a text capture or attachment.
TITLE_LINE_RE = re.compile(r"(报告|年报|通知|函|清单|方案|意见|指南|要点|决定|公告|通报)$")
MAX_TITLE_LINE = 60
ATTACHMENT_LINK_RE = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|zip|rar)(?:$|[?#])|downfile|download", re.I)
FILENAME_RE = re.compile(rb"filename\*?\s*=\s*(?:utf-8'[^']*')?([^;]+)", re.I)
TRAILING_EMPTY_CELLS_RE = re.compile(r"(?: \|\s*)+$")
IP_RE = re.compile(r"^[\d.]+$|^\[?[0-9a-f:]+\]?$")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# gkmlpt DETAIL keys and the labelled field each one fills.
DETAIL_FIELDS = (("publisher", "发布机构"), ("source", "来源"), ("display_publish_time", "发布日期"),
                 ("first_publish_time", "发布日期"), ("publish_time", "发布日期"), ("date", "发布日期"),
                 ("created_at", "发布日期"))
# A report needs this much text (no spaces) to be more than a pointer to its attachment
# or a page of pictures.
MIN_BODY_TEXT = 300
# Below this much text a trafilatura result is not trusted and the page is read whole.
MIN_FALLBACK_CHARS = 50


@dataclass
class Page:
    """What a reader found in a document, before its keys are worked out."""

    kind: str  # html | text | pdf | docx | xlsx | xls | image | stub | ole | zip | unknown
    lines: list[str] = field(default_factory=list)
    layout: str = ""  # the body region's name (trs, hanweb, …, dense, fallback) or the kind
    meta: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # injected text cut from the content
    title_spam: list[str] = field(default_factory=list)  # spam runs stuffed into <title>
    flags: list[str] = field(default_factory=list)
    grids: list = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # attachment links in the body
    charset: str | None = None

    def __post_init__(self) -> None:
        self.layout = self.layout or self.kind


def read_document(body: bytes, url: str, headers: Mapping) -> Page:
    """What a document holds, read by its kind (magic bytes; Content-Type for text/HTML)."""
    kind = sniff(body)
    content_type = _header(headers, "content-type").lower()
    if kind == "text" and "html" in content_type:
        kind = "html"
    if kind == "html":
        return _read_html(body, url, headers)
    if kind == "text":
        return _read_text(body, headers)
    return _read_attachment(body, kind, headers)


def _header(headers: Mapping, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return ""


def _parse(text: str) -> html.HtmlElement:
    text = CONTROL_RE.sub("", XML_DECLARATION_RE.sub("", text, count=1))
    try:
        return html.document_fromstring(text)
    except etree.ParserError:  # an empty document
        return html.document_fromstring("<html><body></body></html>")


def _grid_lines(grid: list) -> list[str]:
    """A grid's rows as text lines, without the empty cells that pad a row to the grid's width."""
    return [TRAILING_EMPTY_CELLS_RE.sub("", line) for line in tables.grid_text(grid).splitlines()]


def _table_renderer(grids: list):
    def render(table: html.HtmlElement) -> list[str]:
        grid = tables.html_table_grid(table)
        if grid:
            grids.append(grid)
        return _grid_lines(grid)
    return render


def _read_html(body: bytes, url: str, headers: Mapping) -> Page:
    source, charset, clean = decode_body(body, headers)
    tree = _parse(source)
    meta = meta_tags(tree)
    titles = title_candidates(tree, meta)
    page_title = tree.find(".//title")
    title_spam = cut_spam(clean_line(page_title.text_content()))[1] if page_title is not None else []
    found = find_body(tree, source)
    if found:
        layout, region = found
    else:  # an unknown layout: the densest block, else trafilatura
        region = densest_block(tree)
        layout = "dense" if region is not None else "fallback"
    own_hosts = (urlsplit(url).netloc, meta.get("sitedomain", ""))
    cloaking = cloaking_targets(tree)
    removed = cloaking + remove_injections(tree, region, url, own_hosts, cloaking)
    grids: list = []
    render = _table_renderer(grids)
    outside = region_lines(tree, _row_texts, skip=region)  # bylines, metadata tables
    if region is not None:
        lines = region_lines(region, render)
        fields = labelled_fields(outside + lines, tree)
    else:
        fields = labelled_fields(outside, tree)
        lines = _fallback_lines(tree, url, render)
    detail = gkmlpt_detail(source) or {}
    for key, label in DETAIL_FIELDS:
        if isinstance(detail.get(key), (str, int)) and str(detail[key]).strip():
            fields.setdefault(label, normalize(str(detail[key]).strip()))
    if isinstance(detail.get("title"), str):
        titles.insert(0, clean_line(detail["title"]))
    flags = [] if clean else ["charset_replaced"]
    if "refresh" in meta:
        flags.append("meta_refresh")
    if cloaking:
        flags.append("cloaked")
    if _foreign_copy(url, meta.get("sitedomain", "")):
        flags.append("mirror")
    links = _attachment_links(region if region is not None else tree, url)
    if region is not None and region.find(".//img") is not None and len("".join("".join(lines).split())) < MIN_BODY_TEXT:
        flags.append("needs_ocr")  # a 图片版 report: the body is pictures of its pages
    return Page("html", lines, layout=layout, meta=meta, fields=fields, titles=titles, removed=removed,
                 flags=flags, grids=grids, links=links, charset=charset, title_spam=title_spam)


def _foreign_copy(url: str, site_domain: str) -> bool:
    """A government page served by a non-government host (a mirror copying it, meta and all)."""
    host = (urlsplit(url).hostname or "").lower()
    claimed = site_domain.lower().split(":")[0]
    if not host or not claimed or IP_RE.match(host) or host == "localhost":
        return False
    return claimed.endswith(".gov.cn") and not host.endswith(".gov.cn") and site_key(host) != site_key(claimed)


def _row_texts(table: html.HtmlElement) -> list[str]:
    """Table rows as plain lines, for finding "label: value" fields written in cells."""
    return [" ".join(cell.text_content() for cell in row.xpath("./td | ./th")) for row in table.xpath(".//tr")]


def _fallback_lines(tree: html.HtmlElement, url: str, render) -> list[str]:
    """Lines of a page whose layout names no body container: trafilatura's main text,
    or the whole page without its header, footer and navigation."""
    for element in CHROME_XPATH(tree):
        if element.getparent() is not None:
            element.drop_tree()
    text = trafilatura.extract(html.tostring(tree, encoding="unicode"), url=url or None, output_format="txt",
                               include_tables=True, include_comments=False, favor_recall=True,
                               deduplicate=False, include_links=False, include_images=False)
    if text and len(text) >= MIN_FALLBACK_CHARS:
        return [_trafilatura_row(line) for line in text.splitlines()]
    body = tree.find(".//body")
    return region_lines(body if body is not None else tree, render)


def _trafilatura_row(line: str) -> str:
    """trafilatura writes table rows as "| a | b | " and list items as "- a"; here they
    read "a | b" and "a"."""
    line = line.strip()
    if line.startswith("- "):
        return line[2:].strip()
    if line.startswith("|"):
        return " | ".join(cell.strip() for cell in line.strip("|").split("|"))
    return line


def _attachment_links(element: html.HtmlElement, url: str) -> list[str]:
    links = []
    for anchor in element.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and ATTACHMENT_LINK_RE.search(href):
            links.append(urljoin(url, href))
    return list(dict.fromkeys(links))


def _read_text(body: bytes, headers: Mapping) -> Page:
    source, charset, clean = decode_body(body, headers)
    lines = [line for line in (clean_line(x) for x in source.splitlines()) if line]
    grids = _pipe_grids(lines)
    return Page("text", lines, fields=labelled_fields(lines),
                 titles=_title_from_lines([line for line in lines if not is_chrome(line)]),
                 flags=[] if clean else ["charset_replaced"], grids=grids, charset=charset)


def _pipe_grids(lines: list[str]) -> list:
    """Tables of a text capture: runs of ``| a | b |`` or ``a | b`` lines."""
    grids, rows = [], []
    for line in [*lines, ""]:
        if line.count("|") >= 2:
            cells = [c.strip() for c in line.split("|")]
            if line.startswith("|"):
                cells = cells[1:-1] if line.endswith("|") else cells[1:]
            rows.append(cells)
        elif rows:
            grid = tables.tidy(rows)
            if grid:
                grids.append(grid)
            rows = []
    return grids


def _read_attachment(body: bytes, kind: str, headers: Mapping) -> Page:
    attachment = read_attachment(body, kind)
    grids = attachment.grids  # a PDF's, read with its text
    reader = {"docx": tables.docx_grids, "xlsx": tables.xlsx_grids, "xls": tables.xls_grids}.get(kind)
    if reader and "unreadable" not in attachment.flags:
        try:
            grids = reader(body)
        except tables.TableReadError:
            attachment.flags.append("unreadable")
    lines = attachment.lines
    if kind in ("xlsx", "xls"):
        lines = [line for grid in grids for line in _grid_lines(grid)]
        if not lines and "unreadable" not in attachment.flags:
            attachment.flags.append("empty")
    named = _filename_title(headers)
    titles = _title_from_lines([line for line in lines if not is_chrome(line)])
    titles += [t for t in (named, attachment.title) if t]
    return Page(kind, lines, titles=titles, flags=attachment.flags, grids=grids)


def _filename_title(headers: Mapping) -> str | None:
    """The file name of ``Content-Disposition`` (UTF-8 or the server's GBK) when it reads
    like a document title."""
    raw = _header(headers, "content-disposition").encode("latin-1", "replace")
    match = FILENAME_RE.search(raw)
    if not match:
        return None
    name = unquote_to_bytes(match.group(1).strip(b"\"' ")) if b"%" in match.group(1) else match.group(1).strip(b"\"' ")
    for charset in ("utf-8", "gb18030"):
        try:
            text = name.decode(charset)
            break
        except UnicodeDecodeError:
            continue
    stem = clean_line(text.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    return stem if TITLE_LINE_RE.search(normalize(stem)) else None


def _title_from_lines(lines: list[str]) -> list[str]:
    """A title at the top of a text: the first short line ending like one, else two
    consecutive lines that do together (a title broken over two lines)."""
    head = lines[:15]
    pairs = [a + b for a, b in zip(head, head[1:]) if len(a) <= MAX_TITLE_LINE // 2]
    for candidate in [*head, *pairs]:
        norm = normalize(candidate)
        if len(candidate) <= MAX_TITLE_LINE and TITLE_LINE_RE.search(norm) and (title_year(norm) or len(norm) >= 8):
            return [candidate]
    return []
