"""The legacy GBK county site: charset only in meta, layout tables, Chinese dates, year folders."""

from __future__ import annotations

import re

import pytest
from sampleweb_http import fetch, fetch_retrying, header, link_to, links


@pytest.fixture(scope="module")
def site(sample_web):
    return next(s for s in sample_web.sites if s["cms"] == "legacy")


@pytest.fixture(scope="module")
def documents(sample_web, site):
    return [d for d in sample_web.manifest()["documents"] if d["site"] == site["name"]]


def test_pages_are_gbk_declared_only_in_meta(site):
    status, headers, body = fetch(site["columns"][0])
    assert status == 200 and header(headers, "Content-Type") == "text/html"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = body.decode("gbk")
    assert "政府信息公开年度报告" in html and "<font" in html and "<table" in html
    assert 'name="SiteName"' not in html


def test_column_is_found_from_the_root(site):
    root = fetch(site["root"])[2].decode("gbk")
    landing = link_to(root, site["root"], "政府信息公开")
    page = fetch(landing)[2].decode("gbk")
    assert link_to(page, landing, "政府信息公开年度报告") == site["columns"][0]


def item_links(html: str, base: str) -> list[str]:
    return [u for _, u in links(html, base) if "ShowArticle.asp" in u]


def test_list_pages_and_year_folders_cover_the_column(site, documents):
    column = site["columns"][0]
    html = fetch(column)[2].decode("gbk")
    seen, page_url = item_links(html, column), column
    while "下一页" in html:
        page_url = link_to(html, page_url, "下一页")
        html = fetch_retrying(page_url)[2].decode("gbk")
        seen += item_links(html, page_url)
    listed = {d["list_url"] for d in documents if d["listed"]}
    assert "&page=3" in page_url and len(seen) == len(set(seen)) >= 30 and set(seen) == listed
    folders = [u for t, u in links(fetch(column)[2].decode("gbk"), column) if re.fullmatch(r"\d{4}年度", t)]
    assert len(folders) >= 10
    in_folders = {u for folder in folders for u in item_links(fetch(folder)[2].decode("gbk"), folder)}
    assert in_folders == listed


def test_dates_in_both_old_styles(site, documents):
    column = site["columns"][0]
    pages = [fetch(column)[2].decode("gbk")]
    html = pages[0]
    while "下一页" in html:
        html = fetch_retrying(link_to(html, column, "下一页"))[2].decode("gbk")
        pages.append(html)
    text = "".join(pages)
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", text)
    assert re.search(r"二〇[一〇][〇一二三四五六七八九]年[一二三四五六七八九十]+月[一二三四五六七八九十]+日", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", "", text))


def test_article_page(documents):
    doc = next(d for d in documents if d["status"] == "live" and d["format"] == "html" and not d["attachments"])
    html = fetch(doc["url"])[2].decode("gbk")
    assert doc["title"] in html and "更新时间：" in html and "打印此文" in html
    assert '<font face="宋体"' in html


def test_xls_download_with_gbk_filename(documents):
    doc = next(d for d in documents if d["format"] == "xls")
    status, headers, body = fetch(doc["attachments"][0]["url"])
    assert status == 200 and body.startswith(b"\xd0\xcf\x11\xe0")
    disposition = header(headers, "Content-Disposition").encode("latin-1")
    assert disposition == b'attachment; filename="' + doc["attachments"][0]["filename"].encode("gbk") + b'"'
