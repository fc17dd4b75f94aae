"""The Hanweb county site: discovery, datastore lists, dataproxy POST paging, articles, downloads."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

import pytest
from sampleweb_http import fetch, header, link_to, links

RECORD_HREF = re.compile(r'<record><!\[CDATA\[\s*<li><a href="([^"]+)"')


@pytest.fixture(scope="module")
def site(sample_web):
    return next(s for s in sample_web.sites if s["cms"] == "hanweb")


@pytest.fixture(scope="module")
def manifest(sample_web):
    return sample_web.manifest()


@pytest.fixture(scope="module")
def documents(manifest, site):
    return [d for d in manifest["documents"] if d["site"] == site["name"]]


@pytest.fixture(scope="module")
def listed(manifest, documents):
    """What a column lists: its items, and the 外链 to other hosts it carries."""
    def shown(column: str) -> set[str]:
        offsite = {url for linking, url in manifest["faults"]["offsite_links"] if linking == column}
        return {d["list_url"] for d in documents if d["column"] == column and d["listed"]} | offsite
    return shown


def test_columns_are_found_from_the_root_by_link_text(site):
    _, _, root = fetch(site["root"])
    landing = link_to(root, site["root"], "政府信息公开")
    assert landing == site["landing"]
    _, _, page = fetch(landing)
    reports = link_to(page, landing, "政府信息公开年报")
    _, _, parent = fetch(reports)
    sub_columns = [url for text, url in links(parent, reports) if text.endswith("年报") and url != reports]
    assert sub_columns == site["columns"]


def test_column_page_hides_first_group_in_datastore(site, listed):
    column = site["columns"][0]
    status, headers, body = fetch(column)
    html = body.decode("utf-8")
    assert status == 200
    assert '<script type="text/xml"><datastore>' in html
    hrefs = [urljoin(column, h) for h in RECORD_HREF.findall(html)]
    assert len(hrefs) == 45
    assert f"totalRecord: {len(listed(column))}," in html
    assert not [text for text, _ in links(re.sub(r"<script.*?</script>", "", html, flags=re.S), column)
                if text.endswith("年度报告")], "records must be invisible to a plain link extractor"


def test_dataproxy_post_returns_the_further_records(site, listed):
    column = site["columns"][0]
    html = fetch(column)[2].decode("utf-8")
    params = re.search(r"var param_\d+ = \{col:1,appid:1,webid:(\d+),path:'/',columnid:(\d+),"
                       r"sourceContentType:1,unitid:'(\d+)',webname:'([^']+)'", html).groups()
    form = urlencode({"col": 1, "appid": 1, "webid": params[0], "path": "/", "columnid": params[1],
                      "sourceContentType": 1, "unitid": params[2], "webname": params[3], "permissiontype": 0})
    dataproxy = urljoin(column, "/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15")
    status, headers, body = fetch(dataproxy, method="POST", body=form.encode(),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    xml = body.decode("utf-8")
    assert status == 200 and header(headers, "Content-Type").startswith("text/xml")
    total = len(listed(column))
    assert f"<totalrecord>{total}</totalrecord>" in xml
    further = [urljoin(column, h) for h in RECORD_HREF.findall(xml)]
    first = [urljoin(column, h) for h in RECORD_HREF.findall(html)]
    assert len(further) == total - 45 > 0
    assert set(first) | set(further) == listed(column)


def test_dataproxy_pages_by_get_as_the_nextgroup_link_asks(site, listed):
    column = site["columns"][0]
    html = fetch(column)[2].decode("utf-8")
    nextgroup = re.search(r"<nextgroup><!\[CDATA\[<a href=\"([^\"]+)\">", html).group(1)
    assert "columnid=" in nextgroup and "unitid=" in nextgroup
    seen, page, pages = [], 1, None
    while pages is None or page <= pages:
        body = fetch(urljoin(column, re.sub(r"page=\d+", f"page={page}", nextgroup)))[2].decode("utf-8")
        pages = int(re.search(r"<totalpage>(\d+)</totalpage>", body).group(1))
        seen += [urljoin(column, h) for h in RECORD_HREF.findall(body)]
        page += 1
    assert pages == -(-len(listed(column)) // 15) and set(seen) == listed(column)


def test_dataproxy_without_the_column_form_is_empty(site):
    dataproxy = urljoin(site["root"], "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15")
    status, _, body = fetch(dataproxy, method="POST", body=b"col=1&appid=1")
    assert status == 200 and b"<totalrecord>0</totalrecord>" in body and b"<record>" not in body


def test_article_has_hanweb_markers_and_chrome(documents):
    doc = next(d for d in documents if d["status"] == "live" and d["format"] == "html")
    status, _, body = fetch(doc["url"])
    html = body.decode("utf-8")
    assert status == 200
    assert re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$", doc["url"])
    assert re.search(r'<div id="zoom">\s*<!--ZJEG_RSS.content.begin-->.*<!--ZJEG_RSS.content.end-->\s*</div>', html, re.S)
    assert '<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>' in html
    assert "/module/visitcount/visit.jsp?" in html and "扫一扫在手机打开当前页" in html
    assert f'<meta name="ArticleTitle" content="{doc["title"]}"/>' in html


def test_downloads_redirect_to_the_stored_file(documents):
    doc = next(d for d in documents if d["format"] == "image")
    attachment = doc["attachments"][0]
    assert attachment["needs_ocr"] and "downfile.jsp" in attachment["url"]
    status, headers, _ = fetch(attachment["url"])
    location = header(headers, "Location")
    path, query = attachment["url"].split("?")
    shuffled = fetch(path + "?" + "&".join(reversed(query.split("&"))))
    assert header(shuffled[1], "Location") == location, "parameters are read by name"
    assert status == 302 and "/attach/" in location
    status, headers, body = fetch(location)
    assert status == 200 and body.startswith(b"%PDF") and header(headers, "Content-Type") == "application/pdf"


def test_visit_counter_answers(documents):
    doc = next(d for d in documents if d["status"] == "live")
    html = fetch(doc["url"])[2].decode("utf-8")
    counter = urljoin(doc["url"], re.search(r'<iframe src="([^"]+)"', html).group(1).replace("&amp;", "&"))
    status, _, body = fetch(counter)
    assert status == 200 and re.search(rb">\d+</body>", body)
