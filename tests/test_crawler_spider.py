"""The reports spider crawling the sample web (night 0) in a real Scrapy process.

Compared with the manifest (the truth): every document and attachment reached through every
site's own list mechanism, provenance right, nothing fetched outside the registry's hosts,
the mirror and robots-disallowed paths never touched.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from crawlrun import run_spider

ROLES = {"root", "landing", "column", "list", "detail", "attachment"}
QUIET = {"ITEM_PIPELINES": {}, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"}


def write_registry(path, entries) -> str:
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def sample_web():
    """A sample web of this module's own: crawling it uses up one-shot faults (the 500 that
    succeeds on retry), which other modules' crawls of the shared session web must still see."""
    from sampleweb.server import SampleWeb

    with SampleWeb(night=0, port=0) as web:
        yield web


@pytest.fixture(scope="module")
def manifest(sample_web) -> dict:
    return sample_web.manifest()


@pytest.fixture(scope="module")
def crawl(sample_web, tmp_path_factory) -> dict:
    """One crawl of the whole sample web from its registry (known columns), capture off."""
    data = tmp_path_factory.mktemp("crawl")
    registry = write_registry(data / "registry.yaml", sample_web.registry())
    return run_spider(registry, data, {**QUIET, "NIANBAO_CAPTURE_ENABLED": False})


def in_scope_documents(manifest: dict) -> list[dict]:
    scoped = {site["name"] for site in manifest["sites"] if site["in_scope"]}
    return [doc for doc in manifest["documents"] if doc["site"] in scoped]


def test_every_listed_document_is_fetched_and_yielded_with_its_list_provenance(crawl, manifest):
    items = {item["url"]: item for item in crawl["items"]}
    documents = [doc for doc in in_scope_documents(manifest) if doc["listed"] and doc["robots"] == "allowed"]
    assert len(documents) > 150
    for doc in documents:
        item = items.get(doc["url"])
        assert item is not None, f"{doc['key']} not reached: {doc['url']}"
        assert item["role"] == "detail"
        assert item["status"] == (404 if doc["status"] == "deleted" else 200), doc["key"]
        assert (item["list_title"], item["list_date"]) == (doc["title"], doc["publish_date"]), doc["key"]
        assert item["column"] == doc["column"], doc["key"]
        assert item["source"] == doc["site"]
        assert item["agency"] and item["region_code"] and item["fetched_at"].endswith("Z")


def test_every_attachment_is_fetched_through_its_download_path(crawl, manifest):
    requested = {request["url"] for request in crawl["requests"]}
    attachments = {
        attachment["url"]
        for doc in in_scope_documents(manifest)
        if doc["listed"] and doc["status"] == "live"
        for attachment in doc["attachments"]
        if attachment["robots"] == "allowed"
    }
    assert len(attachments) >= 8
    assert attachments <= requested
    fetched = [item for item in crawl["items"] if item["role"] == "attachment"]
    assert len(fetched) == len(attachments)
    assert {item["status"] for item in fetched} == {200}


def test_every_list_page_of_every_mechanism_is_walked(crawl, sample_web):
    def page(url: str) -> tuple:
        """A page as servers read it: parameters in any order; a directory and its index.html alike."""
        parts = urlsplit(url)
        return parts.netloc, parts.path.removesuffix("index.html"), tuple(sorted(parse_qsl(parts.query, True)))

    requested = {page(request["url"]) for request in crawl["requests"]}
    for name, site in sample_web.web.sites.items():
        if not site.spec.in_scope:
            continue
        pages = {page(site.url(target)) for target, route in site.routes().items() if route.kind in ("column", "list")}
        assert pages, name
        assert pages <= requested, f"{name}: list pages not walked: {sorted(pages - requested)}"
    posts = [request for request in crawl["requests"] if request["method"] == "POST"]
    # Hanweb's records beyond the first group come only from dataproxy.jsp POSTs with the form.
    assert posts and all("/module/web/jpage/dataproxy.jsp?startrecord=" in post["url"] for post in posts)
    assert all("columnid=" in post["body"] and "unitid=" in post["body"] for post in posts)


def test_requests_stay_on_their_sources_hosts_and_carry_provenance(crawl, sample_web):
    hosts = {entry["name"]: set(entry["hosts"]) for entry in sample_web.registry()}
    every_host = set().union(*hosts.values())
    mirror = {f"{site['address']}:{site['port']}" for site in sample_web.sites if not site["in_scope"]}
    for request in crawl["requests"]:
        host = urlsplit(request["url"]).netloc
        assert host not in mirror, request
        assert host in hosts[request["source"]], request
        if request["role"] is None:  # robots.txt, fetched by Scrapy for each host, stamped with its owner
            assert urlsplit(request["url"]).path == "/robots.txt" and host in every_host
            continue
        assert request["role"] in ROLES, request
        if request["role"] in ("list", "detail", "attachment"):
            assert request["column"] and request["parent_url"], request


def test_robots_txt_is_read_and_obeyed(crawl, manifest):
    requested = [request["url"] for request in crawl["requests"]]
    robots = [url for url in requested if url.endswith("/robots.txt")]
    assert len(robots) == len(set(robots)) == len([s for s in manifest["sites"] if s["in_scope"]])  # once per host
    disallowed = set(manifest["faults"]["robots_disallowed"])
    assert disallowed, "the sample web disallows some paths"
    assert not disallowed & set(requested)


def test_faults_are_survived(crawl, manifest):
    items = {item["url"]: item for item in crawl["items"]}
    faults = manifest["faults"]
    # The 500-then-200 page was retried; the redirect chain was followed to the page.
    assert all(items[url]["status"] == 200 for url in faults["flaky_500"])
    assert all(items[chain[-1]]["status"] == 200 for chain in faults["redirect_chain"])
    # A deleted report and one that meta-refreshes to its column are documents, not hops.
    assert all(items[url]["status"] == 404 for url in faults["deleted"])
    assert all(items[url]["status"] == 200 for url in faults["meta_refresh"])
    assert crawl["stats"]["finish_reason"] == "finished"


def test_columns_are_discovered_from_the_site_roots(sample_web, manifest, tmp_path):
    """Without known columns, each root leads to the same 年报 columns by link text and slug."""
    entries = [{key: value for key, value in entry.items() if key != "columns"} for entry in sample_web.registry()]
    registry = write_registry(tmp_path / "roots.yaml", entries)
    crawl = run_spider(registry, tmp_path, {**QUIET, "NIANBAO_CAPTURE_ENABLED": False})
    columns = {request["url"] for request in crawl["requests"] if request["role"] == "column"}
    for site in manifest["sites"]:
        if site["in_scope"]:
            assert set(site["columns"]) <= columns, site["name"]
    reached = {item["url"] for item in crawl["items"]}
    assert {doc["url"] for doc in in_scope_documents(manifest) if doc["listed"] and doc["robots"] == "allowed"} <= reached


def test_captured_documents_carry_their_warc_record_id(sample_web, tmp_path):
    registry = write_registry(tmp_path / "registry.yaml", sample_web.registry())
    crawl = run_spider(registry, tmp_path, {**QUIET, "NIANBAO_CAPTURE_ENABLED": True}, source="fuzhou-czj")
    assert crawl["items"]
    assert all(item["record_id"] and item["record_id"].startswith("<urn:uuid:") for item in crawl["items"])
    assert {item["source"] for item in crawl["items"]} == {"fuzhou-czj"}
    assert list((tmp_path / "warc").glob("*.warc.gz"))
