"""Replay: the spider runs against the archive (a WARC-backed Scrapy HTTP cache storage).

The storage is tested on WARC files written by the crawler's own writer (responses, a
redirect, Hanweb-style POSTs, both kinds of revisit, a failure, GBK header bytes). Then the
sample web is crawled for two nights by real ``nianbao`` processes, stopped, and night 0 is
replayed with the same spider: with nothing listening, everything the replay produced came
from the archive.
"""

from __future__ import annotations

import gzip
import os
import socket
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from archive.records import Exchange, HttpRequest, HttpResponse, Original, digest_of, new_record_id, warc_date
from archive.signals import capture_written
from archive.warc import RotatingWarcWriter
from crawler.replay import ReplayError, WarcCacheStorage, replay_settings
from nightcrawl import crawl_nights, nianbao
from sampleweb.server import SampleWeb

T0 = datetime(2026, 3, 24, 2, 0, 0, 500000, tzinfo=timezone.utc)
DAY = timedelta(days=1)
SITE = "http://127.0.0.1:9"
FORM = b"application/x-www-form-urlencoded; charset=UTF-8"
GBK_NAME = "attachment; filename=\"2025年年报.pdf\"".encode("gbk")
# Latin-range letters sent as UTF-8: warcio's parsed headers cannot tell these bytes from Latin-1
UTF8_LATIN = "bilan-année.pdf".encode("utf-8")


