"""The TRS department site: static index_N pages with createPageHTML, TRS_Editor articles, 全真版."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from sampleweb_http import fetch, link_to, links

PAGER = re.compile(r'createPageHTML\((\d+), (\d+), "index", "html"\)')
# The other template's call: div id, page count, current page (1-based), name, extension, records.
DIV_PAGER = re.compile(r"createPageHTML\('page_div',(\d+),(\d+),'fg','shtml',(\d+)\)")


@pytest.fixture(scope="module")
def site(sample_web):
    return next(s for s in sample_web.sites if s["cms"] == "trs")


@pytest.fixture(scope="module")
def documents(sample_web, site):
    return [d for d in sample_web.manifest()["documents"] if d["site"] == site["name"]]


def item_links(html: bytes, base: str) -> list[str]:
    items = re.search(rb'<div class="rules_tabs_01 rules_tabs_no_bg">(.*?)</div>\s*<script', html, re.S).group(1)
    return [url for _, url in links(items, base)]


def test_column_is_found_from_the_root(site):
    _, _, root = fetch(site["root"])
    landing = link_to(root, site["root"], "政府信息公开")
    _, _, page = fetch(landing)
    assert link_to(page, landing, "政府信息公开年报") == site["columns"][0]


def test_static_pages_cover_the_column(site, documents):
    column = site["columns"][0]
    first = fetch(column)[2]
    count, current = map(int, PAGER.search(first.decode()).groups())
    assert current == 0 and count >= 3
    assert fetch(urljoin(column, "index.html"))[2] == first
    seen = item_links(first, column)
    for page in range(1, count):
        status, _, body = fetch(urljoin(column, f"index_{page}.html"))
        assert status == 200 and PAGER.search(body.decode()).groups() == (str(count), str(page))
        seen += item_links(body, column)
    assert status == 200
    assert fetch(urljoin(column, f"index_{count}.html"))[0] == 404
    assert len(seen) == len(set(seen)) >= 30
    assert set(seen) == {d["list_url"] for d in documents if d["listed"] and d["column"] == column}


def test_sub_column_pages_with_the_six_argument_pager(site, documents):
    """直属单位 reports: a sub-column one directory down, linked as a tab, paged fg.shtml, fg_1.shtml…"""
    main, sub = site["columns"]
    assert sub.startswith(main) and sub.endswith("/fg.shtml")
    assert link_to(fetch(main)[2], main, "直属单位年报") == sub
    first = fetch(sub)[2].decode()
    count, current, records = map(int, DIV_PAGER.search(first).groups())
    assert current == 1 and count >= 3 and '<div id="page_div"></div>' in first
    seen = item_links(first.encode(), sub)
    for page in range(1, count):
        status, _, body = fetch(urljoin(sub, f"fg_{page}.shtml"))
        assert status == 200 and DIV_PAGER.search(body.decode()).groups() == (str(count), str(page + 1), str(records))
        seen += item_links(body, sub)
    assert fetch(urljoin(sub, f"fg_{count}.shtml"))[0] == 404
    listed = {d["list_url"] for d in documents if d["listed"] and d["column"] == sub}
    assert len(seen) == len(set(seen)) == records >= 30 and set(seen) == listed
    assert all(re.search(r"/zsdw/\d{6}/t\d{8}_\d+\.shtml$", url) for url in seen)
    assert len({d["agency"] for d in documents if d["column"] == sub}) == 5


def test_article_markup(documents):
    doc = next(d for d in documents if d["status"] == "live" and d["format"] == "html" and not d["attachments"])
    assert re.search(r"/\d{6}/t\d{8}_\d+\.htm$", doc["url"])
    html = fetch(doc["url"])[2].decode("utf-8")
    for marker in ('<div class=TRS_Editor>', '<meta name="DocId"', '<div class="breadcrumb">', "扫一扫在手机上查看当前页面",
                   "全真版", "分享到微信", "网站标识码", "版权所有"):
        assert marker in html
    assert f'<meta name="PubDate" content="{doc["publish_date"]}' in html


def test_quanzhenban_links_the_original_pdf(documents):
    doc = next(d for d in documents if d["format"] == "html" and any(a["copy"] for a in d["attachments"]))
    pdf = doc["attachments"][0]
    assert re.search(r"/P0\d+\.pdf$", pdf["url"]) and "原件" in pdf["filename"]
    html = fetch(doc["url"])[2].decode("utf-8")
    assert f"/generic2/web/viewer.html?file={pdf['url']}" in html
    assert pdf["url"].rsplit("/", 1)[1] in html
    status, _, body = fetch(pdf["url"])
    assert status == 200 and body.startswith(b"%PDF")


def test_pdf_only_reports(documents):
    doc = next(d for d in documents if d["format"] == "pdf")
    html = fetch(doc["url"])[2].decode("utf-8")
    assert "详见附件" in html and doc["attachments"][0]["filename"] in html
    assert fetch(doc["attachments"][0]["url"])[2].startswith(b"%PDF")


def test_every_menu_and_breadcrumb_link_answers(site, documents):
    """政务公开 in the menu and the breadcrumb is a page of its own, leading to 政府信息公开."""
    doc = next(d for d in documents if d["status"] == "live")
    for page in (site["root"], site["columns"][0], doc["url"]):
        for text, url in links(fetch(page)[2], page):
            if url.startswith(site["root"]) and not url.startswith(site["root"] + "images/"):
                assert fetch(url)[0] in (200, 301), (page, text, url)
    section = link_to(fetch(site["root"])[2], site["root"], "政务公开")
    assert link_to(fetch(section)[2], section, "政府信息公开") == site["landing"]
