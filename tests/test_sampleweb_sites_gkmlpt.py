"""The gkmlpt department: a script-loaded column, the JSON API with its SID, DETAIL config."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from sampleweb_http import fetch, fetch_retrying, link_to, links


@pytest.fixture(scope="module")
def site(sample_web):
    return next(s for s in sample_web.sites if s["cms"] == "gkmlpt")


@pytest.fixture(scope="module")
def documents(sample_web, site):
    return [d for d in sample_web.manifest()["documents"] if d["site"] == site["name"]]


def config(html: str) -> dict:
    return json.loads(re.search(r"window._CONFIG = (\{.*?\});\n", html, re.S).group(1))


def test_column_is_found_from_the_root(site):
    _, _, root = fetch(site["root"])
    landing = link_to(root, site["root"], "政府信息公开")
    _, _, page = fetch(landing)
    assert link_to(page, landing, "政府信息公开年报") == site["columns"][0]


def test_column_shell_has_no_links_but_the_api_pages_them(site, documents):
    column = site["columns"][0]
    cat_id = urlsplit(column).fragment
    html = fetch(column)[2].decode("utf-8")
    assert not [u for _, u in links(html, column) if "/gkmlpt/content/" in u]
    cfg = config(html)
    assert cfg["CAT_ID"] == cat_id and cfg["SID"]
    seen, page = [], 1
    while True:
        status, _, body = fetch_retrying(urljoin(column, f"/gkmlpt/api/all/{cat_id}?page={page}&sid={cfg['SID']}"))
        data = json.loads(body)
        assert status == 200 and data["total"] == len([d for d in documents if d["listed"]])
        if not data["articles"]:
            break
        seen += [a["url"] for a in data["articles"]]
        page += 1
    assert page > 3 and len(seen) == len(set(seen)) >= 30
    assert set(seen) == {d["list_url"] for d in documents if d["listed"]}


def test_api_refuses_without_the_sid(site):
    cat_id = urlsplit(site["columns"][0]).fragment
    status, _, body = fetch(urljoin(site["root"], f"/gkmlpt/api/all/{cat_id}?page=1"))
    assert status == 403 and json.loads(body)["code"] == 403


def test_article_repeats_its_metadata_in_config(documents):
    doc = next(d for d in documents if d["status"] == "live" and d["format"] == "html")
    assert re.search(r"/gkmlpt/content/\d+/\d+/post_\d+\.html$", doc["url"])
    html = fetch(doc["url"])[2].decode("utf-8")
    detail = config(html)["DETAIL"]
    assert detail["title"] == doc["title"] and detail["url"] == doc["url"]
    assert detail["created_at"].startswith(doc["publish_date"])
    assert '<div class="article-content">' in html


def test_xlsx_download(documents):
    doc = next(d for d in documents if d["format"] == "xlsx")
    status, _, body = fetch(doc["attachments"][0]["url"])
    assert status == 200 and body.startswith(b"PK") and b"xl/workbook.xml" in body
