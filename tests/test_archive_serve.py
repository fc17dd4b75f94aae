"""``nianbao serve``: in-process checks of the plugin, then a real headless chromium against the command."""

from __future__ import annotations

import asyncio
import queue
import shutil
import subprocess
import sys
import threading
from urllib.parse import urljoin, urlparse

import lxml.html
import pytest
from datadir import LUAN, PAGES, PINGTAN, add_revisit, build_data_dir, html

from archive.search import ensure_search_index
from archive.serve import archive_path, build_datasette

LUAN_TITLE = "六安市審計局2019年政府信息公開工作年度報告"
PINGTAN_TITLE = "平潭综合实验区2020年政府信息公开工作年度报告"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync",
)


@pytest.fixture
def data(tmp_path):
    data = build_data_dir(tmp_path / "data")
    ensure_search_index(data.catalog)
    return data


def get(datasette, path: str):
    return asyncio.run(datasette.client.get(path))


def test_archived_page_is_the_captured_body_decoded_with_its_content_type(data):
    datasette = build_datasette(data.root)
    response = get(datasette, archive_path(datasette, data.record_ids["luan-2019"]))
    assert response.status_code == 200
    assert response.content == html(PAGES[1]["text"]).encode("gbk")  # gzip undone, GBK bytes untouched
    assert response.headers["content-type"] == "text/html; charset=gbk"
    assert response.headers["memento-datetime"] == "Thu, 01 Jan 2026 00:00:00 GMT"
    assert response.headers["link"] == f'<{PAGES[1]["url"]}>; rel="original"'
    assert "script-src 'none'" in response.headers["content-security-policy"]


def test_revisit_serves_its_original_and_failures_are_clear(data):
    identical = add_revisit(data, "pingtan-2020", not_modified=False)
    not_modified = add_revisit(data, "pingtan-letter", not_modified=True)
    datasette = build_datasette(data.root)
    assert get(datasette, archive_path(datasette, identical)).content == html(PAGES[0]["text"]).encode("utf-8")
    assert get(datasette, archive_path(datasette, not_modified)).content == html(PAGES[2]["text"]).encode("utf-8")
    assert get(datasette, archive_path(datasette, "<urn:uuid:none>")).status_code == 404
    (data.warc_dir / "nianbao-20260101000000-00001.warc.gz").unlink()
    response = get(datasette, archive_path(datasette, data.record_ids["pingtan-2020"]))
    assert response.status_code == 502 and "nianbao verify" in response.text


def test_search_facets_links_and_stored_queries(data):
    datasette = build_datasette(data.root)
    found = get(datasette, "/catalog/documents.json?_search=審計局&_shape=array").json()
    assert [row["title"] for row in found] == [LUAN_TITLE]
    found = get(datasette, "/catalog/documents.json?_search=函&_shape=array").json()  # below a trigram
    assert [row["doc_type"] for row in found] == ["other"]
    facets = get(datasette, "/catalog/documents.json").json()["facet_results"]
    assert {"agency", "region_code", "report_year", "template", "flags"} <= set(facets)
    assert [v["value"] for v in facets["flags"]["results"]] == ["defaced"]
    page = get(datasette, "/catalog/documents").text
    assert archive_path(datasette, data.record_ids["luan-2019"]) in page
    assert "/catalog/captures?url=http%3A%2F%2Fwww.pingtan.gov.cn%2Fzwgk%2Fndbg%2Findex.htm" in page
    hosts = {urlparse(href).hostname for href in lxml.html.fromstring(page).xpath("//a/@href")}
    assert not hosts & {urlparse(row["url"]).hostname for row in data.captures}  # no link to the live web
    stats = get(datasette, "/catalog/stats").text
    assert "/catalog/documents/~3Curn~3Auuid~3A" in stats
    result = get(datasette, "/catalog/statistic_across_reports.json?_shape=array&table_id=applications"
                            "&row_id=new_received&column_id=total").json()
    assert [(row["agency"], row["value"]) for row in result] == [(LUAN, 3.0), (PINGTAN, 35.0)]
    tables = {t["name"] for t in get(datasette, "/catalog.json").json()["tables"] if not t["hidden"]}
    assert tables == {"captures", "documents", "stats", "checks", "pages", "runs"}


# -- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``nianbao serve`` in a subprocess on a free loopback port; yields its base URL."""
    data = build_data_dir(tmp_path_factory.mktemp("serve") / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "nianbao", "serve", "--data", str(data.root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=60)
        if not line:
            pytest.fail(f"nianbao serve exited: {process.wait(10)} {process.stderr.read()}")
        yield data, line.rsplit(" at ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Load a URL in headless chromium and parse the DOM it ends with."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    profile = tmp_path_factory.mktemp("chromium-profile")

    def dump(url: str):
        done = subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, timeout=120, check=True,
        )
        return lxml.html.fromstring(done.stdout.decode("utf-8"))

    return dump


def cells(dom, column: str) -> list[str]:
    path = f'//table[@class="rows-and-columns"]//td[contains(concat(" ", @class, " "), " col-{column} ")]'
    return [td.text_content().strip() for td in dom.xpath(path)]


def test_browser_search_facet_document_and_archived_page(server, browser):
    data, base = server
    for query in ("审计局", "審計局"):  # simplified and traditional both find the traditional page
        dom = browser(urljoin(base, f"/catalog/documents?_search={query}"))
        assert cells(dom, "title") == [LUAN_TITLE]
        assert dom.xpath('//input[@id="_search"]/@value') == [query]
    dom = browser(urljoin(base, "/catalog/documents?_search=綜合實驗區2020年"))  # traditional finds simplified
    assert cells(dom, "title") == [PINGTAN_TITLE]

    dom = browser(urljoin(base, "/catalog/documents"))
    assert len(cells(dom, "title")) == 3
    (facet_link,) = dom.xpath(f'//div[@id="facet-agency"]//a[normalize-space(text())="{LUAN}"]/@href')
    dom = browser(urljoin(base, facet_link))
    assert cells(dom, "agency") == [LUAN]

    (row_link,) = dom.xpath('//td[contains(@class, "type-pk")]//a/@href')
    dom = browser(urljoin(base, row_link))
    assert cells(dom, "title") == [LUAN_TITLE]
    assert [cells(dom, column) for column in ("report_year", "region_code", "template")] == [["2019"], ["341500"], ["2019"]]

    (archived_link,) = dom.xpath('//td[contains(@class, "col-url")]//a/@href')
    dom = browser(urljoin(base, archived_link))
    assert dom.xpath("//h1/text()") == [LUAN_TITLE]  # gzip undone, GBK decoded by the browser
    assert "本局認真貫徹《條例》" in dom.text_content()
