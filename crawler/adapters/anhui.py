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
ROW_XPATH = (
    "string(ancestor::*[self::li or self::tr or contains(concat(' ', normalize-space(@class), ' '), ' xxgk_navli ')][1])"
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

        yield from anchor_links(response, response.url, accept, row_xpath=ROW_XPATH)

    def label_params(self, response: TextResponse) -> list[tuple[str, str]] | None:
        """The label query without ``pageIndex``/``action``: from a label URL on the page, else
        from the script's ``siteId``/``organId``/``catId``/``pageSize`` and the column URL."""
        text = response.text
        found = LABEL_URL_RE.search(text)
        if found is not None:
            query = urlsplit(html.unescape(found.group(1))).query
            return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in ("pageIndex", "action")]
        column_query = dict(parse_qsl(urlsplit(response.url).query))
        organ = ORGAN_RE.search(response.url)
        values = {name: pattern.search(text) for name, pattern in SCRIPT_PARAM_RE.items()}
        site_id = values["siteId"].group(1) if values["siteId"] else None
        organ_id = values["organId"].group(1) if values["organId"] else organ.group(1) if organ else None
        cat_id = column_query.get("catId") or (values["catId"].group(1) if values["catId"] else None)
        if not (site_id and organ_id and cat_id):
            return None
        page_size = values["pageSize"].group(1) if values["pageSize"] else "15"
        return [*LABEL_DEFAULTS, ("siteId", site_id), ("organId", organ_id), ("catId", cat_id), ("pageSize", page_size)]
