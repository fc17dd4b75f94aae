"""Every fault of the sample web, checked on the wire against the manifest's fault lists."""

from __future__ import annotations

import gzip
import threading
from urllib.parse import urljoin, urlsplit

import pytest
from sampleweb_http import dechunk, fetch, header, links, raw, split_head

from sampleweb.server import SampleWeb

BAIDU_REFERER = {"Referer": "https://www.baidu.com/s?wd=%E5%B9%B4%E6%8A%A5"}


@pytest.fixture(scope="module")
def web():
    """A web of our own: the flaky page must see its first request here."""
    with SampleWeb(night=0, port=0) as web:
        yield web


@pytest.fixture(scope="module")
def manifest(web):
    return web.manifest()


def document(manifest, url):
    return next(d for d in manifest["documents"] if d["url"] == url)


def disallowed_prefixes(url: str) -> list[str]:
    robots = fetch(urljoin(url, "/robots.txt"))[2].decode()
    return [line.split(":", 1)[1].strip() for line in robots.splitlines() if line.startswith("Disallow: /")]


def test_robots_disallows_pages_and_files_that_crawlers_reach(manifest):
    """A listed report (its year folder) and an attachment (its upload group) are behind robots.txt:
    linked like any other, served to whoever ignores robots.txt, flagged in the manifest."""
    disallowed = set(manifest["faults"]["robots_disallowed"])
    pages = [d for d in manifest["documents"] if d["robots"] == "disallowed"]
    files = [(d, a) for d in manifest["documents"] for a in d["attachments"] if a["robots"] == "disallowed"]
    assert pages and files and len({d["site"] for d in pages} | {d["site"] for d, _ in files}) >= 2
    for doc in pages:
        assert doc["url"] in disallowed and doc["listed"] and doc["status"] == "live"
        assert any(urlsplit(doc["url"]).path.startswith(p) for p in disallowed_prefixes(doc["url"]))
        assert fetch(doc["url"])[0] == 200, "a crawler ignoring robots.txt gets the page"
    for doc, attachment in files:
        assert attachment["url"] in disallowed and doc["robots"] == "allowed"
        assert any(urlsplit(attachment["url"]).path.startswith(p) for p in disallowed_prefixes(doc["url"]))
        assert attachment["url"] in {u for _, u in links(fetch(doc["url"])[2], doc["url"])}
        assert fetch(attachment["url"])[0] == 200
    allowed = [d for d in manifest["documents"] if d["robots"] == "allowed" and d["site"] in {p["site"] for p in pages}]
    assert allowed and not {d["url"] for d in allowed} & disallowed


def test_robots_disallows_the_print_copies_articles_link(manifest):
    linking = next(d for d in manifest["documents"] if d["site"] == "fuzhou-czj" and d["status"] == "live")
    prefixes = disallowed_prefixes(linking["url"])
    prints = [u for _, u in links(fetch(linking["url"])[2], linking["url"]) if "/dyb/" in u]
    assert prints and all(any(urlsplit(u).path.startswith(p) for p in prefixes) for u in prints)
    assert set(prints) <= set(manifest["faults"]["robots_disallowed"]) and fetch(prints[0])[0] == 200


