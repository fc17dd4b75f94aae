"""RetryAfter: a 429 with Retry-After pauses the whole host, then the crawl resumes."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from crawler.middlewares.retryafter import retry_after_seconds
from crawlrun import run_spider

ROOT = '<html><head><meta charset="utf-8"></head><body><a href="/nb/">政府信息公开年报</a></body></html>'
ROW = '<li><a href="/nb/d{n}.html">测试县2020年政府信息公开工作年度报告（{n}）</a><span>2021-01-1{n}</span></li>'
LIST = '<html><head><meta charset="utf-8"></head><body><ul>{rows}</ul></body></html>'.format(
    rows="".join(ROW.format(n=n) for n in range(1, 5))
)
DETAIL = '<html><head><meta charset="utf-8"><title>报告</title></head><body><p>正文</p></body></html>'


class PausingServer(ThreadingHTTPServer):
    """Serves a root and a 年报 list of four reports, answering the first request whose path
    starts with ``refuse`` with 429 (Retry-After: 1); logs (arrival time, path) of every request."""

    daemon_threads = True

    def __init__(self, refuse: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.refuse = refuse
        self.log: list[tuple[float, str]] = []
        self.refused_at: float | None = None
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PausingServer

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.log.append((time.monotonic(), self.path))
            refuse = self.path.startswith(self.server.refuse) and self.server.refused_at is None
            if refuse:
                self.server.refused_at = time.monotonic()
        if refuse:
            self.reply(429, b"busy", [("Retry-After", "1")])
        elif self.path == "/robots.txt":
            self.reply(200, b"User-agent: *\nDisallow:\n", [("Content-Type", "text/plain")])
        else:
            page = {"/": ROOT, "/nb/": LIST}.get(self.path, DETAIL)
            self.reply(200, page.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])

    def reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# The list page (nothing else pending), or the first report while the other three wait in the
# host's queue. The second needs a downloader that keeps to CONCURRENT_REQUESTS_PER_DOMAIN:
# under Scrapy 2.19's asyncio reactor a slot sends everything queued at once, so the other
# reports are already on the wire when the 429 comes back.
CASES = {
    "list": ("/nb/", {}),
    "queued-reports": ("/nb/d", {"TWISTED_REACTOR": "twisted.internet.epollreactor.EPollReactor"}),
}


@pytest.fixture(params=sorted(CASES))
def case(request):
    refuse, settings = CASES[request.param]
    server = PausingServer(refuse)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server, settings
    server.shutdown()
    server.server_close()


def test_retry_after_holds_the_host_then_resumes(case, tmp_path):
    server, settings = case
    port = server.server_address[1]
    registry = tmp_path / "registry.yaml"
    entry = {"name": "pause", "agency": "测试县人民政府", "region_code": "620602",
             "root": f"http://127.0.0.1:{port}/", "cms": "generic"}
    registry.write_text(yaml.safe_dump({"sources": [entry]}, allow_unicode=True), encoding="utf-8")
    result = run_spider(registry, tmp_path, {
        "NIANBAO_CAPTURE_ENABLED": False, "ITEM_PIPELINES": {}, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0, **settings,
    })

    assert server.refused_at is not None
    after = [(moment, path) for moment, path in server.log if moment > server.refused_at]
    assert after, "the crawl stopped at the 429"
    # Nothing reached the host until the second Retry-After asked for had passed.
    assert min(moment for moment, _ in after) - server.refused_at >= 0.95
    statuses = {item["url"].rsplit("/", 1)[-1]: item["status"] for item in result["items"]}
    assert statuses == {"d1.html": 200, "d2.html": 200, "d3.html": 200, "d4.html": 200}
    assert result["stats"]["retry_after/held"] == 1


def test_retry_after_values():
    now = datetime(2026, 3, 1, 8, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120", now) == 120
    assert retry_after_seconds(b"Sun, 01 Mar 2026 08:00:30 GMT", now) == 30
    assert retry_after_seconds(b"Sun, 01 Mar 2026 07:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds(b"soon", now) is None
    assert retry_after_seconds(None, now) is None