class Archive:
    """A data directory written exchange by exchange; remembers each response record."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.writer = RotatingWarcWriter(root / "warc")
        self.originals: dict[str, Original] = {}

    def add(self, name: str, path: str, date: datetime, status: int = 200, body: bytes = b"",
            headers: tuple[tuple[bytes, bytes], ...] = (), method: str = "GET", form: bytes = b"",
            error: str | None = None, revisit_of: str | None = None) -> str:
        ids = (new_record_id(), new_record_id(), new_record_id())
        head = f"{method} {path} HTTP/1.1\r\n".encode() + (b"Content-Type: " + FORM + b"\r\n" if form else b"") + b"\r\n"
        response = None if error else HttpResponse(
            "HTTP/1.1", status, [(b"Content-Type", b"text/html; charset=utf-8"), *headers], body,
            payload_digest=digest_of(body) if revisit_of and status != 304 else None,
        )
        self.writer.write_exchange(Exchange(
            url=SITE + path, method=method, date=date, ids=ids, provenance={"source": "t", "role": "detail"},
            request=HttpRequest(head, form), response=response, error=error,
            revisit_of=self.originals[revisit_of] if revisit_of else None,
        ))
        self.originals[name] = Original(ids[1], SITE + path, warc_date(date), digest_of(body))
        return ids[2] if error else ids[1]

    def close(self) -> Path:
        self.writer.close()
        return self.root


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    a = Archive(tmp_path / "archive")
    ids = {
        "v1": a.add("v1", "/report.html", T0, body=gzip.compress("年报 v1".encode(), mtime=0),
                    headers=((b"Content-Encoding", b"gzip"),)),
        "v2": a.add("v2", "/report.html", T0 + DAY, body="年报 v2".encode()),
        "page1": a.add("page1", "/dataproxy.jsp?startrecord=1", T0, body=b"<xml>A</xml>", method="POST",
                       form=b"col=1&webname=%E5%87%89%E5%B7%9E"),
        "page2": a.add("page2", "/dataproxy.jsp?startrecord=1", T0, body=b"<xml>B</xml>", method="POST",
                       form=b"col=2&webname=%E5%87%89%E5%B7%9E"),
        "moved": a.add("moved", "/old.html", T0, status=302, headers=((b"Location", SITE.encode() + b"/report.html"),)),
        "orig": a.add("orig", "/nm.html", T0, body=b"original", headers=((b"Etag", b'"e1"'),)),
        "304": a.add("304", "/nm.html", T0 + DAY, status=304, revisit_of="orig"),
        "same": a.add("same", "/same.html", T0, body=b"same bytes"),
        "again": a.add("again", "/same.html", T0 + DAY, body=b"same bytes", headers=((b"X-Night", b"1"),),
                       revisit_of="same"),
        "down": a.add("down", "/down.html", T0, error="twisted.internet.error.TimeoutError: User timeout caused connection failure."),
        "gbk": a.add("gbk", "/file.pdf", T0, body=b"%PDF-1.4", headers=((b"Content-Disposition", GBK_NAME), (b"X-File", UTF8_LATIN))),
    }
    return a.close(), ids


def open_storage(data: Path, target: Path, as_of: datetime | None = None, strict: bool = False):
    crawler = get_crawler(Spider, {**replay_settings(data, as_of, strict), "NIANBAO_DATA_DIR": str(target)})
    spider = Spider.from_crawler(crawler, name="replay-test")
    announced = []
    crawler.signals.connect(lambda capture: announced.append(capture), signal=capture_written, weak=False)
    storage = WarcCacheStorage(crawler.settings)
    storage.open_spider(spider)
    return storage, spider, announced


def test_a_get_is_answered_with_the_closest_capture_at_or_before_as_of_as_the_server_sent_it(archive, tmp_path):
    data, ids = archive
    storage, spider, announced = open_storage(data, tmp_path / "out", as_of=T0 + timedelta(hours=1))
    request = Request(SITE + "/report.html#top")
    response = storage.retrieve_response(spider, request)
    assert response.status == 200 and response.url == SITE + "/report.html"
    assert response.headers[b"Content-Encoding"] == b"gzip"  # still encoded: HttpCompressionMiddleware decodes
    assert gzip.decompress(response.body).decode() == "年报 v1"
    assert request.meta["warc_record_id"] == ids["v1"]
    assert [capture.record_id for capture in announced] == [ids["v1"]]
    latest, spider, _ = open_storage(data, tmp_path / "out")
    assert latest.retrieve_response(spider, Request(SITE + "/report.html")).body == "年报 v2".encode()


def test_posts_are_told_apart_by_their_body(archive, tmp_path):
    data, ids = archive
    storage, spider, _ = open_storage(data, tmp_path / "out", strict=True)
    for form, expected in ((b"col=1&webname=%E5%87%89%E5%B7%9E", b"<xml>A</xml>"), (b"col=2&webname=%E5%87%89%E5%B7%9E", b"<xml>B</xml>")):
        request = Request(SITE + "/dataproxy.jsp?startrecord=1", method="POST", body=form, headers={"Content-Type": FORM})
        assert storage.retrieve_response(spider, request).body == expected
    other = Request(SITE + "/dataproxy.jsp?startrecord=1", method="POST", body=b"col=3", headers={"Content-Type": FORM})
    assert storage.retrieve_response(spider, other) is None
    assert storage.retrieve_response(spider, Request(SITE + "/dataproxy.jsp?startrecord=1")) is None  # a GET is another request
    assert spider.crawler.stats.get_value("nianbao/replay/miss") == 2


def test_a_redirect_is_answered_as_recorded_for_the_redirect_middleware_to_follow(archive, tmp_path):
    data, _ = archive
    storage, spider, _ = open_storage(data, tmp_path / "out")
    response = storage.retrieve_response(spider, Request(SITE + "/old.html"))
    assert response.status == 302 and response.headers[b"Location"] == SITE.encode() + b"/report.html"


def test_revisits_are_answered_with_their_originals_payload(archive, tmp_path):
    data, ids = archive
    storage, spider, announced = open_storage(data, tmp_path / "out")
    request = Request(SITE + "/nm.html")
    not_modified = storage.retrieve_response(spider, request)
    assert (not_modified.status, not_modified.body) == (200, b"original")  # the 304's original, whole
    assert not_modified.headers[b"Etag"] == b'"e1"'
    assert request.meta["warc_record_id"] == ids["304"]
    identical = storage.retrieve_response(spider, Request(SITE + "/same.html"))
    assert (identical.status, identical.body, identical.headers[b"X-Night"]) == (200, b"same bytes", b"1")
    assert [c.record_id for c in announced] == [ids["304"], ids["again"]]
    assert spider.crawler.stats.get_value("nianbao/replay/revisit") == 2


def test_a_recorded_failure_is_no_answer_but_is_cataloged(archive, tmp_path):
    data, ids = archive
    storage, spider, announced = open_storage(data, tmp_path / "out", strict=True)
    assert storage.retrieve_response(spider, Request(SITE + "/down.html")) is None
    assert [(c.record_id, c.record_type) for c in announced] == [(ids["down"], "metadata")]
    assert "TimeoutError" in announced[0].error
    assert spider.crawler.stats.get_value("nianbao/replay/failure") == 1
    assert spider.crawler.stats.get_value("nianbao/replay/miss") is None


def test_header_bytes_reach_the_spider_as_recorded(archive, tmp_path):
    data, _ = archive
    storage, spider, _ = open_storage(data, tmp_path / "out")
    response = storage.retrieve_response(spider, Request(SITE + "/file.pdf"))
    assert response.headers[b"Content-Disposition"] == GBK_NAME
    assert response.headers[b"X-File"] == UTF8_LATIN


def test_the_files_that_answered_are_linked_into_the_crawls_data_directory(archive, tmp_path):
    data, _ = archive
    storage, spider, _ = open_storage(data, tmp_path / "out")
    storage.retrieve_response(spider, Request(SITE + "/report.html"))
    storage.close_spider(spider)
    (linked,) = (tmp_path / "out" / "warc").iterdir()
    assert os.path.samefile(linked, data / "warc" / linked.name)


def test_replay_needs_an_archive(tmp_path):
    crawler = get_crawler(Spider, {"HTTPCACHE_STORAGE": "crawler.replay.WarcCacheStorage"})
    with pytest.raises(ReplayError, match="NIANBAO_REPLAY_DIR"):
        WarcCacheStorage(crawler.settings)


# -- the same spider against the archive of the sample web -------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Nights 0 and 1 crawled into one data directory; the web is stopped on return."""
    root = tmp_path_factory.mktemp("replay")
    with SampleWeb(night=0, port=0) as web:
        nights = crawl_nights(web, root, range(2))
    return root, nights


