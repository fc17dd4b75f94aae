"""CMS adapters, fingerprints and column discovery: pure parsing of real and sample-web pages."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import parse_qs

import pytest
from scrapy.http import Headers, HtmlResponse, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.adapters.base import ListPage, attachment_links, normalize_date, quoted_file_links, unwrap_viewer
from crawler.adapters.discovery import column_links, landing_links
from crawler.adapters.fingerprint import adapter_for, detect_cms
from crawler.adapters.trs import SCRIPT_FILE_ANCHOR, SCRIPT_FILE_RE, TrsAdapter

PINGTAN_COLUMN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/index.htm"


def html_response(url: str, body: bytes | str, encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode(encoding) if isinstance(body, str) else body, encoding=encoding)


@pytest.fixture
def pingtan_list(corpus_dir) -> HtmlResponse:
    return html_response(PINGTAN_COLUMN, (corpus_dir / "list-index.html").read_bytes())


# -- the real TRS column page (平潭, "动静结合": page 1 static, the rest from list2.trsapi) ------


def test_real_trs_list_page_is_fingerprinted_and_read(pingtan_list):
    adapter = adapter_for(detect_cms(pingtan_list.text))
    assert adapter.name == "trs"
    assert adapter.is_list_page(pingtan_list)
    links = list(adapter.list_links(pingtan_list))
    assert len(links) == 10
    assert links[0].url == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm"
    assert links[0].title == "平潭综合实验区2025年度政府信息公开工作年度报告"
    assert links[0].date == "2026-03-10"
    assert links[-1].date == "2017-01-18"
    assert {link.kind for link in links} == {"detail"}


def test_real_trs_list_page_asks_the_search_api_for_the_pages_beyond_the_static_one(pingtan_list):
    pages = list(TrsAdapter().list_pages(pingtan_list))
    # recordCount 20 at 10 per page, maxStaticIndex 1: one page from the API.
    assert len(pages) == 1
    page = pages[0]
    assert (page.url, page.method) == ("https://www.pingtan.gov.cn/fjdzapp/search", "POST")
    form = {key: values[0] for key, values in parse_qs(page.body).items()}
    assert form == {
        "channelid": "200210",  # SiteInfo.searchId, resolved from the site script
        "classsql": "chnlid=1813",
        "sortfield": "-docorderpri,-docreltime",
        "page": "2",
        "prepage": "10",
    }


def test_trs_search_api_answer_lists_documents():
    answer = {
        "pageCount": 2,
        "data": [
            {
                "doctitle": "平潭综合实验区2015年度政府信息公开工作年度报告",
                "chnldocurl": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201603/t20160321_80450.htm",
                "docreltime": "2016-03-21 10:00:00",
            },
            {"doctitle": "附件", "docpuburl": "/zwgk/zfxxgk/zfxxgknb/201503/P020150301.pdf", "docreltime": 1425168000000},
        ],
    }
    response = TextResponse(
        url="https://www.pingtan.gov.cn/fjdzapp/search",
        body=json.dumps(answer, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json;charset=UTF-8"},
        encoding="utf-8",
    )
    adapter = TrsAdapter()
    assert adapter.is_list_page(response)
    assert list(adapter.list_pages(response)) == []
    links = list(adapter.list_links(response))
    assert [(link.date, link.kind) for link in links] == [("2016-03-21", "detail"), ("2015-03-01", "attachment")]
    assert links[1].url == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201503/P020150301.pdf"


def test_real_trs_detail_pages_are_not_list_pages_and_unrendered_viewers_are_not_followed(corpus_dir):
    for path in sorted(corpus_dir.glob("20*.html")):
        response = html_response(f"https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t_{path.stem}.htm", path.read_bytes())
        assert detect_cms(response.text) == "trs", path.name
        adapter = TrsAdapter()
        assert not adapter.is_list_page(response), path.name
        # The 全真版 iframe is a template (viewer.html?file={{qzbFile}}) with no file behind it.
        assert adapter.detail_attachments(response) == [], path.name


# String literals a TRS detail page's scripts may hold, the awkward ones included.
SCRIPT_LITERALS = """<script>var apps = [{name: "年报.pdf", url: "./P020230320391548722841.pdf"},
{url: '../202303/W020230320391548722842.xlsx'}, {url: "/zwgk/p020230320391548722843.PDF"},
{url: "a b/P020230320391548722844.pdf"}, {url: "x"/P020230320391548722845.doc"},
{url: "/P020230320391548722846.pdf"/P020230320391548722847.pdf"},
{url: "/P0202303201/P020230320391548722848.ofd"}, {url: "/P020230320391548722849.zip"},
{url: "/P012345.pdf"}, /P020230320391548722850.pdf];</script>"""
# Not the literal with a space, the second of two sharing a quote, a .zip, a short number, a bare name.
SCRIPT_LINKS = ["https://www.pingtan.gov.cn" + path for path in (
    "/zwgk/zfxxgk/zfxxgknb/202403/P020230320391548722841.pdf", "/zwgk/zfxxgk/zfxxgknb/202303/W020230320391548722842.xlsx",
    "/zwgk/p020230320391548722843.PDF", "/P020230320391548722845.doc", "/P020230320391548722846.pdf",
    "/P0202303201/P020230320391548722848.ofd")]


def test_trs_script_files_are_found_from_their_anchor_as_from_every_quote(corpus_dir):
    """The anchored search finds exactly what the pattern finds tried from every quote."""
    for path in sorted(corpus_dir.glob("*.html")):
        page = path.read_text(encoding="utf-8")
        url = f"https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t_{path.stem}.htm"
        for text in (page, page.replace("</head>", SCRIPT_LITERALS + "</head>", 1) + SCRIPT_LITERALS):
            everywhere = list(quoted_file_links(text, url, SCRIPT_FILE_RE))
            assert list(quoted_file_links(text, url, SCRIPT_FILE_RE, SCRIPT_FILE_ANCHOR)) == everywhere, path.name
        assert [link.url for link in everywhere] == SCRIPT_LINKS * 2, path.name


def test_real_page_leads_to_its_column_and_landing_page(pingtan_list):
    columns = column_links(pingtan_list)
    assert [(link.url, link.title) for link in columns] == [
        ("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/nlist.htm", "政府信息公开年报")
    ]
    landings = {link.url for link in landing_links(pingtan_list)}
    assert "https://www.pingtan.gov.cn/zwgk/zfxxgk/" in landings


# -- shared vocabulary ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-09-29", "2020-09-29"),
        ("[2020-9-3]", "2020-09-03"),
        ("发布日期：2017年3月20日", "2017-03-20"),
        ("2019.01.10 浏览次数", "2019-01-10"),
        ("无日期", None),
    ],
)
def test_normalize_date(text, expected):
    assert normalize_date(text) == expected


def test_trs_pager_yields_every_static_page_from_the_first_page_only():
    page = '<html><body><ul><li><a href="./202001/t20200120_1.html">x</a></li></ul><script>createPageHTML(4, 0, "index", "html");</script></body></html>'
    adapter = TrsAdapter()
    first = html_response("http://127.0.0.1/zfxxgknb/index.html", page)
    assert [p.url for p in adapter.list_pages(first)] == [
        f"http://127.0.0.1/zfxxgknb/index_{k}.html" for k in (1, 2, 3)
    ]
    later = html_response("http://127.0.0.1/zfxxgknb/index_2.html", page.replace("4, 0,", "4, 2,"))
    assert list(adapter.list_pages(later)) == []
    variant = html_response(
        "http://127.0.0.1/nb/fg.shtml", "<script>createPageHTML('page_div',3,1,'fg','shtml',89);</script>"
    )
    assert [p.url for p in adapter.list_pages(variant)] == ["http://127.0.0.1/nb/fg_1.shtml", "http://127.0.0.1/nb/fg_2.shtml"]


def test_attachment_links_unwrap_viewers_and_skip_chrome():
    page = """<html><body>
      <a href="/">首页</a><a href="javascript:;">打印</a>
      <iframe src="/generic2/web/viewer.html?file=%2Fnb%2F202103%2FP020210305.pdf"></iframe>
      <a href="./P020210305_2.docx">附件2</a>
      <a href="/module/download/downfile.jsp?classid=0&amp;filename=ab12.pdf">下载</a>
      <a href="/attach/report.xls?v=1">统计表</a>
    </body></html>"""
    response = html_response("http://127.0.0.1/nb/202103/t20210305_7.html", page)
    assert [link.url for link in attachment_links(response)] == [
        "http://127.0.0.1/nb/202103/P020210305.pdf",
        "http://127.0.0.1/nb/202103/P020210305_2.docx",
        "http://127.0.0.1/module/download/downfile.jsp?classid=0&filename=ab12.pdf",
        "http://127.0.0.1/attach/report.xls?v=1",
    ]
    assert unwrap_viewer("http://h/generic/web/viewer.html?file={{qzbFile}}") is None


# -- the sample web's platforms, fetched live and parsed by the adapters alone ------------------


def fetch(url: str, method: str = "GET", body: str | None = None) -> TextResponse:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    request = urllib.request.Request(url.split("#", 1)[0], data=body.encode() if body else None,
                                     headers=headers, method=method)
    try:
        answer = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:  # a 404 landing link is a page too
        if error.code in (429, 503) and error.headers.get("Retry-After"):  # sample-web list pages: ask again
            error.close()
            return fetch(url, method, body)
        answer = error
    with answer:
        content = answer.read()
        response_headers = dict(answer.headers.items())
    cls = responsetypes.from_args(headers=Headers(response_headers), url=url, body=content)
    return cls(url=url, status=answer.status, body=content, headers=response_headers)


def walk_lists(adapter, column_url: str) -> tuple[list, list]:
    """Every list page the adapter asks for from the column page, and the links on all of them."""
    pages, links, queue, seen = [], [], [ListPage(column_url)], set()
    while queue:
        page = queue.pop(0)
        if (page.url, page.body) in seen:
            continue
        seen.add((page.url, page.body))
        response = fetch(page.url, page.method, page.body)
        pages.append(page)
        links.extend(adapter.list_links(response))
        queue.extend(adapter.list_pages(response))
    return pages, links


@pytest.fixture(scope="module")
def sample_manifest(sample_web) -> dict:
    return sample_web.manifest()


def site_named(manifest: dict, name: str) -> dict:
    return next(site for site in manifest["sites"] if site["name"] == name)


@pytest.mark.parametrize(
    ("name", "cms"),
    [("liangzhou", "hanweb"), ("fuzhou-czj", "trs"), ("luan-sjj", "anhui"), ("huizhou-sthjj", "gkmlpt"),
     ("tongling-jiaoqu", None)],
)
def test_sample_sites_are_fingerprinted(sample_manifest, name, cms):
    site = site_named(sample_manifest, name)
    detail = next(doc for doc in sample_manifest["documents"] if doc["site"] == name and doc["status"] == "live")
    for url in (site["columns"][0], detail["url"]):
        assert detect_cms(fetch(url).text) == cms, url


@pytest.mark.parametrize("name", ["liangzhou", "fuzhou-czj", "luan-sjj", "huizhou-sthjj", "tongling-jiaoqu"])
def test_sample_columns_list_every_item_through_the_platforms_own_paging(sample_manifest, name):
    site = site_named(sample_manifest, name)
    adapter = adapter_for(site["cms"])
    expected = {}
    for doc in sample_manifest["documents"]:
        if doc["site"] == name and doc["listed"]:
            expected.setdefault(doc["column"], set()).add(doc["list_url"])
    for column, url in sample_manifest["faults"]["offsite_links"]:  # 外链 to other hosts: the scope middleware's job
        if column in expected:
            expected[column].add(url)
    walked = 0
    for column in site["columns"]:
        assert adapter.is_list_page(fetch(column)), column
        pages, links = walk_lists(adapter, column)
        walked += len(pages)
        assert {link.url for link in links} == expected[column]
        assert all(link.title and link.date for link in links), column
    assert walked > len(site["columns"]), "no column needed a second list page"


def test_hanweb_further_groups_are_posts_with_the_pages_form(sample_manifest):
    column = site_named(sample_manifest, "liangzhou")["columns"][0]
    pages = list(adapter_for("hanweb").list_pages(fetch(column)))
    assert pages and all(page.method == "POST" for page in pages)
    assert pages[0].url.endswith("/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15")
    form = {key: values[0] for key, values in parse_qs(pages[0].body).items()}
    assert form == {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": "1021",
                    "sourceContentType": "1", "unitid": "4811", "webname": "凉州区人民政府", "permissiontype": "0"}


def test_sample_detail_pages_name_their_attachments(sample_manifest):
    for doc in sample_manifest["documents"]:
        site = site_named(sample_manifest, doc["site"])
        if not (site["in_scope"] and doc["attachments"] and doc["status"] == "live"):
            continue
        found = adapter_for(site["cms"]).detail_attachments(fetch(doc["url"]))
        assert {link.url for link in found} == {a["url"] for a in doc["attachments"]}, doc["key"]


def test_sample_roots_lead_to_their_columns(sample_manifest):
    """Root → landing page(s) → 年报 column → its parts, by the discovery rules alone."""
    for site in sample_manifest["sites"]:
        if not site["in_scope"]:
            continue
        found, frontier = set(), [site["root"]]
        for _ in range(3):
            pages = [fetch(url) for url in frontier]
            columns = {link.url for page in pages for link in column_links(page)}
            found |= columns
            frontier = [] if columns else [link.url for page in pages for link in landing_links(page)]
        found |= {link.url for url in list(found) for link in column_links(fetch(url), sub=True) if link.kind == "column"}
        assert set(site["columns"]) <= found, site["name"]
