"""The Anhui-origin 政务公开 platform (also in 江西, 河南, 青海): list fragments by label URL.

A column ``/public/column/{organId}?type=4&catId={catId}&action=list`` prints ``pageCount:N``
and loads each page of its list as an HTML fragment from
``/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&…&pageIndex=N&action=list``
(rows ``div.xxgk_navli`` with an ``a`` and a ``span.date``). Details are
``/public/{organId}/{docId}.html``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy.http import TextResponse

from crawler.adapters.base import Adapter, Link, ListPage, anchor_links, is_attachment_url

LABEL_PATH = "/site/label/8888"
LABEL_URL_RE = re.compile(r"(/site/label/8888\?[^\"'\s<>]+)")
PAGE_COUNT_RE = re.compile(r"pageCount\s*:\s*['\"]?(\d+)")
SCRIPT_PARAM_RE = {
    name: re.compile(rf"""\b{name}\s*[:=]\s*['"]?([\w-]+)""") for name in ("siteId", "organId", "catId", "pageSize")
}
ORGAN_RE = re.compile(r"/public/column/(\d+)")
DETAIL_RE = re.compile(r"/public/\d+/\d+\.html(?:[?#]|$)")
# A row is ``div.xxgk_navli`` (its ``ul`` splits number, title and date into ``li``s) or, on
# other installs, the ``li`` around the link.
ROW_XPATHS = (
    "string(ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' xxgk_navli ')][1])",
    "string(ancestor::*[self::li or self::tr][1])",
)
# The label request the platform's own list script makes, minus the page number.
LABEL_DEFAULTS = (("IsAjax", "1"), ("dataType", "html"), ("labelName", "publicInfoList"))


class AnhuiAdapter(Adapter):
    name = "anhui"

    def is_list_page(self, response: TextResponse) -> bool:
        if LABEL_PATH in response.url:
            return True
        text = response.text
        return PAGE_COUNT_RE.search(text) is not None or LABEL_URL_RE.search(text) is not None

    def list_pages(self, response: TextResponse) -> Iterator[ListPage]:
        if LABEL_PATH in response.url:
            return  # a fragment: the column page already asked for every page
        text = response.text
        count = PAGE_COUNT_RE.search(text)
        params = self.label_params(response)
        if count is None or params is None:
            return
        for page in range(1, int(count.group(1)) + 1):
            query = urlencode([*params, ("pageIndex", str(page)), ("action", "list")])
            yield ListPage(urljoin(response.url, f"{LABEL_PATH}?{query}"))

    def list_links(self, response: TextResponse) -> Iterator[Link]:
        def accept(url: str) -> bool:
            return DETAIL_RE.search(url) is not None or is_attachment_url(url)

        yield from anchor_links(response, response.url, accept, row_xpaths=ROW_XPATHS)

    def label_params(self, response: TextResponse) -> list[tuple[str, str]] | None:
        """The label query without ``pageIndex``/``action``, in the order the page's script sends it.

        The script usually builds the URL by concatenation (``"…&siteId=" + cfg.siteId + …``):
        names come from the literal, values missing there from the script's variables or the
        column URL.
        """
        text = response.text
        found = LABEL_URL_RE.search(text)
        literal = parse_qsl(urlsplit(html.unescape(found.group(1))).query, keep_blank_values=True) if found else []
        params = dict(LABEL_DEFAULTS)
        params.update((key, value) for key, value in literal if key not in ("pageIndex", "action"))
        column_query = dict(parse_qsl(urlsplit(response.url).query))
        organ = ORGAN_RE.search(response.url)
        fallback = {"organId": organ.group(1) if organ else None, "catId": column_query.get("catId"), "pageSize": "15"}
        for name, pattern in SCRIPT_PARAM_RE.items():
            if not params.get(name):
                match = pattern.search(text)
                params[name] = match.group(1) if match else fallback.get(name)
        if not all(params.get(name) for name in ("siteId", "organId", "catId")):
            return None
        return list(params.items())
