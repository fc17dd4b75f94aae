"""Unknown and legacy sites: list items are links that read like a report or sit in a dated row.

Without a CMS to lean on, a list page is read the way a person reads it: an annual report's
title names a year and a report, a list row prints its date beside the link, and the next
page is behind 下一页.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from crawler.adapters.base import Adapter, Link, ListPage, anchor_links, clean_text, resolve

YEAR = r"(?:(?:19|20)\d\d|[〇○零一二三四五六七八九]{4})\s*年"
REPORT_TEXT_RE = re.compile(rf"{YEAR}.{{0,30}}?(?:年度报告|年报|公开工作报告|工作年度报告)")
NEXT_TEXTS = frozenset({"下一页", "下页", "后一页", "后页", ">", "›", "»", "下一页>", "下一页>>"})
DOCUMENT_PATH_RE = re.compile(r"\.(?:s?html?|jsp|aspx?|php)$|/$|\.(?:pdf|docx?|wps|xlsx?|ofd)$", re.IGNORECASE)
NEXT_XPATH = "//a[@href][normalize-space(.)!='' and string-length(normalize-space(.)) <= 5]"


class GenericAdapter(Adapter):
    name = "generic"

    def is_list_page(self, response: TextResponse) -> bool:
        return any(self.list_links(response))

    def list_pages(self, response: TextResponse) -> Iterator[ListPage]:
        for anchor in response.xpath(NEXT_XPATH):
            if clean_text(anchor.xpath("string()").get()) in NEXT_TEXTS:
                url = resolve(response.url, anchor.attrib["href"])
                if url is not None and url != response.url:
                    yield ListPage(url)

    def list_links(self, response: TextResponse) -> Iterator[Link]:
        page = response.url.split("#", 1)[0]

        def document_like(url: str) -> bool:
            return url.split("#", 1)[0] != page and DOCUMENT_PATH_RE.search(urlsplit(url).path) is not None

        for link in anchor_links(response, response.url, document_like):
            title = link.title or ""
            if REPORT_TEXT_RE.search(title) or (link.date and title not in NEXT_TEXTS):
                yield link
