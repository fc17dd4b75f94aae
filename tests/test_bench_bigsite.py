"""bench/bigsite.py: the generated 年报 column the memory benchmark crawls.

Its pages are read here by the TRS adapter, as the ``reports`` spider reads them: the column
page names every list page, each list page names its reports, and every report page exists.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest
from scrapy.http import HtmlResponse

from bench.bigsite import COLUMN, BigSite, SiteProcess, SiteServer
from crawler.adapters.trs import TrsAdapter
from settings.registry import load_registry

ORIGIN = "http://127.0.0.1:8000"


def response(site: BigSite, path: str) -> HtmlResponse:
    html = site.page(path)
    assert html is not None, path
    return HtmlResponse(ORIGIN + path, body=html.encode("utf-8"), encoding="utf-8")


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.mark.parametrize("urls", [1, 11, 100, 100_000])
def test_a_site_of_n_urls_has_n_list_and_report_pages(urls):
    site = BigSite.of_urls(urls)
    assert site.urls == site.pages + site.documents
    assert abs(site.urls - urls) <= 1
    assert site.pages == -(-site.documents // site.per_page)


def test_the_column_page_names_every_list_page_through_the_trs_pager():
    site = BigSite(documents=95, per_page=10)
    adapter = TrsAdapter()
    column = response(site, COLUMN)
    assert adapter.is_list_page(column)
    pages = [f"{ORIGIN}{COLUMN}index_{k}.html" for k in range(1, 10)]
    assert [page.url for page in adapter.list_pages(column)] == pages
    # Later pages carry the pager too, but name no further pages (the column named them all).
    assert not list(adapter.list_pages(response(site, site.list_path(3))))


def test_list_pages_link_every_report_once_with_its_title_and_date():
    site = BigSite(documents=95, per_page=10)
    adapter = TrsAdapter()
    linked = [link for page in range(site.pages) for link in adapter.list_links(response(site, site.list_path(page)))]
    assert [link.url for link in linked] == [ORIGIN + site.detail_path(i) for i in range(site.documents)]
    assert len(list(adapter.list_links(response(site, site.list_path(site.pages - 1))))) == 5
    first = linked[0]
    assert first.kind == "detail" and first.title.endswith("年政府信息公开工作年度报告") and first.date


def test_report_pages_exist_for_their_paths_only():
    site = BigSite(documents=1000)
    paths = [site.detail_path(i) for i in range(site.documents)]
    assert len(set(paths)) == site.documents
    page = response(site, paths[7])
    assert "TRS_Editor" in page.text and "行政规范性文件" in page.text
    assert not list(TrsAdapter().detail_attachments(page))
    assert site.page(paths[7].replace("/t20", "/t19")) is None  # a date the report does not have
    assert site.page(BigSite(documents=2000).detail_path(1500)) is None  # beyond this site
    assert site.page(f"{COLUMN}index_{site.pages}.html") is None


def test_the_server_answers_pages_robots_and_404():
    site = BigSite(documents=30)
    with SiteServer(site) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            status, body = fetch(server.origin + site.detail_path(29))
            assert status == 200 and body.decode("utf-8") == site.page(site.detail_path(29))
            assert fetch(server.origin + "/robots.txt")[0] == 200
            assert fetch(server.origin + COLUMN + "index_3.html")[0] == 404
        finally:
            server.shutdown()


def test_the_site_process_serves_the_site_its_registry_names(tmp_path):
    site = BigSite(documents=30)
    with SiteProcess(site) as served:
        (source,) = load_registry(served.write_registry(tmp_path / "registry.yaml"))
        assert source.cms == "trs" and source.columns == (served.origin + COLUMN,)
        status, body = fetch(source.columns[0])
        assert status == 200 and b"createPageHTML(3, 0" in body
