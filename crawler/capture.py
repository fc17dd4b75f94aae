"""The WARC capture extension: every HTTP exchange the downloader completes goes to WARC.

It listens to ``response_downloaded``, which fires right after the download handler and
before any downloader middleware, so the body is still content-encoded and robots.txt,
every redirect hop, every retry and every error status pass through it. Failed downloads
arrive as ``download_failed`` (crawler/middlewares/failures.py). The reactor thread only
copies references into an ``Exchange``; records are built, digested, compressed and written
on the writer thread, which gets the exchanges in batches (``NIANBAO_WARC_WRITE_BATCH``, or
what came in ``NIANBAO_WARC_WRITE_DELAY`` seconds).

The payload is digested on the reactor thread (once: the writer reuses the digest), because
two decisions hang on it before the spider sees the answer: with ``NIANBAO_DEDUP``, a payload
the archive holds already (the digest index, ``archive.digests``) is written as an
``identical-payload-digest`` revisit; and ``request.meta["payload_digest"]`` tells the version
rule (crawler/middlewares/conditional.py) whether the document changed. A 304 answer to a
conditional GET refers to the record in ``request.meta["validated_by"]``. A full disk stops
the crawl (``archive.diskfull``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urldefrag, urlunparse

import scrapy
import sqlite_utils
import twisted
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, NotConfigured, ResponseDataLossError
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.base import DelayedCall
from twisted.internet.threads import deferToThread
from twisted.web.http_headers import Headers as TxHeaders

from archive.catalogpipeline import catalog_path
from archive.digests import DigestIndex, run_originals
from archive.diskfull import DISK_FULL, is_disk_full, stop_crawl
from archive.records import (
    RUN_FIELD,
    Capture,
    Exchange,
    HttpRequest,
    HttpResponse,
    Original,
    digest_of,
    new_record_id,
    warc_date,
)
from archive.warc import BackgroundWriter, RotatingWarcWriter
from archive.signals import capture_written
from crawler.signals import download_failed

logger = logging.getLogger(__name__)

PROVENANCE_KEYS = (
    "source",
    "agency",
    "region_code",
    "role",
    "column",
    "parent_url",
    "list_title",
    "list_date",
    "depth",
    "retry_times",
    "redirect_times",
)
HTTP_SCHEMES = ("http://", "https://")
# Failures raised while an answer was arriving: the request was certainly sent. (A timeout or
# a refused connection may have happened before it was.)
ANSWER_BEGUN = (ResponseDataLossError, DownloadCancelledError)
DEFAULT_PORTS = {"http": 80, "https": 443}
DIGEST_INDEX = Path("state") / "digests.db"  # in the data directory


class WarcCapture:
    """Scrapy extension writing request, response and metadata records for every exchange.

    Sets ``request.meta["warc_record_id"]`` to the response record's id and sends
    ``capture_written`` once the records are on disk. Files are closed on ``spider_closed``.
    """

    def __init__(
        self, crawler: Crawler, writer: RotatingWarcWriter, queue_size: int, digests: DigestIndex | None = None,
        batch_size: int = 1, batch_delay: float = 0.0,
    ) -> None:
        from twisted.internet import reactor

        self.crawler = crawler
        self.digests = digests
        self.run_id = crawler.settings.get("NIANBAO_RUN_ID")
        self.background = BackgroundWriter(
            writer,
            deliver=reactor.callFromThread,
            on_written=self._written,
            on_error=self._write_failed,
            queue_size=queue_size,
            batch_size=batch_size,
        )
        self.batch_delay = batch_delay
        self._reactor = reactor
        self._flush_call: DelayedCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_CAPTURE_ENABLED"):
            raise NotConfigured("NIANBAO_CAPTURE_ENABLED is off")
        writer = RotatingWarcWriter(
            Path(settings.get("NIANBAO_DATA_DIR")) / "warc",
            prefix=settings.get("NIANBAO_WARC_PREFIX"),
            max_size=settings.getint("NIANBAO_WARC_MAX_SIZE"),
            gzip_level=settings.getint("NIANBAO_WARC_GZIP_LEVEL"),
            info=warcinfo_fields(crawler),
        )
        ext = cls(crawler, writer, settings.getint("NIANBAO_WARC_QUEUE_SIZE"), open_digest_index(crawler),
                  settings.getint("NIANBAO_WARC_WRITE_BATCH"), settings.getfloat("NIANBAO_WARC_WRITE_DELAY"))
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.download_failed, signal=download_failed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if not response.url.startswith(HTTP_SCHEMES):
            return
        ids = (new_record_id(), new_record_id(), new_record_id())
        request.meta["warc_record_id"] = ids[1]
        date = datetime.now(timezone.utc)
        answer = http_response(response)
        revisit_of = request.meta.get("validated_by") if response.status == 304 else None
        if answer.body and not answer.truncated and request.method != "HEAD":
            digest = digest_of(answer.body)
            request.meta["payload_digest"] = digest
            answer = replace(answer, payload_digest=digest)
            if self.digests is not None:
                revisit_of = self.digests.original(Original(ids[1], response.url, warc_date(date), digest))
        else:
            request.meta.pop("payload_digest", None)  # a retry's request carries the last attempt's
        self._submit(
            Exchange(
                url=response.url,
                method=request.method,
                date=date,
                ids=ids,
                provenance=provenance(request, spider, self.run_id),
                request=http_request(request),
                response=answer,
                revisit_of=revisit_of,
            )
        )

    def download_failed(self, request: Request, exception: Exception) -> None:
        if not request.url.startswith(HTTP_SCHEMES):
            return
        error = f"{type(exception).__module__}.{type(exception).__qualname__}: {exception}"
        self._submit(
            Exchange(
                url=urldefrag(request.url)[0],
                method=request.method,
                date=datetime.now(timezone.utc),
                ids=(new_record_id(), new_record_id(), new_record_id()),
                provenance=provenance(request, self.crawler.spider, self.run_id),
                request=http_request(request) if isinstance(exception, ANSWER_BEGUN) else None,
                error=error.rstrip(": "),
            )
        )

    async def spider_closed(self, spider: Spider) -> None:
        """Finish the queue and close the current file; the crawl waits for it."""
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
        self.background.flush()
        await maybe_deferred_to_future(deferToThread(self.background.close))
        if self.digests is not None:
            self.digests.close()

    def _submit(self, exchange: Exchange) -> None:
        """Hand the exchange to the writer in a batch, at the latest after ``batch_delay``."""
        self.background.submit(exchange)
        if self._flush_call is None or not self._flush_call.active():
            self._flush_call = self._reactor.callLater(self.batch_delay, self.background.flush)

    def _written(self, capture: Capture) -> None:
        self.crawler.stats.inc_value("nianbao/warc/captures")
        if capture.error:
            self.crawler.stats.inc_value("nianbao/warc/failures")
        self.crawler.signals.send_catch_log(capture_written, capture=capture)

    def _write_failed(self, exchange: Exchange | None, exc: BaseException) -> None:
        self.crawler.stats.inc_value("nianbao/warc/write_errors")
        url = exchange.url if exchange else "(closing file)"
        logger.error("WARC write failed for %s: %r", url, exc)
        if is_disk_full(exc):
            stop_crawl(self.crawler, DISK_FULL)


def http_request(request: Request) -> HttpRequest:
    """The request as Twisted's HTTP/1.1 client writes it.

    Twisted writes the request line (origin form: path, params, query; no fragment), then
    Content-Length (always for POST and PUT), then the headers in its own canonical name case
    and with its whitespace sanitising, then Host if the request had none.
    """
    url = urlparse_cached(request)
    target = urlunparse(("", "", url.path, url.params, url.query, "")) or "/"
    method = request.method.encode("ascii")
    headers = TxHeaders(request.headers)
    lines = [method + b" " + target.encode("ascii") + b" HTTP/1.1\r\n"]
    if request.body or method in (b"POST", b"PUT"):
        lines.append(b"Content-Length: %d\r\n" % len(request.body))
    for name, values in headers.getAllRawHeaders():
        lines.extend(name + b": " + value + b"\r\n" for value in values)
    if not headers.hasHeader(b"Host"):
        lines.append(b"Host: " + _host_value(url.scheme, url.netloc).encode("ascii") + b"\r\n")
    lines.append(b"\r\n")
    return HttpRequest(head=b"".join(lines), body=request.body)


def http_response(response: Response) -> HttpResponse:
    """The answer as the download handler left it: Content-Length is the only framing header
    it keeps (put first, from the announced length), so it is split off here."""
    headers: list[tuple[bytes, bytes]] = []
    announced = None
    for name, values in dict.items(response.headers):
        if name == b"Content-Length":
            announced = int(values[-1]) if values[-1].isdigit() else None
        else:
            headers.extend((name, value) for value in values)
    return HttpResponse(
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        headers=headers,
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        announced_length=announced,
        truncated="disconnect" if "dataloss" in response.flags else None,
    )


def provenance(request: Request, spider: Spider | None, run_id: str | None = None) -> dict[str, object]:
    meta = request.meta
    fields: dict[str, object] = {"spider": spider.name if spider else None}
    fields.update((key, meta[key]) for key in PROVENANCE_KEYS if meta.get(key) is not None)
    if run_id is not None:
        fields["run"] = run_id
    return fields


def open_digest_index(crawler: Crawler) -> DigestIndex | None:
    """The digest index of the data directory, holding the payloads this run archived already
    (a resumed run's), or None when ``NIANBAO_DEDUP`` is off."""
    settings = crawler.settings
    if not settings.getbool("NIANBAO_DEDUP"):
        return None
    index = DigestIndex(Path(settings.get("NIANBAO_DATA_DIR")) / DIGEST_INDEX)
    run_id = settings.get("NIANBAO_RUN_ID")
    catalog = catalog_path(settings)
    if run_id and catalog.is_file():
        db = sqlite_utils.Database(catalog)
        try:
            index.remember(run_originals(db, run_id))
        finally:
            db.close()
    return index


def warcinfo_fields(crawler: Crawler) -> list[tuple[str, object]]:
    settings = crawler.settings
    return [
        (
            "software",
            f"nianbao/{version('nianbao')} Scrapy/{scrapy.__version__}"
            f" Twisted/{twisted.__version__} warcio/{version('warcio')}",
        ),
        ("isPartOf", settings.get("BOT_NAME")),
        ("robots", "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"),
        ("http-header-user-agent", settings.get("USER_AGENT")),
        (RUN_FIELD, settings.get("NIANBAO_RUN_ID")),
    ]


def _host_value(scheme: str, netloc: str) -> str:
    """Twisted's Host value: the authority without the scheme's default port."""
    host, sep, port = netloc.rpartition(":")
    if sep and port.isdigit() and int(port) == DEFAULT_PORTS.get(scheme):
        return host
    return netloc
