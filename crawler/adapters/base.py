"""The adapter protocol: how the spider asks a CMS about its list and detail pages.

An adapter is stateless and pure: it reads a downloaded response and answers with plain data
(``Link``, ``ListPage``); the spider turns those into requests with provenance meta. Shared
vocabulary (attachment extensions, date formats) and the link helpers live here as data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import unquote, urljoin

from parsel import Selector
from scrapy.http import Response, TextResponse

# Report files published on their own or attached to a detail page (OFD is the national
# fixed-layout format some agencies use instead of PDF).
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd")
ATTACHMENT_URL_RE = re.compile(
    r"\.(?:%s)(?:[?#]|$)" % "|".join(ATTACHMENT_EXTENSIONS)
    + r"|/module/download/downfile\.jsp\?"  # Hanweb download proxy (302 to /attach/…)
    + r"|/group\d+/M\d\d/"  # Anhui platform FastDFS storage
    + r"|/down(?:load)?(?:file)?\.(?:asp|aspx|jsp|php)\?",  # legacy download scripts (Download.asp?FileID=…)
    re.IGNORECASE,
)
# A download link whose URL says nothing is still a file when its text is a file name.
FILENAME_TEXT_RE = re.compile(r"\.(?:%s)\s*$" % "|".join(ATTACHMENT_EXTENSIONS), re.IGNORECASE)
# TRS 全真版 tab: an embedded PDF viewer whose ``file`` parameter is the attachment.
VIEWER_RE = re.compile(r"/viewer\.html\?(?:[^#]*&)?file=([^&#]+)", re.IGNORECASE)
# An attachment URL as a string literal in a script (JSON escapes ``/`` as ``\/``).
QUOTED_FILE_RE = re.compile(
    r"""["']([^"'\s<>]+\.(?:%s))["']""" % "|".join(ATTACHMENT_EXTENSIONS), re.IGNORECASE
)
# Templates left unrendered in saved pages (``{{qzbFile}}``) are not links.
TEMPLATE_RE = re.compile(r"\{\{|\$\{|\bjavascript:|^#|^mailto:", re.IGNORECASE)
DATE_RE = re.compile(r"((?:19|20)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
# Old templates print dates in Chinese numerals: 二〇一二年二月二十日.
CHINESE_DATE_RE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
SPACE_RE = re.compile(r"\s+")

# Elements of a detail page that can point at an attachment, and the attribute that does.
LINK_ATTRIBUTES = {"a": "href", "iframe": "src", "embed": "src"}
# The list row an anchor sits in, where its date is printed.
ROW_XPATH = "string(ancestor::*[self::li or self::tr or self::dl or self::p][1])"


@dataclass(frozen=True, slots=True)
class Link:
    """A linked page: ``kind`` is ``detail`` or ``attachment`` for documents, ``column``,
    ``list`` or ``landing`` for the pages discovery finds."""

    url: str
    title: str | None = None
    date: str | None = None
    kind: str = "detail"


@dataclass(frozen=True, slots=True)
class ListPage:
    """A further list page to fetch: a plain GET, or a POST with a form body (Hanweb, TRS API)."""

    url: str
    method: str = "GET"
    body: str | None = None


class Adapter:
    """One CMS: recognise its list pages, walk all of them, pick out documents.

    Subclasses override what their CMS does differently; the defaults read plain HTML.
    """

    name: ClassVar[str]

    def is_list_page(self, response: TextResponse) -> bool:
        """Whether ``response`` is a list page of this CMS (a 年报 column or one of its pages)."""
        raise NotImplementedError

    def list_pages(self, response: TextResponse) -> Iterable[ListPage]:
        """Further list pages reachable from this one by the CMS's own paging mechanism."""
        raise NotImplementedError

    def list_links(self, response: TextResponse) -> Iterable[Link]:
        """Detail pages and attachments listed on a list page, with their list title and date."""
        raise NotImplementedError

    def detail_attachments(self, response: TextResponse) -> Iterable[Link]:
        """Attachments linked from a detail page (files, download proxies, 全真版 viewers)."""
        return attachment_links(response)


def is_attachment_url(url: str) -> bool:
    return ATTACHMENT_URL_RE.search(url) is not None