def rows(catalog: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(catalog)
    try:
        return sorted(db.execute(sql), key=repr)
    finally:
        db.close()


DOCUMENT_FACTS = ("id", "url", "source", "role", "status", "title", "agency", "region_code", "report_year",
                  "publish_date", "doc_type", "template", "script", "defaced", "flags", "removed", "text",
                  "text_simplified", "extractor_version")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def registry_with_unarchived_source(root: Path) -> Path:
    """The crawled registry plus a source the archive never saw, on a port nothing listens on."""
    entries = yaml.safe_load((root / "registry.yaml").read_text(encoding="utf-8"))["sources"]
    port = closed_port()
    extra = {**entries[0], "name": "unarchived", "root": f"http://127.0.0.1:{port}/", "columns": [],
             "hosts": [f"127.0.0.1:{port}"]}
    path = root / "registry-extra.yaml"
    path.write_text(yaml.safe_dump({"sources": [*entries, extra]}, allow_unicode=True), encoding="utf-8")
    return path


def test_replay_of_night_0_with_the_web_stopped_reproduces_its_captures_and_documents(crawled, tmp_path):
    root, nights = crawled
    out = tmp_path / "out"
    result = nianbao("crawl", "--sources", str(root / "registry.yaml"), "--replay", str(root / "data"),
                     "--as-of", nights[0].after.isoformat(), "--strict", "--data", str(out))
    assert result.returncode == 0, result.stderr[-4000:]
    live, replayed = nights[0].catalog, out / "catalog.db"
    assert rows(replayed, "select distinct url from captures") == rows(live, "select distinct url from captures")
    # The same records answered (retried requests were answered once, by their last capture).
    assert set(rows(replayed, "select * from captures")) <= set(rows(live, "select * from captures"))
    # Documents: the same ids (the same records), the same extraction. Not the same parent_url
    # and column_url: a document linked from two list pages is the child of the one read
    # first, and live, a list page answering 503 or 429 waited for its retry.
    documents = f"select {', '.join(DOCUMENT_FACTS)} from documents"
    assert rows(replayed, documents) == rows(live, documents)
    assert rows(replayed, "select * from stats") == rows(live, "select * from stats")
    night1 = set(rows(nights[1].catalog, "select record_id from captures")) - set(rows(live, "select record_id from captures"))
    assert night1 and not night1 & set(rows(replayed, "select record_id from captures"))
    # Nothing was fetched: no WARC file of the replay's own, only links to the archive's.
    for path in (out / "warc").iterdir():
        assert os.path.samefile(path, root / "data" / "warc" / path.name)
    assert "'nianbao/replay/miss'" not in result.stderr and "'nianbao/warc/captures'" not in result.stderr


def test_strict_replay_of_a_request_not_in_the_archive_fails_clearly(crawled, tmp_path):
    root, _ = crawled
    registry = registry_with_unarchived_source(root)
    result = nianbao("crawl", "--sources", str(registry), "--source", "unarchived", "--replay", str(root / "data"),
                     "--strict", "--data", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "strict replay: 2 request(s) not in the archive" in result.stderr  # robots.txt and the root
    assert "replay miss: GET http://127.0.0.1:" in result.stderr and "is not in the archive" in result.stderr
    assert not (tmp_path / "out" / "warc").exists() or not any((tmp_path / "out" / "warc").iterdir())


def test_replay_without_strict_fetches_what_the_archive_lacks_from_the_web(crawled, tmp_path):
    root, _ = crawled
    registry = registry_with_unarchived_source(root)
    out = tmp_path / "out"
    result = nianbao("crawl", "--sources", str(registry), "--source", "unarchived", "--replay", str(root / "data"),
                     "--data", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    # Nothing listens there: the live attempt failed, and the failure was archived as any would be.
    failures = rows(out / "catalog.db", "select url, error from captures where error is not null")
    assert failures and all(url.startswith("http://127.0.0.1:") for url, _ in failures)
    assert any(path.name.endswith(".warc.gz") for path in (out / "warc").iterdir())
