"""拓尔思 TRS WCM: static ``index_N.html`` pages, or page 1 static and the rest from a search API.

Two pagers appear on real sites:

- ``createPageHTML(countPage, currentPage, "index", "html")`` (also with a leading div id and a
  trailing record count, ``createPageHTML('page_div',5,1,'fg','shtml',89)``): page k of the
  column is ``{prefix}_{k}.{ext}`` beside ``{prefix}.{ext}``.
- the Fujian platform's ``list2.trsapi`` model (``quickMode: "动静结合"``): the first
  ``maxStaticIndex`` pages are static, the rest are POSTs to the site's ``/fjdzapp/search``
  with the model's ``listArgs``; the answer is JSON (``data``/``docs`` with ``chnldocurl``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import urlencode, urljoin, urlsplit

from scrapy.http import TextResponse

from crawler.adapters.base import (
    Adapter,
    Link,
    ListPage,
    anchor_links,
    attachment_links,
    clean_text,
    is_attachment_url,
    is_json,
    json_body,
    merge_links,
    normalize_date,
    quoted_file_links,
    resolve,
)

# Arguments may be literals or names of variables assigned elsewhere on the page.
PAGER_RE = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]*['\"]\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
TRSAPI_RE = re.compile(r"quickMode\s*:")
TRSAPI_FIELDS = {
    "max_static": re.compile(r"maxStaticIndex\s*:\s*['\"]?(\d+)"),
    "channelid": re.compile(r"channelid\s*:\s*([^,\n}]+)"),
    "classsql": re.compile(r"classsql\s*:\s*([^\n}]+?)\s*,?\s*\n"),
    "sortfield": re.compile(r"sortfield\s*:\s*['\"]([^'\"]*)['\"]"),
    "prepage": re.compile(r"prepage\s*:\s*['\"]?(\d+)"),
    "record_count": re.compile(r"recordCount\s*:\s*['\"]?(\d+)"),
}
# ``classsql: "" || "chnlid=1813"``: the last non-empty string literal is the effective value.
QUOTED_RE = re.compile(r"'([^']*)'|\"([^\"]*)\"")
# ``SiteInfo.searchId`` is defined once per site in the nested 全站 script.
SITE_SEARCH_ID_RE = re.compile(r"searchId\s*:\s*['\"]?(\d+)")
TRSAPI_SEARCH_PATH = "/fjdzapp/search"

# Detail pages ``./{YYYYMM}/t{YYYYMMDD}_{docid}.html|htm|shtml``.
DETAIL_RE = re.compile(r"/t\d{8}_\d+\.s?html?(?:[?#]|$)", re.IGNORECASE)
# Attachments named in the detail page's scripts (``var apps = [{url: ".../P0….pdf"}]``).
SCRIPT_FILE_RE = re.compile(
    r"""["']([^"'\s<>]*/[PW]0\d{6,}[^"'\s<>/]*\.(?:pdf|docx?|xlsx?|wps|ofd))["']""", re.IGNORECASE
)
# The rare part of those literals, a TRS file name (``/P0`` or ``/W0`` and the date), where the
# search starts: tried from every quote instead, the pattern cost 5–6% of a crawl's CPU.
SCRIPT_FILE_ANCHOR = re.compile(r"/[PW]0\d{6}", re.IGNORECASE)
# Page k > 0 of a column is ``{prefix}_{k}.{ext}``; anything else is its first page.
LATER_PAGE_RE = re.compile(r"_\d+\.\w+$")


class TrsAdapter(Adapter):
    name = "trs"

    def is_list_page(self, response: TextResponse) -> bool:
        if is_json(response):
            return True
        text = response.text
        return PAGER_RE.search(text) is not None or TRSAPI_RE.search(text) is not None

    def list_pages(self, response: TextResponse) -> Iterator[ListPage]:
        if is_json(response) or LATER_PAGE_RE.search(urlsplit(response.url).path):
            return
        text = response.text
        pager = PAGER_RE.search(text)
        if pager is not None:
            count = _int_arg(pager.group(1), text)
            prefix, ext = pager.group(3), pager.group(4)
            for page in range(1, count or 0):
                yield ListPage(urljoin(response.url, f"{prefix}_{page}.{ext}"))
        if TRSAPI_RE.search(text):
            yield from self._api_pages(response, text)

    def list_links(self, response: TextResponse) -> Iterator[Link]:
        if is_json(response):
            yield from _api_links(response.url, json_body(response))
            return
        # Not only inside the column directory: lists keep linking items at their old addresses
        # after a site reorganisation, and the server redirects.
        def listed(url: str) -> bool:
            return DETAIL_RE.search(url) is not None or is_attachment_url(url)

        yield from anchor_links(response, response.url, listed)

    def detail_attachments(self, response: TextResponse) -> list[Link]:
        return merge_links(attachment_links(response), quoted_file_links(response.text, response.url, SCRIPT_FILE_RE, SCRIPT_FILE_ANCHOR))

    def _api_pages(self, response: TextResponse, text: str) -> Iterator[ListPage]:
        fields = {key: pattern.search(text) for key, pattern in TRSAPI_FIELDS.items()}
        if fields["prepage"] is None or fields["record_count"] is None or fields["channelid"] is None:
            return
        prepage = int(fields["prepage"].group(1))
        total = -(-int(fields["record_count"].group(1)) // max(prepage, 1))
        max_static = int(fields["max_static"].group(1)) if fields["max_static"] else 1
        channel = fields["channelid"].group(1).strip()
        if not channel.isdigit():
            site_id = SITE_SEARCH_ID_RE.search(text)
            if site_id is None:
                return
            channel = site_id.group(1)
        classsql = _last_literal(fields["classsql"].group(1)) if fields["classsql"] else ""
        sortfield = fields["sortfield"].group(1) if fields["sortfield"] else ""
        filename = urlsplit(response.url).path.rsplit("/", 1)[-1]
        ext = filename.rsplit(".", 1)[-1] if "." in filename else "html"
        for page in range(2, min(max_static, total) + 1):
            yield ListPage(urljoin(response.url, f"index_{page - 1}.{ext}"))
        api = urljoin(response.url, TRSAPI_SEARCH_PATH)
        for page in range(max_static + 1, total + 1):
            form = {"channelid": channel, "sortfield": sortfield, "classsql": classsql,
                    "page": str(page), "prepage": str(prepage)}
            yield ListPage(api, "POST", urlencode(form))


def _last_literal(expression: str) -> str:
    literals = [single or double for single, double in QUOTED_RE.findall(expression)]
    return next((text for text in reversed(literals) if text), "")


def _int_arg(arg: str, text: str) -> int | None:
    if arg.isdigit():
        return int(arg)
    assigned = re.search(rf"\b{re.escape(arg)}\s*=\s*(\d+)", text)
    return int(assigned.group(1)) if assigned else None


def _api_links(base_url: str, data: object) -> Iterator[Link]:
    rows = (data.get("data") or data.get("docs")) if isinstance(data, dict) else None
    for row in rows or ():
        if not isinstance(row, dict):
            continue
        url = resolve(base_url, row.get("docpuburl") or row.get("chnldocurl") or row.get("url"))
        if url is None:
            continue
        title = clean_text(row.get("doctitle") or row.get("title"))
        date = _date(row.get("docreltime") or row.get("pubdate") or row.get("time"))
        yield Link(url, title, date, "attachment" if is_attachment_url(url) else "detail")


def _date(value: object) -> str | None:
    """API dates come as text or as epoch milliseconds."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, timezone.utc).strftime("%Y-%m-%d")
    return normalize_date(str(value)) if value else None
