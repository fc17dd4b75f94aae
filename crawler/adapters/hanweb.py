"""大汉 Hanweb JCMS: list records hidden in an XML datastore, further records by POST.

A column page ``/col/col{id}/index.html`` carries its first group of records as
``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…</li>]]></record>``
and the paging parameters (``totalRecord``, ``perPage``, ``groupSize``, the ``dataproxy.jsp``
path and the form fields) in its scripts. The browser fetches each further group of
``perPage × groupSize`` records by POST ``dataproxy.jsp?startrecord=…&endrecord=…&perpage=…``
with the form body; the answer is the same datastore XML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import quote, unquote, urlencode, urljoin

from scrapy.http import TextResponse

from crawler.adapters.base import Adapter, Link, ListPage, clean_text, is_attachment_url, normalize_date, resolve

RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
ANCHOR_RE = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL | re.IGNORECASE)
ATTR_RE = re.compile(r"""\b(href|title)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]+>")

TOTAL_RE = re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
PERPAGE_RE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
GROUP_RE = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
PROXY_RE = re.compile(r"(/module/(?:[\w-]+/)*dataproxy\.jsp)")
COLUMN_ID_RE = re.compile(r"/col/col(\d+)/")
UNIT_ID_RE = re.compile(r"<div\s+id=['\"]?(\d+)['\"]?\s*>\s*<script\s+type=['\"]text/xml['\"]", re.IGNORECASE)
DATASTORE_RE = re.compile(r"<datastore>", re.IGNORECASE)

# The form fields the page's jpage script posts, in the order browsers send them.
FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")
FORM_DEFAULTS = {"col": "1", "appid": "1", "webid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
FIELD_RES = {
    name: re.compile(rf"""['"]?\b{name}['"]?\s*[:=]\s*['"]?([^'",}}&\s<]*)""") for name in FORM_FIELDS
}
PARAMS_SPAN = 4000  # characters after </datastore> where the jpage call sits
DEFAULT_PERPAGE = 15
DEFAULT_GROUP = 3


class HanwebAdapter(Adapter):
    name = "hanweb"

    def is_list_page(self, response: TextResponse) -> bool:
        return DATASTORE_RE.search(response.text) is not None

    def list_pages(self, response: TextResponse) -> Iterator[ListPage]:
        if PROXY_RE.search(response.url):
            return  # a group answer: the column page already asked for every group
        text = response.text
        total = TOTAL_RE.search(text)
        if total is None:
            return
        total_records = int(total.group(1))
        perpage = _int(PERPAGE_RE, text, DEFAULT_PERPAGE)
        group = perpage * _int(GROUP_RE, text, DEFAULT_GROUP)
        proxy = PROXY_RE.search(text)
        proxy_url = urljoin(response.url, proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp")
        body = urlencode(self.form(response), quote_via=quote, safe="/")
        start = len(RECORD_RE.findall(text)) + 1
        while start <= total_records:
            end = start + group - 1
            yield ListPage(f"{proxy_url}?startrecord={start}&endrecord={end}&perpage={perpage}", "POST", body)
            start = end + 1

    def list_links(self, response: TextResponse) -> Iterator[Link]:
        for record in RECORD_RE.findall(response.text):
            link = record_link(response.url, record)
            if link is not None:
                yield link

    def form(self, response: TextResponse) -> dict[str, str]:
        """The jpage form fields, from the page's scripts, with the URL and unit div as fallback.

        Only the datastore and the script right after it are read: the same names (``path``,
        ``col``) mean other things elsewhere on a page.
        """
        text = response.text
        store = DATASTORE_RE.search(text)
        begin = store.start() if store else 0
        end = max(text.find("</datastore>", begin), begin) + PARAMS_SPAN
        region = text[begin:end]
        fields = dict(FORM_DEFAULTS)
        column = COLUMN_ID_RE.search(response.url)
        if column:
            fields["columnid"] = column.group(1)
        unit = UNIT_ID_RE.search(text)
        if unit:
            fields["unitid"] = unit.group(1)
        for name, pattern in FIELD_RES.items():
            match = pattern.search(region)
            if match and match.group(1):
                # The nextgroup link carries the fields percent-encoded, the script in clear.
                fields[name] = unquote(html.unescape(match.group(1)))
        return {name: fields[name] for name in FORM_FIELDS if name in fields}


def record_link(base_url: str, record: str) -> Link | None:
    """The document a datastore record lists: its first link, the title, the row's date."""
    for attributes, inner in ANCHOR_RE.findall(record):
        attrs = {name.lower(): a or b or c for name, a, b, c in ATTR_RE.findall(attributes)}
        url = resolve(base_url, html.unescape(attrs.get("href", "")))
        if url is None:
            continue
        title = clean_text(html.unescape(attrs.get("title", ""))) or clean_text(html.unescape(TAG_RE.sub("", inner)))
        date = normalize_date(TAG_RE.sub(" ", ANCHOR_RE.sub(" ", record)))
        return Link(url, title, date, "attachment" if is_attachment_url(url) else "detail")
    return None


def _int(pattern: re.Pattern[str], text: str, default: int) -> int:
    match = pattern.search(text)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else default