def normalize_date(text: str | None) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD`` (``2020-9-29``, ``2017年3月20日``…)."""
    if not text:
        return None
    match = DATE_RE.search(text)
    if match is not None:
        year, month, day = (int(group) for group in match.groups())
    else:
        match = CHINESE_DATE_RE.search(text)
        if match is None:
            return None
        year = int("".join(str(CHINESE_DIGITS[c]) for c in match.group(1)))
        month, day = _chinese_number(match.group(2)), _chinese_number(match.group(3))
    return f"{year}-{month:02d}-{day:02d}"


def _chinese_number(text: str) -> int:
    """一 … 三十一: tens written with 十 (十二 = 12, 二十 = 20)."""
    tens, _, units = text.rpartition("十")
    if "十" not in text:
        return CHINESE_DIGITS[text]
    return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[units] if units else 0)


def clean_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = SPACE_RE.sub(" ", text).strip()
    return text or None


def resolve(base_url: str, href: str | None) -> str | None:
    """``href`` made absolute against ``base_url``; None for templates, scripts and anchors."""
    if not href:
        return None
    href = href.strip()
    if not href or TEMPLATE_RE.search(href):
        return None
    return urljoin(base_url, href)


def unwrap_viewer(url: str) -> str | None:
    """The file a PDF viewer URL (``…/viewer.html?file=…``) displays, made absolute."""
    match = VIEWER_RE.search(url)
    if match is None:
        return None
    return resolve(url, unquote(match.group(1)))


def anchor_links(
    page: TextResponse | Selector,
    base_url: str,
    accept: Callable[[str], bool],
    row_xpaths: tuple[str, ...] = (ROW_XPATH,),
) -> Iterator[Link]:
    """Links of the anchors on ``page`` whose absolute URL ``accept`` allows.

    The title is the anchor's ``title`` attribute or its text; the date is the first date in
    the list row around the anchor: the first of ``row_xpaths`` that yields one (by default
    the enclosing ``li``, ``tr``, ``dl`` or ``p``).
    """
    for anchor in page.xpath("//a[@href]"):
        url = resolve(base_url, anchor.attrib.get("href"))
        if url is None or not accept(url):
            continue
        title = clean_text(anchor.attrib.get("title")) or clean_text(anchor.xpath("string()").get())
        date = next(filter(None, (normalize_date(anchor.xpath(row).get()) for row in row_xpaths)), None)
        kind = "attachment" if is_attachment_url(url) else "detail"
        yield Link(url, title, date, kind)


def attachment_links(response: TextResponse) -> list[Link]:
    """Attachment links on a page: file URLs, download proxies and 全真版 viewers, in order.

    Runs on every detail page, so it walks lxml elements directly and resolves only the
    links that can be attachments.
    """
    links: dict[str, Link] = {}
    for element in response.selector.root.iter(*LINK_ATTRIBUTES):
        raw = element.get(LINK_ATTRIBUTES[element.tag])
        if not raw:
            continue
        known = ATTACHMENT_URL_RE.search(raw) is not None or VIEWER_RE.search(raw) is not None
        if not known and "?" not in raw:
            continue  # neither a file nor a download script
        url = resolve(response.url, raw)
        if url is None:
            continue
        url = unwrap_viewer(url) or url
        if url in links and links[url].title:
            continue
        title = clean_text("".join(element.itertext())) or clean_text(element.get("title"))
        if known or (title and FILENAME_TEXT_RE.search(title)):
            links[url] = Link(url, title, None, "attachment")
    return list(links.values())


def quoted_file_links(
    text: str, base_url: str, pattern: re.Pattern[str] = QUOTED_FILE_RE, anchor: re.Pattern[str] | None = None
) -> Iterator[Link]:
    """Attachments named as string literals in a page's scripts (JS arrays, embedded JSON).

    ``anchor`` is a rare part every literal ``pattern`` matches contains: then ``pattern`` is
    tried only at the quote opening the literal around each anchor, which finds what
    ``pattern.finditer`` finds without starting a match at every quote of the page.
    """
    for match in pattern.finditer(text) if anchor is None else _around(anchor, pattern, text):
        url = resolve(base_url, match.group(1).replace("\\/", "/"))
        if url is not None:
            yield Link(unwrap_viewer(url) or url, None, None, "attachment")


def _around(anchor: re.Pattern[str], pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    end = 0  # like finditer, a quote that closed a match opens none
    for hit in anchor.finditer(text):
        start = max(text.rfind('"', end, hit.start()), text.rfind("'", end, hit.start()))
        match = pattern.match(text, start) if start >= 0 else None
        if match is not None:
            end = match.end()
            yield match


def merge_links(*groups: Iterable[Link]) -> list[Link]:
    """Links from several finders, first occurrence of each URL kept, in order."""
    merged: dict[str, Link] = {}
    for group in groups:
        for link in group:
            merged.setdefault(link.url, link)
    return list(merged.values())


def is_json(response: Response) -> bool:
    """Whether a list answer is JSON (an API page) rather than HTML; cheap, no parsing."""
    content_type = response.headers.get(b"Content-Type") or b""
    if b"json" in content_type.lower():
        return True
    return response.body[:64].lstrip().startswith((b"{", b"["))


def json_body(response: TextResponse) -> object | None:
    """The decoded JSON of an API answer, or None when it is not valid JSON."""
    try:
        return json.loads(response.text)
    except ValueError:
        return None
