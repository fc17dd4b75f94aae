"""A raw-bytes HTTP server on 127.0.0.1 with the WARC fidelity matrix.

Every answer is written byte for byte (chunk framing, gzip, repeated and GBK headers, cut
bodies), and every request is logged as the exact bytes received, so tests can compare WARC
records with what crossed the wire.
"""

from __future__ import annotations

import gzip
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass

HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开工作年度报告</title>"
    "</head><body><p>" + "2023年度本机关政府信息公开工作情况。" * 40 + "</p></body></html>"
).encode("utf-8")
GZIPPED = gzip.compress(HTML, mtime=0)
CHUNKS = (HTML[:1000], HTML[1000:1517], HTML[1517:])
GZIP_CHUNKS = (GZIPPED[:300], GZIPPED[300:])
GBK_DISPOSITION = 'attachment; filename="2023年政府信息公开工作年度报告.pdf"'.encode("gbk")
PDF = b"%PDF-1.4\n% nianbao fidelity test\n%%EOF\n"
COOKIES = (b"a=1; Path=/", b"b=2; Path=/; HttpOnly", b"a=3; Path=/private")
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
TRUNCATED_LENGTH = 1000
TRUNCATED_SENT = HTML[:100]
BIG_LENGTH = 100_000
REDIRECTS = {  # path -> (status, location)
    "/redirect/3": (302, "/redirect/2"),
    "/redirect/2": (301, "/redirect/1"),
    "/redirect/1": (307, "/plain?from=redirect"),
}


@dataclass(frozen=True)
class Received:
    method: str
    target: str
    raw: bytes  # request line, headers, blank line and body, exactly as read


@dataclass(frozen=True)
class Answer:
    data: bytes
    close: bool = False
    hang: bool = False  # say nothing until the client hangs up (a timeout)


def message(status_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> bytes:
    head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return status_line + b"\r\n" + head + b"\r\n" + body


def with_length(
    status_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes, head_only: bool = False
) -> Answer:
    headers = [*headers, (b"Content-Length", str(len(body)).encode())]
    return Answer(message(status_line, headers, b"" if head_only else body))


def chunked(headers: list[tuple[bytes, bytes]], chunks: tuple[bytes, ...]) -> Answer:
    framed = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    return Answer(message(b"HTTP/1.1 200 OK", [*headers, (b"Transfer-Encoding", b"chunked")], framed))


HTML_TYPE = (b"Content-Type", b"text/html; charset=utf-8")


def route(req: Received) -> Answer:
    path, _, _query = req.target.partition("?")
    head_only = req.method == "HEAD"
    ok = b"HTTP/1.1 200 OK"
    if path == "/robots.txt":
        return with_length(ok, [(b"Content-Type", b"text/plain")], ROBOTS)
    if path in ("/plain", "/head"):
        return with_length(ok, [HTML_TYPE], HTML, head_only)
    if path == "/gzip":
        return with_length(ok, [HTML_TYPE, (b"Content-Encoding", b"gzip")], GZIPPED)
    if path == "/chunked":
        return chunked([HTML_TYPE], CHUNKS)
    if path == "/chunked-gzip":
        return chunked([HTML_TYPE, (b"Content-Encoding", b"gzip")], GZIP_CHUNKS)
    if path == "/http10":
        return Answer(message(b"HTTP/1.0 200 OK", [HTML_TYPE], HTML), close=True)
    if path == "/cookies":
        return with_length(ok, [HTML_TYPE, *((b"Set-Cookie", c) for c in COOKIES)], HTML)
    if path == "/gbk":
        headers = [(b"Content-Type", b"application/pdf"), (b"Content-Disposition", GBK_DISPOSITION)]
        return with_length(ok, headers, PDF)
    if path in REDIRECTS:
        status, location = REDIRECTS[path]
        line = b"HTTP/1.1 %d Redirect" % status
        return with_length(line, [(b"Location", location.encode())], b"")
    if path == "/not-modified":
        return Answer(message(b"HTTP/1.1 304 Not Modified", [(b"ETag", b'"v1"')]))
    if path == "/error":
        return with_length(b"HTTP/1.1 500 Internal Server Error", [HTML_TYPE], b"<p>error</p>")
    if path == "/truncated":
        headers = [HTML_TYPE, (b"Content-Length", str(TRUNCATED_LENGTH).encode())]
        return Answer(message(ok, headers, TRUNCATED_SENT), close=True)
    if path == "/big":
        headers = [HTML_TYPE, (b"Content-Length", str(BIG_LENGTH).encode())]
        return Answer(message(ok, headers, b"x" * BIG_LENGTH))
    if path == "/hang":
        return Answer(b"", close=True, hang=True)
    if path == "/echo" and req.method == "POST":
        body = req.raw.partition(b"\r\n\r\n")[2]
        return with_length(ok, [(b"Content-Type", b"text/plain")], body)
    return with_length(b"HTTP/1.1 404 Not Found", [HTML_TYPE], b"<p>not found</p>")


class _Handler(socketserver.StreamRequestHandler):
    server: FidelityServer

    def handle(self) -> None:
        while received := self._read_request():
            self.server.received.append(received)
            answer = self.server.route(received)
            if answer.hang:
                self.rfile.read()
                return
            try:
                self.wfile.write(answer.data)
                self.wfile.flush()
            except OSError:  # the client gave up (size limit): nothing left to serve
                return
            if answer.close:
                return

    def _read_request(self) -> Received | None:
        line = self.rfile.readline()
        if not line.strip():
            return None
        head = [line]
        length = 0
        while (header := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
            head.append(header)
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        head.append(b"\r\n")
        method, target, _ = line.decode("latin-1").split(" ", 2)
        return Received(method, target, b"".join(head) + self.rfile.read(length))


class FidelityServer(socketserver.ThreadingTCPServer):
    """``with FidelityServer() as server:`` serves on ``server.base`` until the block ends."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, route: Callable[[Received], Answer] = route) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.route = route
        self.received: list[Received] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FidelityServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
