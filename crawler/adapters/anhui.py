"""The Anhui-origin 政务公开 platform (also in 江西, 河南, 青海): list fragments by label URL.

A column ``/public/column/{organId}?type=4&catId={catId}&action=list`` prints ``pageCount:N``
and loads each page of its list as an HTML fragment from
``/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&…&pageIndex=N&action=list``
(rows ``div.xxgk_navli`` with an ``a`` and a ``span.date``). Details are
``/public/{organId}/{docId}.html``.

The page's script builds the label URL by concatenation
(``"…&siteId=" + cfg.siteId + "&pageIndex=" + pageIndex + "&file=%2Fxxgk%2F…"``); the adapter
reads that expression so its requests carry the same parameters in the same order (the
``file`` template among them), minus cache busters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy.http import TextResponse

from crawler.adapters.base import Adapter, Link, ListPage, anchor_links, is_attachment_url

LABEL_PATH = "/site/label/8888"
# The label URL literal and the ``+ "literal"`` / ``+ expression`` terms that follow it.
LABEL_LITERAL_RE = re.compile(r"""(["'])(/site/label/8888\?[^"'\s<>]*)\1""")
CONCAT_RE = re.compile(r"""\s*\+\s*(?:(["'])([^"'\n]*)\1|([\w$.]+(?:\(\))?))""")
COMPUTED, VOLATILE = "\x00", "\x01"  # a value the script computes; a cache buster
VOLATILE_RE = re.compile(r"Math\.random|getTime|Date\.now")
PAGE_COUNT_RE = re.compile(r"pageCount\s*:\s*['\"]?(\d+)")
ORGAN_RE = re.compile(r"/public/column/(\d+)")
DETAIL_RE = re.compile(r"/public/\d+/\d+\.html(?:[?#]|$)")
# A row is ``div.xxgk_navli`` (its ``ul`` splits number, title and date into ``li``s) or, on
# other installs, the ``li`` around the link.
ROW_XPATHS = (
    "string(ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' xxgk_navli ')][1])",
    "string(ancestor::*[self::li or self::tr][1])",
)
# The label request when the page shows no URL literal: the platform's usual parameters.
LABEL_DEFAULTS = (
    ("IsAjax", "1"), ("dataType", "html"), ("labelName", "publicInfoList"), ("siteId", COMPUTED),
    ("organId", COMPUTED), ("catId", COMPUTED), ("pageSize", COMPUTED), ("pageIndex", COMPUTED), ("action", "list"),
)
FALLBACK_PAGE_SIZE = "15"


class AnhuiAdapter(Adapter):
    name = "anhui"

    def is_list_page(self, response: TextResponse) -> bool:
        if LABEL_PATH in response.url:
            return True
        text = response.text
        return PAGE_COUNT_RE.search(text) is not None or LABEL_LITERAL_RE.search(text) is not None

    def list_pages(self, response: TextResponse) -> Iterator[ListPage]:
        if LABEL_PATH in response.url:
            return  # a fragment: the column page already asked for every page
        count = PAGE_COUNT_RE.search(response.text)
        params = self.label_params(response)
        if count is None or params is None:
            return
        for page in range(1, int(count.group(1)) + 1):
            query = urlencode([(key, str(page) if key == "pageIndex" else value) for key, value in params])
            yield ListPage(urljoin(response.url, f"{LABEL_PATH}?{query}"))

    def list_links(self, response: TextResponse) -> Iterator[Link]:
        def accept(url: str) -> bool:
            return DETAIL_RE.search(url) is not None or is_attachment_url(url)

        yield from anchor_links(response, response.url, accept, row_xpaths=ROW_XPATHS)

    def label_params(self, response: TextResponse) -> list[tuple[str, str]] | None:
        """The label query as the page's script builds it; ``pageIndex`` is left to the caller.

        Values the script computes come from its variables (``cfg = {siteId: '35', …}``) or the
        column URL; None when one of ``siteId``, ``organId``, ``catId`` cannot be found.
        """
        text = response.text
        params = _label_literal(text) or list(LABEL_DEFAULTS)
        if "pageIndex" not in dict(params):
            params.append(("pageIndex", COMPUTED))
        known = dict(parse_qsl(urlsplit(response.url).query))
        organ = ORGAN_RE.search(response.url)
        if organ:
            known.setdefault("organId", organ.group(1))
        resolved = []
        for key, value in params:
            if VOLATILE in value:
                continue
            if COMPUTED in value and key != "pageIndex":
                value = _script_value(text, key) or known.get(key) or (FALLBACK_PAGE_SIZE if key == "pageSize" else "")
            resolved.append((key, value))
        values = dict(resolved)
        if not all(values.get(name) for name in ("siteId", "organId", "catId")):
            return None
        return resolved


def _label_literal(text: str) -> list[tuple[str, str]] | None:
    """The label URL's query from the script's concatenation, computed terms marked."""
    literal = LABEL_LITERAL_RE.search(text)
    if literal is None:
        return None
    parts, position = [html.unescape(literal.group(2))], literal.end()
    while (term := CONCAT_RE.match(text, position)) is not None:
        expression = term.group(3)
        if expression is None:
            parts.append(term.group(2))
        else:
            parts.append(VOLATILE if VOLATILE_RE.search(expression) else COMPUTED)
        position = term.end()
    query = urlsplit("".join(parts)).query
    return parse_qsl(query, keep_blank_values=True)


def _script_value(text: str, name: str) -> str | None:
    match = re.search(rf"""\b{re.escape(name)}\s*[:=]\s*['"]?([\w-]+)""", text)
    return match.group(1) if match else None
