"""HTTP messages as the sample web sends them, byte for byte.

The standard library's response helpers normalise what real government servers get wrong or
do differently (header bytes that are not Latin-1, chunk framing, repeated headers), so the
sample web builds every response itself: a status line, headers as raw bytes, and a body that
may be gzip-encoded and chunk-framed here.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

REASONS = {
    200: "OK", 206: "Partial Content", 301: "Moved Permanently", 302: "Found",
    304: "Not Modified", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}
# Chunk sizes cycle through uneven values so chunk boundaries fall inside multi-byte characters.
CHUNK_SIZES = (1000, 4093, 517, 8192)


@dataclass(frozen=True)
class Request:
    """What a client sent: method, target (path and query), headers, body."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.target).query, keep_blank_values=True).items()}

    def form(self) -> dict[str, str]:
        """The urlencoded POST body as a dict (last value wins); undecodable bytes are replaced."""
        text = self.body.decode("utf-8", "replace")
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True)
class Response:
    """A response before transport: ``headers`` are (name, raw bytes) pairs, repeats allowed.

    ``cacheable`` responses get an ETag and Last-Modified derived from their body and answer
    conditional requests with 304; ``gzip`` and ``chunked`` are transport choices made by the
    fault layer; ``delay`` is extra seconds before the response is written.
    """

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, bytes], ...] = ()
    cacheable: bool = False
    modified: datetime | None = None
    gzip: bool = False
    chunked: bool = False
    delay: float = 0.0

    def with_header(self, name: str, value: bytes | str) -> Response:
        raw = value if isinstance(value, bytes) else value.encode("latin-1")
        return replace(self, headers=self.headers + ((name, raw),))

    def encode(self, *, head: bool = False) -> list[bytes]:
        """The bytes on the wire as a list of writes: head first, then body chunks."""
        body = gzip.compress(self.body, mtime=0) if self.gzip else self.body
        lines = [f"HTTP/1.1 {self.status} {REASONS.get(self.status, 'Unknown')}".encode("ascii")]
        headers = list(self.headers)
        if self.content_type and self.status != 304:
            headers.insert(0, ("Content-Type", self.content_type.encode("ascii")))
        if self.gzip:
            headers += [("Content-Encoding", b"gzip"), ("Vary", b"Accept-Encoding")]
        if self.status != 304:
            framing = ("Transfer-Encoding", b"chunked") if self.chunked else ("Content-Length", b"%d" % len(body))
            headers.append(framing)
        lines += [name.encode("ascii") + b": " + value for name, value in headers]
        writes = [b"\r\n".join(lines) + b"\r\n\r\n"]
        if head or self.status == 304:
            return writes
        if self.chunked:
            writes += list(chunk_frames(body))
        elif body:
            writes.append(body)
        return writes


def chunk_frames(body: bytes):
    """Chunked transfer coding written by hand: uneven chunks, then the last-chunk."""
    offset, index = 0, 0
    while offset < len(body):
        size = CHUNK_SIZES[index % len(CHUNK_SIZES)]
        piece = body[offset : offset + size]
        yield b"%x\r\n" % len(piece) + piece + b"\r\n"
        offset += len(piece)
        index += 1
    yield b"0\r\n\r\n"


def entity_tag(body: bytes) -> str:
    """A strong validator derived only from the body: equal bodies, equal tags."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """Whether a conditional GET/HEAD matches (If-None-Match first, as RFC 9110 orders them)."""
    if request.method not in ("GET", "HEAD"):
        return False
    inm = request.header("if-none-match")
    if inm:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.header("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return modified.replace(microsecond=0) <= since
    return False
