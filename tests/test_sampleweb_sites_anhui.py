"""The Anhui-platform bureau: column page with pageCount, label/8888 fragments, table_suoyin articles."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from sampleweb_http import fetch, link_to, links


@pytest.fixture(scope="module")
def site(sample_web):
    return next(s for s in sample_web.sites if s["cms"] == "anhui")


@pytest.fixture(scope="module")
def documents(sample_web, site):
    return [d for d in sample_web.manifest()["documents"] if d["site"] == site["name"]]


def fragment_url(column_html: str, column: str, page: int) -> str:
    """The fragment URL the column's pager script builds."""
    cfg = dict(re.findall(r"(organId|catId|siteId):'(\d+)'", column_html))
    size = re.search(r"pageSize:(\d+)", column_html).group(1)
    return urljoin(column, f"/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId={cfg['siteId']}"
                           f"&organId={cfg['organId']}&catId={cfg['catId']}&pageSize={size}&pageIndex={page}&action=list")


def test_column_is_found_from_the_root(site):
    _, _, root = fetch(site["root"])
    landing = link_to(root, site["root"], "政府信息公开")
    _, _, page = fetch(landing)
    assert link_to(page, landing, "政府信息公开年报") == site["columns"][0]


def test_fragments_page_through_the_column(sample_web, site, documents):
    column = site["columns"][0]
    html = fetch(column)[2].decode("utf-8")
    pages = int(re.search(r"pageCount:(\d+)", html).group(1))
    assert pages >= 3
    first_on_column = [u for t, u in links(re.search(r'<div id="xxgk_lmcon">(.*?)</div>\s*<div id="page_public_info">',
                                                    html, re.S).group(1), column)]
    seen = []
    for page in range(1, pages + 1):
        status, _, body = fetch(fragment_url(html, column, page))
        assert status == 200 and b"<html" not in body and b'class="xxgk_navli"' in body
        seen += [u for _, u in links(b"<div>" + body + b"</div>", column)]
    assert seen[:len(first_on_column)] == first_on_column
    assert len(seen) == len(set(seen)) >= 30
    offsite = {url for linking, url in sample_web.manifest()["faults"]["offsite_links"] if linking == column}
    assert offsite and set(seen) == {d["list_url"] for d in documents if d["listed"]} | offsite


def test_fragment_parameters_in_any_order(site):
    column = site["columns"][0]
    html = fetch(column)[2].decode("utf-8")
    canonical = fetch(fragment_url(html, column, 2))[2]
    catid = re.search(r"catId:'(\d+)'", html).group(1)
    shuffled = urljoin(column, f"/site/label/8888?pageIndex=2&_=0.5169706870968473&catId={catid}&IsAjax=1")
    assert fetch(shuffled)[2] == canonical
    posted = fetch(urljoin(column, "/site/label/8888"), method="POST",
                   body=f"labelName=publicInfoList&pageIndex=2&catIds={catid},&pageSize=10".encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert posted[2] == canonical
    everything = fetch(urljoin(column, f"/site/label/8888?catId={catid}&pageIndex=1&pageSize=100"))[2]
    assert everything.count(b'class="xxgk_navli"') >= 30


def test_article_metadata_table_and_body(documents):
    doc = next(d for d in documents if d["status"] == "live" and d["format"] == "html" and d["doc_type"] == "annual_report"
               and not d["spam"])
    assert re.search(r"/public/\d+/\d+\.html$", doc["url"])
    html = fetch(doc["url"])[2].decode("utf-8")
    table = re.search(r'<table class="table_suoyin".*?</table>', html, re.S).group(0)
    for label in ("索引号", "组配分类", "发布机构", "主题分类", "名称", "文号", "生成日期", "发布日期", "有效性"):
        assert label in table
    assert doc["title"] in table and '<td class="pmingcheng">' in table
    assert '<div class="wzcon j-fontContent">' in html and '<div class="wzy_position">' in html
    assert "如果您对该政策文件有疑问" in html


def test_docx_download(documents):
    doc = next(d for d in documents if d["format"] == "docx")
    url = doc["attachments"][0]["url"]
    assert "/group6/M00/" in url
    status, _, body = fetch(url)
    assert status == 200 and body.startswith(b"PK") and b"word/document.xml" in body
