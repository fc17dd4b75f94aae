"""Scrapy responses made from archived answers: an answer as it was captured, served again.

The payload is the recorded one, still content-encoded, with the recorded header bytes, so
the downloader middlewares above (HttpCompressionMiddleware) treat it exactly as a live answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urldefrag

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.records import RecordedAnswer


def archived_response(answer: RecordedAnswer, request: Request, flags: Iterable[str] = ()) -> Response:
    """``answer`` (``archive.records.read_answer``) as the download handler would give it for
    ``request``: at the URL without its fragment, which is never sent."""
    url = urldefrag(request.url)[0]
    headers = Headers(answer.headers)
    cls = responsetypes.from_args(headers=headers, url=url, body=answer.payload)
    return cls(
        url=url,
        status=answer.status,
        headers=headers,
        body=answer.payload,
        request=request,
        flags=list(flags),
        protocol=answer.protocol,
    )
