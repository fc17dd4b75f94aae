"""Replay: the spider and its middlewares run against the archive instead of the web.

``WarcCacheStorage`` is a Scrapy HTTP cache storage (``HTTPCACHE_STORAGE``) whose cache is a
data directory's WARC files. When the spider opens it indexes them (``archive.cdxj``: every
response, revisit and failure dated at or before ``NIANBAO_REPLAY_AS_OF``); each request is
then answered with the closest capture at or before that moment of the same method, URL and
(for POST) body. Revisits are answered with their original's payload; a 3xx is answered as
recorded, so RedirectMiddleware follows the hops again. The answer is what the download
handler gave the live crawl: status, every header as recorded, the body still
Content-Encoded, so HttpCompressionMiddleware and everything after it run unchanged.

Each answer carries its capture's record id in ``request.meta["warc_record_id"]`` and is
announced with ``capture_written``, so the catalog pipeline writes the same ``captures`` and
``documents`` rows the live crawl wrote; at the end the WARC files that answered are linked
into the crawl's own ``warc/`` directory, which keeps it a data directory.

A request the archive cannot answer is a miss. With ``HTTPCACHE_IGNORE_MISSING`` (strict
replay) HttpCacheMiddleware turns it into ``IgnoreRequest``; this storage logs what was
missing and counts it in ``nianbao/replay/miss``. Without it the request goes to the live
web, and the capture extension archives the answer. A recorded failure (a download that never
got an answer) is no answer either: it is written to the catalog, counted in
``nianbao/replay/failure``, and handled like a miss that is not an error.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.settings import BaseSettings

from archive.asof import parse_as_of, warc_datetime
from archive.cdxj import IndexEntry, canonical_body, index_entries
from archive.lookup import answer_at
from archive.rebuild import warc_files
from archive.records import SERVER_NOT_MODIFIED, RecordedAnswer
from archive.signals import capture_written
from archive.snapshot import link_or_copy
from crawler.archived import archived_response

logger = logging.getLogger(__name__)

STORAGE = "crawler.replay.WarcCacheStorage"
DUMMY_POLICY = "scrapy.extensions.httpcache.DummyPolicy"


class ReplayError(RuntimeError):
    """Raised when a replay cannot start: no archive named, or none to read."""


def replay_settings(archive_dir: str | Path, as_of: datetime | None = None, strict: bool = False) -> dict[str, Any]:
    """Settings that make a crawl replay ``archive_dir`` (a data directory) as of ``as_of``."""
    return {
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_STORAGE": STORAGE,
        "HTTPCACHE_POLICY": DUMMY_POLICY,
        "HTTPCACHE_IGNORE_MISSING": strict,
        "HTTPCACHE_IGNORE_HTTP_CODES": [],
        "NIANBAO_REPLAY_DIR": str(archive_dir),
        "NIANBAO_REPLAY_AS_OF": as_of.isoformat() if as_of else None,
    }


class ReplayIndex:
    """The captures of an archive by request, oldest first, and responses by payload digest."""

    def __init__(self, entries: Iterable[IndexEntry]) -> None:
        self.by_request: dict[tuple[str, str, str], list[IndexEntry]] = defaultdict(list)
        self.by_digest: dict[str, list[IndexEntry]] = defaultdict(list)
        self.by_id: dict[str, IndexEntry] = {}
        for entry in sorted(entries, key=lambda e: warc_datetime(e.capture.fetched_at)):
            self.by_request[entry.request].append(entry)
            self.by_id[entry.capture.record_id] = entry
            if entry.capture.record_type == "response" and entry.capture.payload_digest:
                self.by_digest[entry.capture.payload_digest].append(entry)

    def closest(self, method: str, url: str, body: str) -> IndexEntry | None:
        """The latest capture of this request (the index holds nothing after as-of)."""
        captures = self.by_request.get((method, url, body))
        return captures[-1] if captures else None

    def original(self, entry: IndexEntry) -> IndexEntry | None:
        """The response holding a revisit's payload, captured at or before it (itself for a response).

        The response named in WARC-Refers-To, when there is one. Otherwise a
        server-not-modified revisit (a 304) stands for the request's last response, an
        identical-payload one for a response with its payload digest, the URL it refers to
        preferred, then the latest.
        """
        capture = entry.capture
        if capture.record_type != "revisit":
            return entry
        named = self.by_id.get(capture.refers_to or "")
        if named is not None and named.capture.record_type == "response":
            return named
        when = warc_datetime(capture.fetched_at)
        if entry.profile == SERVER_NOT_MODIFIED or capture.status == 304:
            candidates = [e for e in self.by_request.get(entry.request, ()) if e.capture.record_type == "response"]
        else:
            candidates = self.by_digest.get(capture.payload_digest or "", [])
        earlier = [e for e in candidates if warc_datetime(e.capture.fetched_at) <= when]
        target = entry.refers_to_url or capture.url
        return max(earlier, key=lambda e: (e.capture.url == target, warc_datetime(e.capture.fetched_at)), default=None)


class WarcCacheStorage:
    """Scrapy cache storage answering requests from a data directory's WARC files.

    Settings: ``NIANBAO_REPLAY_DIR`` (the data directory to replay, required),
    ``NIANBAO_REPLAY_AS_OF`` (ISO-8601; captures after it are not used), and Scrapy's
    ``HTTPCACHE_IGNORE_MISSING`` for strict replay. ``replay_settings`` sets them all.
    """

    def __init__(self, settings: BaseSettings) -> None:
        archive = settings.get("NIANBAO_REPLAY_DIR")
        if not archive:
            raise ReplayError("HTTPCACHE_STORAGE is the WARC replay storage but NIANBAO_REPLAY_DIR is not set")
        self.warc_dir = Path(archive) / "warc"
        as_of = settings.get("NIANBAO_REPLAY_AS_OF")
        self.as_of = parse_as_of(as_of) if as_of else None
        self.strict = settings.getbool("HTTPCACHE_IGNORE_MISSING")
        self.target_dir = Path(settings.get("NIANBAO_DATA_DIR")) / "warc"
        self.index = ReplayIndex(())
        self.used_files: set[str] = set()

    def open_spider(self, spider: Spider) -> None:
        if not self.warc_dir.is_dir():
            raise ReplayError(f"{self.warc_dir}: no WARC directory to replay")
        self.index = ReplayIndex(
            entry for path in warc_files(self.warc_dir) for entry in index_entries(path, self.as_of)
        )
        when = f" as of {self.as_of.isoformat()}" if self.as_of else ""
        logger.info("replaying %s%s: %d requests archived", self.warc_dir, when, len(self.index.by_request))

    def close_spider(self, spider: Spider) -> None:
        """Link the WARC files that answered into the crawl's data directory."""
        if self.target_dir.resolve() == self.warc_dir.resolve():
            return
        for name in sorted(self.used_files):
            link_or_copy(self.warc_dir / name, self.target_dir / name)

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        stats = spider.crawler.stats
        method = request.method.upper()
        url = urldefrag(request.url)[0]
        body = canonical_body(method, url, request.body, _text(request.headers.get("Content-Type")))
        entry = self.index.closest(method, url, body)
        if entry is None:
            stats.inc_value("nianbao/replay/miss")
            self._log_miss(method, url, body)
            return None
        if entry.is_failure:
            stats.inc_value("nianbao/replay/failure")
            logger.info("recorded failure replayed as no answer: %s %s (%s)", method, url, entry.capture.error)
            self._announce(spider, entry)
            return None
        original = self.index.original(entry)
        if original is None:
            stats.inc_value("nianbao/replay/miss")
            logger.error("revisit %s of %s: its original is not in the archive", entry.capture.record_id, url)
            return None
        stats.inc_value("nianbao/replay/hit")
        if original is not entry:
            stats.inc_value("nianbao/replay/revisit")
        request.meta["warc_record_id"] = entry.capture.record_id
        self._announce(spider, entry)
        self.used_files.add(original.capture.warc_file)
        return self._response(request, entry, original)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        """Nothing to store: a live answer (a miss outside strict mode) is archived by the capture
        extension like any download, and the archive is this cache."""

    def _announce(self, spider: Spider, entry: IndexEntry) -> None:
        self.used_files.add(entry.capture.warc_file)
        spider.crawler.signals.send_catch_log(capture_written, capture=entry.capture)

    def _response(self, request: Request, entry: IndexEntry, original: IndexEntry) -> Response:
        recorded = self._answer(original)
        # An identical-payload revisit keeps the headers of its own answer; a 304 has only the
        # headers of "not modified", so the original's answer is replayed whole.
        own = entry is not original and entry.profile != SERVER_NOT_MODIFIED and entry.capture.status != 304
        answer = dataclasses.replace(self._answer(entry), payload=recorded.payload) if own else recorded
        flags = ["dataloss"] if original.capture.truncated else []
        return archived_response(answer, request, flags=flags)

    def _answer(self, entry: IndexEntry) -> RecordedAnswer:
        return answer_at(self.warc_dir / entry.capture.warc_file, entry.capture.offset)

    def _log_miss(self, method: str, url: str, body: str) -> None:
        when = f" as of {self.as_of.isoformat()}" if self.as_of else ""
        what = f"{method} {url}" + (f" with body {body!r}" if body else "")
        if self.strict:
            logger.error("replay miss: %s is not in the archive %s%s", what, self.warc_dir, when)
        else:
            logger.info("not in the archive%s, fetched live: %s", when, what)


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None
