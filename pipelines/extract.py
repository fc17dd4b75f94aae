"""Extraction as one pure function: (bytes, url, headers, hints) → record.

The same record comes out whether the bytes were fetched live, read from a WARC record or
from a file, so a snapshot re-extracts identically; ``EXTRACTOR_VERSION`` is stored on
every record and bumped whenever the output of the same input changes.

Steps, all on data-driven rules: decode → parse → read meta tags and labelled fields →
find the body region (CMS containers; trafilatura for unknown layouts) → remove hidden
and link-farm injections → render lines (tables as rows) → cut spam runs → drop chrome
lines → keys (title, agency, region code, report year, publish date, doc type) →
statistics and template from the table grids (``pipelines.stats``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import trafilatura
from itemadapter import ItemAdapter
from lxml import etree, html

from . import checks, stats as statistics, statlabels, tables
from .agency import resolve_agency
from .attachments import read_attachment, sniff
from .chrome import is_chrome, strip_chrome
from .dates import parse_date
from .decode import decode_body
from .hidden import cloaking_targets, remove_injections, site_key
from .keys import body_year, doc_type, title_year
from .metadata import (SOURCE_LABELS, labelled_fields, meta_tags, publish_date, region_code,
                       title_candidates)
from .regions import CHROME_XPATH, densest_block, find_body, gkmlpt_detail
from .render import clean_line, region_lines
from .script import detect_script, normalize, to_simplified
from .spam import clean_lines, cut_spam, strip_pinyin

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = "1.0.0"
HINT_KEYS = ("agency", "region_code", "source", "list_title", "list_date")
# A title found in the first lines of a text capture or attachment.
TITLE_LINE_RE = re.compile(r"(报告|年报|通知|函|清单|方案|意见|指南|要点|决定|公告|通报)$")
MAX_TITLE_LINE = 60
# Separators left at the ends of a title when spam words are cut from it.
TITLE_JUNK = " _-|｜,，、:：;；"
# A line that is only a date (a signature: "二〇一二年二月二十日", "XX局 2019年7月15日").
SIGNATURE_DATE_RE = re.compile(r"^(?:[\u4e00-\u9fff()]{2,30}\s*)?([0-9〇○零一二三四五六七八九十]{4}\s*年[^。，,]{2,8}日)$")
ATTACHMENT_LINK_RE = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|zip|rar)(?:$|[?#])|downfile|download", re.I)
FILENAME_RE = re.compile(rb"filename\*?\s*=\s*(?:utf-8'[^']*')?([^;]+)", re.I)
TRAILING_EMPTY_CELLS_RE = re.compile(r"(?: \|\s*)+$")
# Statistics flags about scans: for pages, a 图片版 body is told by its pictures instead
# (an empty page is not a scan).
SCAN_FLAGS = frozenset({"needs_ocr"})
IP_RE = re.compile(r"^[\d.]+$|^\[?[0-9a-f:]+\]?$")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# gkmlpt DETAIL keys and the labelled field each one fills.
DETAIL_FIELDS = (("publisher", "发布机构"), ("source", "来源"), ("display_publish_time", "发布日期"),
                 ("first_publish_time", "发布日期"), ("publish_time", "发布日期"), ("date", "发布日期"),
                 ("created_at", "发布日期"))
# A report needs this much text (no spaces) to be called free-form: a page that only
# points to its attachment says nothing of its template.
MIN_FREE_TEXT = 300
# The first report year any template (国办公开办函〔2019〕60号) could apply to.
FIRST_TEMPLATE_YEAR = 2018
# Below this much text a trafilatura result is not trusted and the page is read whole.
MIN_FALLBACK_CHARS = 50


def extract(body: bytes, url: str, headers: Mapping[str, bytes | str] | None = None,
            hints: Mapping | None = None) -> dict:
    """The extraction record of one document (page, text capture or attachment).

    Args:
        body: the document bytes (decoded of any Content-Encoding).
        url: where it was fetched (used for links and the page's own host).
        headers: HTTP response headers (``Content-Type`` charset), if known.
        hints: ``agency``, ``region_code``, ``source``, ``list_title``, ``list_date`` from
            the registry and the list page.

    Never raises for bad content: an unreadable document gives a record with flags.
    """
    hints = {k: hints[k] for k in HINT_KEYS if hints and hints.get(k)}
    try:
        return _extract(body or b"", url, headers or {}, hints)
    except Exception as exc:  # noqa: BLE001 — the boundary: a hostile document gives a flagged record
        logger.warning("extraction failed for %s: %r", url, exc, exc_info=True)
        return _record(url, hints, _Page(kind="unknown", flags=[f"extract_error:{type(exc).__name__}"]))


class _Page:
    """What the format-specific readers found, before keys are worked out."""

    def __init__(self, kind: str, lines: list[str] | None = None, *, layout: str | None = None,
                 meta: dict | None = None, fields: dict | None = None, titles: list[str] | None = None,
                 removed: list[str] | None = None, flags: list[str] | None = None,
                 grids: list | None = None, links: list[str] | None = None, charset: str | None = None,
                 title_spam: list[str] | None = None):
        self.kind = kind
        self.lines = lines or []
        self.layout = layout or kind
        self.meta = meta or {}
        self.fields = fields or {}
        self.titles = titles or []
        self.removed = removed or []
        self.flags = flags or []
        self.grids = grids or []
        self.links = links or []
        self.charset = charset
        self.title_spam = title_spam or []


def _extract(body: bytes, url: str, headers: Mapping, hints: dict) -> dict:
    kind = sniff(body)
    content_type = _header(headers, "content-type").lower()
    if kind == "text" and "html" in content_type:
        kind = "html"
    if kind == "html":
        page = _read_html(body, url, headers)
    elif kind == "text":
        page = _read_text(body, headers)
    else:
        page = _read_attachment(body, kind, headers)
    return _record(url, hints, page)


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


def _read_html(body: bytes, url: str, headers: Mapping) -> _Page:
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
    if region is not None and region.find(".//img") is not None and len("".join("".join(lines).split())) < MIN_FREE_TEXT:
        flags.append("needs_ocr")  # a 图片版 report: the body is pictures of its pages
    return _Page("html", lines, layout=layout, meta=meta, fields=fields, titles=titles, removed=removed,
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


def _read_text(body: bytes, headers: Mapping) -> _Page:
    source, charset, clean = decode_body(body, headers)
    lines = [line for line in (clean_line(x) for x in source.splitlines()) if line]
    grids = _pipe_grids(lines)
    return _Page("text", lines, fields=labelled_fields(lines),
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


def _read_attachment(body: bytes, kind: str, headers: Mapping) -> _Page:
    attachment = read_attachment(body, kind)
    grids: list = []
    reader = {"pdf": tables.pdf_grids, "docx": tables.docx_grids,
              "xlsx": tables.xlsx_grids, "xls": tables.xls_grids}.get(kind)
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
    return _Page(kind, lines, titles=titles, flags=attachment.flags, grids=grids)


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


def _signature_date(lines: list[str]) -> str | None:
    for line in reversed(lines[-12:]):
        match = SIGNATURE_DATE_RE.match(normalize(line))
        if match:
            date = parse_date(match.group(1))
            if date:
                return date
    return None


def _template(page: _Page, text: str) -> tuple[str | None, list[dict], list[str]]:
    """Template, statistics and statistics flags of a report (``pipelines.stats``).

    Tables flattened into text (seed 004) still name their template by their labels; a
    report without template tables or their headings is free-form.
    """
    grids = [[[type(cell)(strip_pinyin(to_simplified(cell))[0]) for cell in row] for row in grid]
             for grid in page.grids]
    result = statistics.parse_stats(grids, text)
    template = result.template
    if "tables_missing" in result.flags:
        compact = "".join(text.split())
        template = next((t for t, pattern in statlabels.TEMPLATE_TEXT_MARKERS if pattern.search(compact)), None)
    elif template is None and len("".join(text.split())) >= MIN_FREE_TEXT:
        template = "free"
    return template, result.stats, result.flags


def _record(url: str, hints: dict, page: _Page) -> dict:
    stripped = [strip_pinyin(line) for line in page.lines]
    mirror = any(n for _, n in stripped) or "mirror" in page.flags
    lines, cut_lines = clean_lines([line for line, _ in stripped])
    title = next((t for t in [*page.titles, hints.get("list_title", "")] if t), None)
    cut_title: list[str] = []
    if title:
        title, cut_title = cut_spam(strip_pinyin(title)[0])
        title = clean_line(title).strip(TITLE_JUNK) or None
    in_content = page.removed + cut_lines
    in_title = page.title_spam + cut_title
    flags = list(page.flags)
    # Spam in the content is tampering; spam in the title alone is how mirror sites stuff
    # their copies, which are flagged as mirrors instead.
    if in_content or (in_title and not mirror):
        flags.append("defaced")
    if mirror and "mirror" not in flags:
        flags.append("mirror")
    removed = in_title + in_content
    lines = strip_chrome(lines, title)
    text = "\n".join(lines)
    text_simplified = to_simplified(text)
    norm_lines = [normalize(line) for line in lines]
    norm_title = normalize(title) if title else None
    kind = doc_type(norm_title, norm_lines)
    if "meta_refresh" in flags and not lines:
        kind = "other"  # a deleted page sending visitors back to its column
    if page.links and len("".join(text.split())) < MIN_FREE_TEXT:
        flags.append("attachment_only")
    year = title_year(norm_title) or title_year(normalize(hints.get("list_title", ""))) or body_year(norm_lines)
    stated = body_year(norm_lines)
    if kind == "annual_report" and year and stated and stated != year:
        flags.append("year_conflict")
    if kind != "annual_report":
        year = None
    sources = [page.meta.get("contentsource", ""), *(page.fields.get(label, "") for label in SOURCE_LABELS),
               page.meta.get("author", "")]
    agency = resolve_agency(norm_title, [normalize(s) for s in sources if s],
                            normalize(hints["agency"]) if hints.get("agency") else None, norm_lines)
    date = (publish_date(page.meta, page.fields) or parse_date(hints.get("list_date", ""))
            or _signature_date(lines))
    template, stats, stat_flags = (None, [], set())
    if kind == "annual_report":
        template, stats, found_flags = _template(page, text_simplified)
        stat_flags = set(found_flags) - (SCAN_FLAGS if page.kind in ("html", "text") else set())
        if template is None and year and year < FIRST_TEMPLATE_YEAR:
            template = "free"  # no template existed yet: a report of these years is free-form
    record = {
        "url": url,
        "title": title,
        "agency": agency,
        "region_code": hints.get("region_code") or region_code(page.meta),
        "report_year": year,
        "body_year": stated,
        "publish_date": date,
        "doc_type": kind,
        "template": template,
        "script": detect_script(text, text_simplified),
        "text": text,
        "text_simplified": text_simplified,
        "removed": list(dict.fromkeys(clean_line(r) for r in removed if clean_line(r))),
        "flags": sorted(set(flags) | stat_flags),
        "format": page.kind,
        "layout": page.layout,
        "charset": page.charset,
        "attachments": page.links,
        "stats": stats,
        "checks": checks.run_checks(stats, text_simplified, template) if kind == "annual_report" else [],
        "extractor_version": EXTRACTOR_VERSION,
    }
    return record


class ExtractPipeline:
    """Item pipeline: fills ``extracted`` of each ``FetchedDocument`` with its record.

    Extraction runs in a worker thread (Scrapy's asyncio reactor), so downloads go on meanwhile.
    """

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        hints = {key: adapter.get(key) for key in HINT_KEYS}
        adapter["extracted"] = await asyncio.to_thread(
            extract, adapter["body"], adapter["url"], adapter.get("headers") or {}, hints)
        return item