def test_gzip_only_for_clients_that_accept_it(manifest):
    url = next(u for u in manifest["faults"]["gzip"] if "/gkmlpt/content/" in u)
    plain = fetch(url)
    packed = fetch(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert header(plain[1], "Content-Encoding") is None
    assert header(packed[1], "Content-Encoding") == "gzip" and header(packed[1], "Vary") == "Accept-Encoding"
    assert gzip.decompress(packed[2]) == plain[2]
    assert header(packed[1], "ETag") == "W/" + header(plain[1], "ETag")
    assert fetch(url, headers={"Accept-Encoding": "gzip", "If-None-Match": header(packed[1], "ETag")})[0] == 304


def test_chunked_is_framed_by_hand(manifest):
    url = next(u for u in manifest["faults"]["chunked"] if "/col/" in u)
    lines, body = split_head(raw(url))
    names = [line.split(b":", 1)[0].lower() for line in lines[1:]]
    assert b"transfer-encoding: chunked" in [line.lower() for line in lines]
    assert b"content-length" not in names
    assert dechunk(body) == fetch(url)[2]
    lines, body = split_head(raw(url, version="HTTP/1.0"))
    assert b"transfer-encoding" not in [line.split(b":")[0].lower() for line in lines[1:]]
    assert int(next(line.split(b":")[1] for line in lines if line.lower().startswith(b"content-length"))) == len(body)


def test_gzip_and_chunked_together(manifest):
    url = next(u for u in manifest["faults"]["chunked"] if u in manifest["faults"]["gzip"])
    lines, body = split_head(raw(url, "Accept-Encoding: gzip\r\n"))
    assert b"Content-Encoding: gzip" in lines and b"Transfer-Encoding: chunked" in lines
    assert gzip.decompress(dechunk(body)) == fetch(url)[2]


def test_slow_page_does_not_hold_up_other_connections(manifest):
    slow = manifest["faults"]["slow"][0]
    other = next(d["url"] for d in manifest["documents"] if d["site"] == "fuzhou-czj" and d["url"] != slow
                 and d["status"] == "live")
    result = {}
    worker = threading.Thread(target=lambda: result.update(slow=fetch(slow)[0]))
    worker.start()
    assert fetch(other)[0] == 200
    assert worker.is_alive(), "the fast page came back while the slow one was still pending"
    worker.join()
    assert result["slow"] == 200


def test_flaky_page_fails_every_odd_request_of_a_night(web, manifest):
    """Each crawl in turn sees 500 then 200 on its retry, however many crawled before it."""
    url = manifest["faults"]["flaky_500"][0]
    assert document(manifest, url)["status"] == "live"
    assert [fetch(url)[0] for _ in range(4)] == [500, 200, 500, 200]
    web.set_night(1)
    try:
        assert [fetch(url)[0] for _ in range(2)] == [500, 200]
    finally:
        web.set_night(0)


def test_retry_after_on_odd_requests_of_a_list_page(manifest):
    urls = manifest["faults"]["retry_after"]
    statuses = set()
    for url in urls:
        first, second = fetch(url), fetch(url)
        statuses.add(first[0])
        assert header(first[1], "Retry-After") == "2"
        assert second[0] == 200 and header(second[1], "Retry-After") is None and second[2]
        assert fetch(url)[0] == first[0]
    assert statuses == {429, 503}


def test_several_set_cookie_headers(manifest):
    url = manifest["faults"]["set_cookie_multi"][0]
    lines, _ = split_head(raw(url))
    cookies = [line for line in lines if line.lower().startswith(b"set-cookie:")]
    assert len(cookies) >= 3 and len({c.split(b"=")[0] for c in cookies}) == len(cookies)


def test_content_disposition_filename_in_raw_gbk(manifest):
    url = manifest["faults"]["gbk_content_disposition"][0]
    lines, body = split_head(raw(url))
    disposition = next(line for line in lines if line.startswith(b"Content-Disposition:"))
    filename = disposition.split(b'filename="', 1)[1].rstrip(b'"')
    with pytest.raises(UnicodeDecodeError):
        filename.decode("utf-8")
    owner = next(d for d in manifest["documents"] for a in d["attachments"] if a["url"] == url)
    assert filename.decode("gbk") == next(a["filename"] for a in owner["attachments"] if a["url"] == url)


def test_cloaked_page_shows_spam_to_baidu_only(manifest):
    url = manifest["faults"]["cloaked"][0]
    doc = document(manifest, url)
    normal = fetch(url)[2].decode("utf-8")
    for headers in (BAIDU_REFERER, {"User-Agent": "Mozilla/5.0 (compatible; Baiduspider/2.0)"}):
        cloaked = fetch(url, headers=headers)[2].decode("utf-8")
        assert "百家乐" in cloaked and doc["title"] not in cloaked.split("<body>")[1]
    assert doc["title"] in normal and "百家乐" not in normal


def test_redirect_chain(manifest):
    chain = manifest["faults"]["redirect_chain"][0]
    assert len(chain) >= 3
    for here, there in zip(chain, chain[1:]):
        status, headers, _ = fetch(here)
        assert status == 301 and header(headers, "Location") == there
    assert fetch(chain[-1])[0] == 200
    doc = document(manifest, chain[-1])
    assert doc["list_url"] == chain[0]


def test_stub_attachment_is_two_bytes(manifest):
    url = manifest["faults"]["stub_attachment"][0]
    doc = next(d for d in manifest["documents"] for a in d["attachments"] if a["url"] == url)
    assert [a["stub"] for a in doc["attachments"] if a["url"] == url] == [True]
    status, _, body = fetch(url)
    assert status == 200 and len(body) == 2


def test_deleted_report_is_still_listed_but_gone(manifest):
    url = manifest["faults"]["deleted"][0]
    doc = document(manifest, url)
    assert doc["status"] == "deleted" and doc["listed"] and doc["etag"] is None
    assert fetch(url)[0] == 404
    column = fetch(doc["column"])[2].decode("utf-8")
    assert urlsplit(url).path in column


def test_meta_refresh_to_the_column(manifest):
    url = manifest["faults"]["meta_refresh"][0]
    doc = document(manifest, url)
    status, _, body = fetch(url)
    assert status == 200 and doc["status"] == "refresh"
    target = body.decode().split('content="0;url=', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert urljoin(url, target) == doc["column"]


def test_hacked_report_hides_a_link_farm(manifest):
    doc = next(d for d in manifest["documents"] if d["defaced"] and d["site"] == "liangzhou")
    html = fetch(doc["url"])[2].decode("utf-8")
    zoom = html.split("<!--ZJEG_RSS.content.begin-->", 1)[1]
    assert all(word in zoom for word in doc["spam"]) and len(doc["spam"]) >= 5
    assert any(style in zoom.split(doc["spam"][0])[0][-400:] for style in
               ("display:none", "left:-9999px", "font-size:0", "visibility:hidden", "text-indent:-9999em"))


def test_seed_keyword_injection_is_served(manifest):
    doc = next(d for d in manifest["documents"] if "比分直播,篮球比分直播" in d["spam"])
    html = fetch(doc["url"])[2].decode("utf-8")
    assert doc["defaced"] and "比分直播,篮球比分直播" in html


def test_manifest_fault_lists_are_not_empty(manifest):
    assert all(manifest["faults"][name] for name in manifest["faults"])


def test_offsite_links_lead_to_report_pages_on_unregistered_hosts(manifest):
    """外链 in lists and articles: a 转载 copy on the mirror and a report on a portal no registry names."""
    sites = {s["name"]: s for s in manifest["sites"]}
    hosts = {urlsplit(s["root"]).netloc: s for s in manifest["sites"]}
    pairs = manifest["faults"]["offsite_links"]
    linking = {hosts[urlsplit(column).netloc]["name"] for column, _ in pairs}
    assert len(linking) >= 2 and all(sites[name]["in_scope"] for name in linking)
    for name in linking:
        targets = {url for column, url in pairs if hosts[urlsplit(column).netloc]["name"] == name}
        kinds = {hosts[urlsplit(url).netloc]["cms"] for url in targets}
        assert kinds == {"mirror", "portal"} and not any(hosts[urlsplit(u).netloc]["in_scope"] for u in targets)
        article = next(d for d in manifest["documents"] if d["site"] == name and d["status"] == "live")
        assert targets <= {u for _, u in links(fetch(article["url"])[2], article["url"])}, "相关链接 on articles"
    for _, url in pairs:
        target = document(manifest, url)
        assert target["doc_type"] == "annual_report" and target["report_year"]
        status, _, body = fetch(url)
        assert status == 200 and target["title"] in body.decode("utf-8")
