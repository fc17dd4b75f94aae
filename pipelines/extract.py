"""Extraction as one pure function: (bytes, url, headers, hints) → record.

The same record comes out whether the bytes were fetched live, read from a WARC record or
from a file, so a snapshot re-extracts identically; ``EXTRACTOR_VERSION`` is stored on
every record and bumped whenever the output of the same input changes.

Steps, all on data-driven rules: ``pipelines.readers`` decodes and parses the document,
reads its meta tags and labelled fields, finds the body region (CMS containers; the
densest block or trafilatura for unknown layouts), removes hidden and link-farm
injections and renders lines (tables as rows); here spam runs are cut, chrome lines
dropped, the keys worked out (title, agency, region code, report year, publish date, doc
type) and the statistics and template read from the table grids (``pipelines.stats``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

from itemadapter import ItemAdapter
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from . import checks, stats as statistics, statlabels
from .agency import resolve_agency
from .chrome import strip_chrome
from .dates import parse_date
from .keys import body_year, doc_type, title_year
from .metadata import SOURCE_LABELS, publish_date, region_code
from .readers import MIN_BODY_TEXT, Page, read_document
from .render import clean_line
from .script import detect_script, normalize, to_simplified
from .spam import clean_lines, cut_spam, strip_pinyin

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = "1.1.0"
HINT_KEYS = ("agency", "region_code", "source", "list_title", "list_date")
# Separators left at the ends of a title when spam words are cut from it.
TITLE_JUNK = " _-|｜,，、:：;；"
# A line that is only a date (a signature: "二〇一二年二月二十日", "XX局 2019年7月15日").
SIGNATURE_DATE_RE = re.compile(r"^(?:[\u4e00-\u9fff()]{2,30}\s*)?([0-9〇○零一二三四五六七八九十]{4}\s*年[^。，,]{2,8}日)$")
# Statistics flags about scans: for pages, a 图片版 body is told by its pictures instead
# (an empty page is not a scan).
SCAN_FLAGS = frozenset({"needs_ocr"})
# The first report year any template (国办公开办函〔2019〕60号) could apply to.
FIRST_TEMPLATE_YEAR = 2018


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
        return _record(url, hints, read_document(body or b"", url, headers or {}))
    except Exception as exc:  # noqa: BLE001 — the boundary: a hostile document gives a flagged record
        logger.warning("extraction failed for %s: %r", url, exc, exc_info=True)
        return _record(url, hints, Page(kind="unknown", flags=[f"extract_error:{type(exc).__name__}"]))


def _signature_date(lines: list[str]) -> str | None:
    for line in reversed(lines[-12:]):
        match = SIGNATURE_DATE_RE.match(normalize(line))
        if match:
            date = parse_date(match.group(1))
            if date:
                return date
    return None


def _template(page: Page, text: str) -> tuple[str | None, list[dict], list[str]]:
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
    elif template is None and len("".join(text.split())) >= MIN_BODY_TEXT:
        template = "free"
    return template, result.stats, result.flags


def _clean(page: Page, hints: dict) -> tuple[list[str], str | None, list[str], list[str]]:
    """Lines and title without spam, pinyin and chrome; what was removed; flags."""
    stripped = [strip_pinyin(line) for line in page.lines]
    mirror = any(n for _, n in stripped) or "mirror" in page.flags
    lines, cut_lines = clean_lines([line for line, _ in stripped])
    title = next((t for t in [*page.titles, hints.get("list_title", "")] if t), None)
    cut_title: list[str] = []
    if title:
        title, cut_title = cut_spam(strip_pinyin(title)[0])
        title = clean_line(title).strip(TITLE_JUNK) or None
    in_content, in_title = page.removed + cut_lines, page.title_spam + cut_title
    flags = list(page.flags)
    # Spam in the content is tampering; spam in the title alone is how mirror sites stuff
    # their copies, which are flagged as mirrors instead.
    if in_content or (in_title and not mirror):
        flags.append("defaced")
    if mirror and "mirror" not in flags:
        flags.append("mirror")
    removed = list(dict.fromkeys(clean_line(r) for r in in_title + in_content if clean_line(r)))
    return strip_chrome(lines, title), title, removed, flags


def _record(url: str, hints: dict, page: Page) -> dict:
    lines, title, removed, flags = _clean(page, hints)
    text = "\n".join(lines)
    text_simplified = to_simplified(text)
    norm_lines = [normalize(line) for line in lines]
    norm_title = normalize(title) if title else None
    kind = doc_type(norm_title, norm_lines)
    if "meta_refresh" in flags and not lines:
        kind = "other"  # a deleted page sending visitors back to its column
    if page.links and len("".join(text.split())) < MIN_BODY_TEXT:
        flags.append("attachment_only")
    stated = body_year(norm_lines)
    year = title_year(norm_title) or title_year(normalize(hints.get("list_title", ""))) or stated
    if kind == "annual_report" and year and stated and stated != year:
        flags.append("year_conflict")
    if kind != "annual_report":
        year = None
    sources = [page.meta.get("contentsource", ""), *(page.fields.get(label, "") for label in SOURCE_LABELS),
               page.meta.get("author", "")]
    agency = resolve_agency(norm_title, [normalize(s) for s in sources if s],
                            normalize(hints["agency"]) if hints.get("agency") else None, norm_lines)
    template, stats, stat_flags = (None, [], set())
    if kind == "annual_report":
        template, stats, found_flags = _template(page, text_simplified)
        stat_flags = set(found_flags) - (SCAN_FLAGS if page.kind in ("html", "text") else set())
        if template is None and year and year < FIRST_TEMPLATE_YEAR:
            template = "free"  # no template existed yet: a report of these years is free-form
    return {
        "url": url,
        "title": title,
        "agency": agency,
        "region_code": hints.get("region_code") or region_code(page.meta),
        "report_year": year,
        "body_year": stated,
        "publish_date": (publish_date(page.meta, page.fields) or parse_date(hints.get("list_date", ""))
                         or _signature_date(lines)),
        "doc_type": kind,
        "template": template,
        "script": detect_script(text, text_simplified),
        "text": text,
        "text_simplified": text_simplified,
        "removed": removed,
        "flags": sorted(set(flags) | stat_flags),
        "format": page.kind,
        "layout": page.layout,
        "charset": page.charset,
        "attachments": page.links,
        "stats": stats,
        "checks": checks.run_checks(stats, text_simplified, template) if kind == "annual_report" else [],
        "extractor_version": EXTRACTOR_VERSION,
    }


PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(parent_pid: int) -> None:
    """Extraction process initializer: end when the crawl process is gone. A crawl killed
    with ``kill -9`` cannot shut its pool down, and its workers would wait on it forever."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            threading.Event().wait(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class ExtractPipeline:
    """Item pipeline: fills ``extracted`` of each ``FetchedDocument`` with its record.

    Extraction is CPU-bound (PDF layout above all), so it runs in ``NIANBAO_EXTRACT_PROCESSES``
    worker processes (0: the reactor's thread pool), leaving the crawl's own process free to
    download; a thread of the reactor's pool waits for each result.
    """

    def __init__(self, processes: int = 0):
        self.processes = processes
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler) -> ExtractPipeline:
        return cls(crawler.settings.getint("NIANBAO_EXTRACT_PROCESSES"))

    def open_spider(self) -> None:
        if self.processes > 0:
            # spawn, not fork: the crawl process has running threads (WARC writer, reactor pool).
            self.pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=exit_with_parent, initargs=(os.getpid(),))

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        hints = {key: adapter.get(key) for key in HINT_KEYS}
        args = (adapter["body"], adapter["url"], dict(adapter.get("headers") or {}), hints)
        pool = self.pool
        work = (lambda: pool.submit(extract, *args).result()) if pool else (lambda: extract(*args))
        adapter["extracted"] = await maybe_deferred_to_future(deferToThread(work))
        return item
