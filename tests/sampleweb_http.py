"""HTTP helpers for the sample web tests: a plain client and a raw-socket one for byte checks."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urljoin, urlsplit

import lxml.html


def fetch(url: str, *, method: str = "GET", headers: dict | None = None,
          body: bytes | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request, redirects not followed: (status, headers as sent, body de-chunked, not decoded)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                     headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


# Answers a client retries: the sample web's flaky page and its Retry-After list pages fail
# every odd-numbered request of a night.
RETRIED = (429, 500, 503)


def fetch_retrying(url: str, **kwargs) -> tuple[int, list[tuple[str, str]], bytes]:
    """``fetch``, asking once more after a 429, 500 or 503 (without waiting: tests do not sleep)."""
    answer = fetch(url, **kwargs)
    return fetch(url, **kwargs) if answer[0] in RETRIED else answer


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    values = [v for n, v in headers if n.lower() == name.lower()]
    return values[-1] if values else None


def raw(url: str, request_headers: str = "", version: str = "HTTP/1.1") -> bytes:
    """The exact bytes a server sends for a GET (connection closed by us after the reply)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(f"GET {target} {version}\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
                     f"{request_headers}\r\n".encode("latin-1"))
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def split_head(message: bytes) -> tuple[list[bytes], bytes]:
    """Status line and header lines (raw bytes), and the body as sent."""
    head, _, body = message.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def dechunk(body: bytes) -> bytes:
    """Undo chunked transfer coding, checking the framing on the way."""
    out, rest = [], body
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert rest == b"\r\n", "last-chunk must be followed by an empty trailer"
            return b"".join(out)
        out.append(rest[:size])
        assert rest[size:size + 2] == b"\r\n", "chunk data must end with CRLF"
        rest = rest[size + 2:]


def links(html: bytes | str, base: str) -> list[tuple[str, str]]:
    """(link text, absolute URL) for every <a href> of a page."""
    tree = lxml.html.fromstring(html)
    return [(a.text_content().strip(), urljoin(base, a.get("href"))) for a in tree.iter("a")
            if a.get("href") and not a.get("href").startswith("javascript")]


def link_to(html: bytes | str, base: str, text: str) -> str:
    """The URL of the first link whose text is exactly ``text``."""
    for label, url in links(html, base):
        if label == text:
            return url
    raise AssertionError(f"no link with text {text!r}")
