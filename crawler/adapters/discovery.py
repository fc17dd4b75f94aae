"""Find the 年报 column from a site root or a 政府信息公开 landing page, as a visitor would.

Links are judged by their text first (政府信息公开年报, 年度报告, …) and by URL slugs seen on
real sites (``zfxxgknb``, ``ndbg``, ``annualreport``…). On a column page the same rules, plus
本级 / 部门 / 乡镇(街道) and year folders, find its sub-columns. Links that look like a single
document (a detail page or an attachment) are never columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scrapy.http import TextResponse

from crawler.adapters.base import Link, clean_text, is_attachment_url, resolve

COLUMN_TEXT_RE = re.compile(r"^(?:政府)?信息公开(?:工作)?年度报告$|^(?:政府)?信息公开年报$|^年度报告$|^年报$")
# On a column page: links to its parts, named by level (本级/部门/乡镇(街道)), as "…年报", or
# as year folders; a name with a year and a report word is a report, not a part.
SUBCOLUMN_TEXT_RE = re.compile(
    r"^(?:(?:市|县|区)?本级|(?:市直|县直|区直)?部门|乡镇|街道|镇街|乡镇[（(]街道[）)])$|年报$|年度报告$"
)
# A year folder is another view of the same column's items: a list page, not a column.
YEAR_FOLDER_RE = re.compile(r"^(?:19|20)\d\d\s*年?度?$")
REPORT_TITLE_RE = re.compile(r"(?:19|20)\d\d\s*年.*(?:报告|年报)")
SUBCOLUMN_MAX_LENGTH = 20
# The slug must name the column itself (its directory or index page), not a page inside it.
COLUMN_SLUG_RE = re.compile(
    r"/(?:zfxxgknb|xxgknb|bmxxgknb|gknb\d*|ndbg|nb_\d{4}n|annualreport)"
    r"(?:/(?:\w*list|index)?(?:\.s?html?|\.jsp)?)?(?:[?#]|$)",
    re.IGNORECASE,
)
LANDING_TEXT_RE = re.compile(r"^(?:政府信息公开|信息公开|政务公开|政府信息公开专栏|政务公开专栏|信息公开目录|政府信息公开目录)$")
LANDING_SLUG_RE = re.compile(r"/(?:zfxxgk|xxgk|zwgk|gkml|gkmlpt/index)(?:[/._#?]|$)", re.IGNORECASE)
# A single document, not a column: CMS detail paths across platforms.
DOCUMENT_RE = re.compile(
    r"/art/\d{4}/|/t\d{8}_\d+\.|/public/\d+/\d+\.html|/post_\d+\.html|/content/.*\d{4,}\.s?html?",
    re.IGNORECASE,
)
ANCHORS_XPATH = "//a[@href]"


def column_links(response: TextResponse, sub: bool = False) -> list[Link]:
    """Links to 年报 columns on a page (kind ``column``); with ``sub``, a column page's parts:
    本级/部门/乡镇 sub-columns (``column``) and year folders (``list``)."""
    found: dict[str, Link] = {}
    for url, text in _anchors(response):
        if DOCUMENT_RE.search(url) or is_attachment_url(url) or url in found:
            continue
        if COLUMN_TEXT_RE.match(text) or COLUMN_SLUG_RE.search(url) or (sub and _subcolumn_name(text)):
            found[url] = Link(url, text or None, None, "column")
        elif sub and YEAR_FOLDER_RE.match(text):
            found[url] = Link(url, text, None, "list")
    found.pop(response.url, None)
    return list(found.values())


def landing_links(response: TextResponse) -> list[Link]:
    """Links to a 政府信息公开 landing page, where the 年报 column is linked from."""
    found: dict[str, Link] = {}
    for url, text in _anchors(response):
        if url in found or url == response.url or DOCUMENT_RE.search(url):
            continue
        if LANDING_TEXT_RE.match(text) or (not text and LANDING_SLUG_RE.search(url)):
            found[url] = Link(url, text or None, None, "landing")
    return list(found.values())


def _subcolumn_name(text: str) -> bool:
    return (
        0 < len(text) <= SUBCOLUMN_MAX_LENGTH
        and SUBCOLUMN_TEXT_RE.search(text) is not None
        and REPORT_TITLE_RE.search(text) is None
    )


def _anchors(response: TextResponse) -> Iterator[tuple[str, str]]:
    for anchor in response.xpath(ANCHORS_XPATH):
        url = resolve(response.url, anchor.attrib["href"])
        if url is not None:
            text = clean_text(anchor.xpath("string()").get()) or clean_text(anchor.attrib.get("title")) or ""
            yield url, text.replace(" ", "")
