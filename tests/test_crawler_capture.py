"""A real Scrapy crawl of the fidelity server, captured to WARC and read back with warcio.

The crawl runs in a subprocess (this file run as a script: the reactor cannot restart) with
the project settings, a tiny rotation size so the capture spans several files, and retries
cut to 2. The assertions compare the WARC records with the bytes that crossed the wire.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import subprocess
import sys
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from fidelityserver import (
    CHUNKS,
    COOKIES,
    GBK_DISPOSITION,
    GZIP_CHUNKS,
    GZIPPED,
    HTML,
    TRUNCATED_LENGTH,
    TRUNCATED_SENT,
    FidelityServer,
)

REPO = Path(__file__).resolve().parent.parent
RETRY_TIMES = 2
MAX_SIZE = 6000
PROVENANCE = {
    "source": "fidelity",
    "role": "detail",
    "column": "/column/",
    "parent_url": "/list",
    "list_title": "2023年政府信息公开\n  工作年度报告",
    "list_date": "2024-01-15",
}
POST_BODY = "col=1&webid=2&pageNo=3&标题=年报".encode()


def plan(base: str, refused: str) -> list[dict]:
    """What the spider requests: (url, method, body, meta) for every cell of the matrix."""

    def get(path: str, **meta: object) -> dict:
        return {"url": base + path, "meta": meta}

    return [
        # /private/ is requested from this page's callback, once robots.txt is parsed: Scrapy
        # 2.19's RobotsTxtMiddleware lets requests that wait for robots.txt concurrently through.
        {**get("/plain?a=1&b=%E4%B8%AD", **PROVENANCE), "follow": base + "/private/secret"},
        get("/gzip"),
        get("/chunked"),
        get("/chunked-gzip"),
        get("/http10"),
        get("/cookies"),
        get("/gbk"),
        get("/redirect/3"),
        {"url": base + "/not-modified", "headers": {"If-None-Match": '"v1"'}, "meta": {}},
        {"url": base + "/head", "method": "HEAD", "meta": {}},
        get("/missing"),
        get("/error"),
        get("/truncated"),
        get("/truncated?lenient", download_fail_on_dataloss=False),
        get("/big", download_maxsize=10_000),
        get("/hang", download_timeout=0.5, dont_retry=True),
        {"url": base + "/echo", "method": "POST", "body": POST_BODY.decode(), "meta": {}},
        {"url": refused + "/refused", "meta": {}},
    ]


# -- the crawl, run in a subprocess ----------------------------------------------------------


def run_crawl(args: dict) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from archive.signals import capture_written

    captures: list[dict] = []
    seen: list[dict] = []

    class MatrixSpider(scrapy.Spider):
        name = "matrix"

        @classmethod
        def from_crawler(cls, crawler, *a, **kw):
            spider = super().from_crawler(crawler, *a, **kw)
            crawler.signals.connect(
                lambda capture: captures.append(asdict(capture)), signal=capture_written, weak=False
            )
            return spider

        async def start(self):
            for spec in args["plan"]:
                yield scrapy.Request(
                    spec["url"],
                    method=spec.get("method", "GET"),
                    body=spec.get("body", "").encode(),
                    headers=spec.get("headers"),
                    meta=spec["meta"],
                    dont_filter=True,
                    callback=self.parse,
                    cb_kwargs={"follow": spec.get("follow")},
                    errback=lambda failure: None,
                )

        def parse(self, response, follow=None):
            seen.append({"url": response.url, "record_id": response.meta.get("warc_record_id")})
            if follow:
                yield scrapy.Request(follow, callback=self.parse)

    settings = Settings()
    settings.setmodule("settings", priority="project")
    settings.update(args["settings"], priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(MatrixSpider)
    process.start()
    Path(args["out"]).write_text(json.dumps({"captures": captures, "seen": seen}))


# -- the test side ---------------------------------------------------------------------------


@dataclass
class Crawl:
    warc_dir: Path
    received: list
    captures: list[dict]
    seen: list[dict]
    base: str
    refused: str

    @property
    def files(self) -> list[Path]:
        return sorted(self.warc_dir.iterdir())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Crawl:
    data = tmp_path_factory.mktemp("capture")
    refused = f"http://127.0.0.1:{closed_port()}"
    with FidelityServer() as server:
        args = {
            "plan": plan(server.base, refused),
            "out": str(data / "out.json"),
            "settings": {
                "NIANBAO_DATA_DIR": str(data),
                "NIANBAO_WARC_MAX_SIZE": MAX_SIZE,
                "RETRY_TIMES": RETRY_TIMES,
                "AUTOTHROTTLE_ENABLED": False,
                "HTTPERROR_ALLOW_ALL": True,
                "LOG_LEVEL": "WARNING",
            },
        }
        proc = subprocess.run(
            [sys.executable, __file__, json.dumps(args)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        out = json.loads((data / "out.json").read_text())
        return Crawl(data / "warc", list(server.received), out["captures"], out["seen"],
                     server.base, refused)


@pytest.fixture(scope="module")
def records(crawl: Crawl) -> list[dict]:
    """Every record of every file, read fully: warcio's parse, the exact http head and payload
    (from the record's own gzip member), and the metadata fields."""
    from warcio.archiveiterator import ArchiveIterator

    from archive.records import read_provenance

    out = []
    for path in crawl.files:
        data = path.read_bytes()
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                fields = read_provenance(rec) if rec.rec_type == "metadata" else {}
                rec.raw_stream.read()
                offset, length = it.get_record_offset(), it.get_record_length()
                block = zlib.decompress(data[offset : offset + length], wbits=31)
                block = block.partition(b"\r\n\r\n")[2][: int(rec.rec_headers["Content-Length"])]
                head, payload = (block.partition(b"\r\n\r\n")[::2] if rec.http_headers
                                 else (b"", block))
                out.append({
                    "file": path.name,
                    "offset": offset,
                    "type": rec.rec_type,
                    "headers": dict(rec.rec_headers.headers),
                    "url": rec.rec_headers.get_header("WARC-Target-URI"),
                    "http": rec.http_headers,
                    "head": head + b"\r\n\r\n" if head else b"",
                    "payload": payload,
                    "fields": fields,
                })
    return out


def by_url(records: list[dict], url: str, rec_type: str) -> list[dict]:
    return [r for r in records if r["url"] == url and r["type"] == rec_type]


def only(records: list[dict], url: str, rec_type: str) -> dict:
    found = by_url(records, url, rec_type)
    assert len(found) == 1, (url, rec_type, len(found))
    return found[0]


def header_values(http, name: str) -> list[bytes]:
    return [v.encode("latin-1") for n, v in http.headers if n.lower() == name.lower()]


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_every_file_passes_warcio_check_and_is_closed(crawl: Crawl) -> None:
    files = crawl.files
    assert len(files) > 2, "the tiny NIANBAO_WARC_MAX_SIZE must rotate"
    assert all(f.name.endswith(".warc.gz") for f in files), files
    proc = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", *files],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "digest pass" in proc.stdout


def test_each_file_starts_with_its_warcinfo_and_records_point_to_it(records) -> None:
    warcinfo = {r["file"]: r for r in records if r["type"] == "warcinfo"}
    for r in records:
        info = warcinfo[r["file"]]
        if r["type"] == "warcinfo":
            assert r["offset"] == 0
            assert r["headers"]["WARC-Filename"] == r["file"]
            assert b"nianbao-profile: nianbao-http-normalised/1" in r["payload"]
        else:
            assert r["headers"]["WARC-Warcinfo-ID"] == info["headers"]["WARC-Record-ID"]


def test_request_records_are_the_bytes_received(crawl: Crawl, records) -> None:
    received = {r.raw for r in crawl.received}
    requests = [r for r in records if r["type"] == "request" and r["url"].startswith(crawl.base)]
    # a timeout may strike before the request is sent: its failure is a metadata record only
    answered = [r for r in crawl.received if r.target != "/hang"]
    assert len(requests) == len(answered)
    for r in requests:
        assert r["head"] + r["payload"] in received, r["url"]


def test_query_string_and_post_body_in_request_records(crawl: Crawl, records) -> None:
    plain = only(records, crawl.base + "/plain?a=1&b=%E4%B8%AD", "request")
    assert plain["head"].startswith(b"GET /plain?a=1&b=%E4%B8%AD HTTP/1.1\r\n")
    post = only(records, crawl.base + "/echo", "request")
    assert post["head"].startswith(b"POST /echo HTTP/1.1\r\n")
    assert post["payload"] == POST_BODY
    assert only(records, crawl.base + "/echo", "response")["payload"] == POST_BODY


def test_exchange_records_are_linked(crawl: Crawl, records) -> None:
    """request and metadata point to the response; a failure's request points to it."""
    ids = {r["headers"]["WARC-Record-ID"]: r for r in records}
    for r in records:
        if "WARC-Concurrent-To" in r["headers"]:
            linked = ids[r["headers"]["WARC-Concurrent-To"]]
            assert linked["type"] in ("response", "revisit") or "error" in linked["fields"]
            assert linked["url"] == r["url"]
            assert linked["headers"]["WARC-Date"] == r["headers"]["WARC-Date"]
    for r in records:
        pointing = sorted(x["type"] for x in records
                          if x["headers"].get("WARC-Concurrent-To") == r["headers"]["WARC-Record-ID"])
        if r["type"] in ("response", "revisit"):
            assert r["headers"]["WARC-IP-Address"] == "127.0.0.1"
            assert pointing == ["metadata", "request"], r["url"]
        elif "error" in r["fields"]:
            sent = r["url"].endswith(("/truncated", "/big"))
            assert pointing == (["request"] if sent else []), r["url"]


def test_gzip_page_keeps_content_encoding_and_compressed_payload(crawl: Crawl, records) -> None:
    rec = only(records, crawl.base + "/gzip", "response")
    assert header_values(rec["http"], "Content-Encoding") == [b"gzip"]
    assert rec["payload"] == GZIPPED
    assert rec["headers"]["WARC-Payload-Digest"] == sha1_b32(GZIPPED)
    assert header_values(rec["http"], "Content-Length") == [str(len(GZIPPED)).encode()]


@pytest.mark.parametrize(("path", "body", "encoded"), [
    ("/chunked", b"".join(CHUNKS), False),
    ("/chunked-gzip", b"".join(GZIP_CHUNKS), True),
])
def test_chunked_is_recorded_dechunked_with_true_length(crawl, records, path, body, encoded):
    rec = only(records, crawl.base + path, "response")
    assert header_values(rec["http"], "Transfer-Encoding") == []
    assert header_values(rec["http"], "Content-Length") == [str(len(body)).encode()]
    assert rec["payload"] == body
    assert rec["headers"]["WARC-Payload-Digest"] == sha1_b32(body)
    assert (header_values(rec["http"], "Content-Encoding") == [b"gzip"]) is encoded
    assert "WARC-Truncated" not in rec["headers"]


def test_http10_answer_keeps_its_protocol(crawl: Crawl, records) -> None:
    rec = only(records, crawl.base + "/http10", "response")
    assert rec["head"].startswith(b"HTTP/1.0 200 OK\r\n")
    assert rec["headers"]["WARC-Protocol"] == "http/1.0"
    assert rec["payload"] == HTML
    assert header_values(rec["http"], "Content-Length") == [str(len(HTML)).encode()]


def test_repeated_set_cookie_kept_in_order(crawl: Crawl, records) -> None:
    rec = only(records, crawl.base + "/cookies", "response")
    assert header_values(rec["http"], "Set-Cookie") == list(COOKIES)


def test_gbk_content_disposition_bytes_survive(crawl: Crawl, records) -> None:
    rec = only(records, crawl.base + "/gbk", "response")
    assert header_values(rec["http"], "Content-Disposition") == [GBK_DISPOSITION]
    assert b"Content-Disposition: " + GBK_DISPOSITION + b"\r\n" in rec["head"]


def test_each_redirect_hop_is_its_own_exchange(crawl: Crawl, records) -> None:
    hops = [("/redirect/3", 302), ("/redirect/2", 301), ("/redirect/1", 307), ("/plain?from=redirect", 200)]
    for path, status in hops:
        rec = only(records, crawl.base + path, "response")
        assert rec["http"].get_statuscode() == str(status)
        only(records, crawl.base + path, "request")
    final = only(records, crawl.base + "/plain?from=redirect", "metadata")
    assert final["fields"]["redirect_times"] == 3


def test_each_retry_is_its_own_exchange(crawl: Crawl, records) -> None:
    url = crawl.base + "/error"
    responses = by_url(records, url, "response")
    assert [r["http"].get_statuscode() for r in responses] == ["500"] * (RETRY_TIMES + 1)
    assert len(by_url(records, url, "request")) == RETRY_TIMES + 1
    retries = sorted(m["fields"].get("retry_times", 0)
                     for m in by_url(records, url, "metadata"))
    assert retries == list(range(RETRY_TIMES + 1))


def test_error_statuses_robots_and_not_modified_captured(crawl: Crawl, records) -> None:
    assert only(records, crawl.base + "/missing", "response")["http"].get_statuscode() == "404"
    robots = only(records, crawl.base + "/robots.txt", "response")
    assert b"Disallow: /private/" in robots["payload"]
    revisit = only(records, crawl.base + "/not-modified", "revisit")
    assert revisit["headers"]["WARC-Profile"].endswith("/revisit/server-not-modified")
    assert header_values(revisit["http"], "ETag") == [b'"v1"']


def test_robots_disallowed_path_never_fetched_nor_recorded(crawl: Crawl, records) -> None:
    assert not [r for r in crawl.received if r.target.startswith("/private/")]
    assert not [r for r in records if r["url"] and "/private/" in r["url"]]


def test_head_answer_has_no_invented_length(crawl: Crawl, records) -> None:
    rec = only(records, crawl.base + "/head", "response")
    assert only(records, crawl.base + "/head", "request")["head"].startswith(b"HEAD ")
    assert header_values(rec["http"], "Content-Length") == []
    assert rec["payload"] == b""


def test_cut_body_is_truncated_record_or_failure(crawl: Crawl, records) -> None:
    rec = only(records, crawl.base + "/truncated?lenient", "response")
    assert rec["headers"]["WARC-Truncated"] == "disconnect"
    assert rec["payload"] == TRUNCATED_SENT
    assert header_values(rec["http"], "Content-Length") == [str(TRUNCATED_LENGTH).encode()]
    failures = [m["fields"] for m in by_url(records, crawl.base + "/truncated", "metadata")]
    assert len(failures) == RETRY_TIMES + 1
    assert all("ResponseDataLossError" in f["error"] for f in failures)
    big = [m["fields"] for m in by_url(records, crawl.base + "/big", "metadata")]
    assert len(big) == 1 and "DownloadCancelledError" in big[0]["error"]
    assert not by_url(records, crawl.base + "/big", "response")


def test_timeout_gives_a_metadata_record(crawl: Crawl, records) -> None:
    (failure,) = by_url(records, crawl.base + "/hang", "metadata")
    assert "DownloadTimeoutError" in failure["fields"]["error"]
    assert not by_url(records, crawl.base + "/hang", "response")


def test_connection_failure_gives_a_metadata_record_per_attempt(crawl: Crawl, records) -> None:
    failures = by_url(records, crawl.refused + "/refused", "metadata")
    assert len(failures) == RETRY_TIMES + 1
    for rec in failures:
        fields = rec["fields"]
        assert "ConnectionRefused" in fields["error"]
        assert fields["method"] == "GET"
        assert "WARC-Concurrent-To" not in rec["headers"]


def test_provenance_in_metadata_record(crawl: Crawl, records) -> None:
    meta = only(records, crawl.base + "/plain?a=1&b=%E4%B8%AD", "metadata")
    fields = meta["fields"]
    assert {k: fields[k] for k in PROVENANCE} == {
        **PROVENANCE, "list_title": "2023年政府信息公开 工作年度报告"}
    assert fields["spider"] == "matrix"
    assert fields["method"] == "GET"


def test_captures_signalled_once_on_disk_and_readable_by_offset(crawl: Crawl, records) -> None:
    from warcio.archiveiterator import ArchiveIterator

    main = [r for r in records if r["type"] in ("response", "revisit")
            or (r["type"] == "metadata" and "WARC-Concurrent-To" not in r["headers"])]
    assert sorted(c["record_id"] for c in crawl.captures) == sorted(
        r["headers"]["WARC-Record-ID"] for r in main)
    for cap in crawl.captures:
        with open(crawl.warc_dir / cap["warc_file"], "rb") as fh:
            fh.seek(cap["offset"])
            member = fh.read(cap["length"])
        rec = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert rec.rec_headers.get_header("WARC-Record-ID") == cap["record_id"]
        assert rec.rec_headers.get_header("WARC-Target-URI") == cap["url"]
        if cap["record_type"] == "response":
            assert sha1_b32(rec.raw_stream.read()) == cap["payload_digest"]
    plain = next(c for c in crawl.captures if c["url"].endswith("/plain?a=1&b=%E4%B8%AD"))
    assert (plain["status"], plain["mime"], plain["source"], plain["role"]) == (
        200, "text/html", "fidelity", "detail")
    assert len(plain["concurrent_ids"]) == 2


def test_warc_record_id_in_request_meta_names_the_response(crawl: Crawl, records) -> None:
    responses = {r["headers"]["WARC-Record-ID"]: r["url"] for r in records
                 if r["type"] in ("response", "revisit")}
    assert crawl.seen
    for seen in crawl.seen:
        assert responses[seen["record_id"]] == seen["url"]


def test_capture_disabled_raises_not_configured() -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawler.capture import WarcCapture
    from crawler.middlewares.failures import FailureSignalMiddleware

    crawler = get_crawler(settings_dict={"NIANBAO_CAPTURE_ENABLED": False})
    for component in (WarcCapture, FailureSignalMiddleware):
        with pytest.raises(NotConfigured):
            component.from_crawler(crawler)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    run_crawl(json.loads(sys.argv[1]))
