"""广东 政府信息公开目录平台 gkmlpt: a script-loaded list behind a JSON API.

``/gkmlpt/annualreport#{catId}`` is an empty shell; its script asks
``/gkmlpt/api/all/{catId}?page=N&sid={SID}`` (SID from the page's script) for
``{total, articles: [{id, title, url, created_at}]}``. Details are
``/gkmlpt/content/{a}/{b}/post_{id}.html`` with the record in ``window._CONFIG.DETAIL``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import TextResponse

from crawler.adapters.base import (
    Adapter,
    Link,
    ListPage,
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

PLATFORM_RE = re.compile(r"^(.*?/gkmlpt)/")
API_RE = re.compile(r"/gkmlpt/api/all/(\d+)")
SID_RE = re.compile(r"""\bSID['"]?\s*[:=]\s*['"]([\w-]+)['"]""", re.IGNORECASE)
CAT_ID_RE = re.compile(r"""\bcat_?id['"]?\s*[:=]\s*['"]?(\d+)""", re.IGNORECASE)


class GkmlptAdapter(Adapter):
    name = "gkmlpt"

    def is_list_page(self, response: TextResponse) -> bool:
        if API_RE.search(response.url):
            return True
        return "/gkmlpt/" in response.url and SID_RE.search(response.text) is not None

    def list_pages(self, response: TextResponse) -> Iterator[ListPage]:
        if API_RE.search(response.url):
            yield from self._more_pages(response)
            return
        platform = PLATFORM_RE.match(response.url)
        sid = SID_RE.search(response.text)
        cat_id = urlsplit(response.url).fragment or _group(CAT_ID_RE.search(response.text))
        if platform and sid and cat_id and cat_id.isdigit():
            query = urlencode({"page": 1, "sid": sid.group(1)})
            yield ListPage(f"{platform.group(1)}/api/all/{cat_id}?{query}")

    def list_links(self, response: TextResponse) -> Iterator[Link]:
        if not is_json(response):
            return
        data = json_body(response)
        articles = data.get("articles") if isinstance(data, dict) else None
        for article in articles or ():
            if not isinstance(article, dict):
                continue
            url = resolve(response.url, article.get("url"))
            if url is None:
                continue
            title = clean_text(article.get("title"))
            yield Link(url, title, _date(article.get("created_at")), "attachment" if is_attachment_url(url) else "detail")

    def detail_attachments(self, response: TextResponse) -> list[Link]:
        return merge_links(attachment_links(response), quoted_file_links(response.text, response.url))

    def _more_pages(self, response: TextResponse) -> Iterator[ListPage]:
        """From the first API page, every other page: ``total`` over the first page's size."""
        parts = urlsplit(response.url)
        query = dict(parse_qsl(parts.query))
        if query.get("page", "1") != "1":
            return
        data = json_body(response)
        if not isinstance(data, dict):
            return
        per_page = len(data.get("articles") or ())
        total = data.get("total")
        total = int(total) if isinstance(total, str) and total.isdigit() else total
        if not per_page or not isinstance(total, int):
            return
        for page in range(2, -(-total // per_page) + 1):
            query["page"] = str(page)
            yield ListPage(urlunsplit(parts._replace(query=urlencode(query), fragment="")))


def _group(match: re.Match[str] | None) -> str | None:
    return match.group(1) if match else None


def _date(value: object) -> str | None:
    """``created_at`` comes as text or as epoch seconds."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%d")
    return normalize_date(str(value)) if value else None
