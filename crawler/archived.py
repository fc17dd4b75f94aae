"""Scrapy responses made from WARC records: an answer as it was captured, served again.

The payload is the recorded one, still content-encoded, with the recorded headers, so the
downloader middlewares above (HttpCompressionMiddleware) treat it exactly as a live answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.recordloader import ArcWarcRecord

from archive.lookup import record_at
from archive.records import header_bytes


def archived_response(
    record: ArcWarcRecord, request: Request, payload: bytes | None = None, flags: Iterable[str] = ()
) -> Response:
    """The answer ``record`` (response or revisit) holds, for ``request``.

    ``payload`` replaces the record's own (a revisit's payload is its original's).
    """
    http = record.http_headers
    headers = Headers()
    for name, value in http.headers:
        headers.appendlist(name, header_bytes(value))
    body = record.raw_stream.read() if payload is None else payload
    protocol = record.rec_headers.get_header("WARC-Protocol")
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=int(http.get_statuscode()),
        headers=headers,
        body=body,
        request=request,
        flags=list(flags),
        protocol=protocol.upper() if protocol else None,
    )


def read_payload(path: Path, offset: int) -> bytes:
    """The recorded payload (content-encoded) of the record at ``offset`` of ``path``."""
    with record_at(path, offset) as (record, _):
        return record.raw_stream.read()
