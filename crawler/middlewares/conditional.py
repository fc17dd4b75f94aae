"""Conditional GET for the documents the archive holds, and the version rule for every answer.

Detail pages and attachments whose last 200 answer the catalog holds are requested with that
answer's validators (If-None-Match, If-Modified-Since; ``NIANBAO_CONDITIONAL_GET``); list
pages (root, landing, column, list) always come whole. ``request.meta["validated_by"]`` names
the record the validators stand for, which the 304 revisit record refers to.

Every answer for a detail page or attachment is judged by ``archive.versions`` — the rule the
rebuild follows — and ``request.meta["new_version"]`` says whether it starts a new version of
its URL's document; the spider yields no item (nothing is extracted again) when it does not:
a 304, the same payload as the URL's last answer, a gone status of a URL that has a document.
A 304 for a detail page is answered with the archived page its validators stand for (flag
``not_modified``), so the spider still finds the page's attachments and asks for them.

Priority 595: above HttpCompressionMiddleware (590), so an archived gzip body is decoded like a
live one, and below RedirectMiddleware (600), so only final answers are judged. A URL's state
and validators are read from the catalog when its request or answer comes (indexed lookups:
memory does not grow with the archive or the crawl), and the states judged in this crawl are
remembered for the last ``RECENT_URLS`` URLs, which the catalog may not hold yet.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import sqlite_utils
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from archive.catalog import DOCUMENT_ROLES, is_document
from archive.catalogpipeline import catalog_path
from archive.lookup import RecordNotFound, answer_at
from archive.records import digest_of
from archive.versions import UrlState, Validators, url_state, url_validators
from crawler.archived import archived_response

logger = logging.getLogger(__name__)

NOT_MODIFIED_FLAG = "not_modified"
# URLs whose state this crawl changed, kept here: more than the catalog lags behind the answers
# (its batch of rows, and the responses waiting for extraction: a few thousand at most).
RECENT_URLS = 10_000


class ConditionalGet:
    def __init__(self, catalog: Path, warc_dir: Path, send_validators: bool) -> None:
        self.catalog = catalog
        self.warc_dir = warc_dir
        self.send_validators = send_validators
        self.db: sqlite_utils.Database | None = None
        self.recent: OrderedDict[str, UrlState] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGet:
        settings = crawler.settings
        middleware = cls(
            catalog_path(settings),
            Path(settings.get("NIANBAO_DATA_DIR")) / "warc",
            settings.getbool("NIANBAO_CONDITIONAL_GET"),
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        if self.catalog.is_file():
            self.db = sqlite_utils.Database(self.catalog)

    def spider_closed(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or request.meta.get("role") not in DOCUMENT_ROLES:
            return
        known = self._validators(request.url)
        if known is None:
            return
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        request.meta["validated_by"] = known.original

    def process_response(self, request: Request, response: Response) -> Response:
        role = request.meta.get("role")
        if role not in DOCUMENT_ROLES:
            return response
        status = response.status
        digest = None
        if 200 <= status < 300:
            digest = request.meta.get("payload_digest") or digest_of(response.body)
        state = self._state(response.url)
        new = is_document(role, status) and (state is None or state.is_new_version(status, digest))
        if new or state is not None:
            state = state or UrlState()
            state.advance(status, digest, new)
            self._remember(response.url, state)
        request.meta["new_version"] = new
        if status == 304 and role == "detail" and "validated_by" in request.meta:
            return self._archived(request, response)
        return response

    def _archived(self, request: Request, response: Response) -> Response:
        """The page the validators stood for, as archived; the 304 itself if it cannot be read."""
        known = self._validators(request.url)
        if known is None:
            return response
        try:
            answer = answer_at(self.warc_dir / known.warc_file, known.offset)
        except (OSError, RecordNotFound) as exc:
            logger.warning("%s: archived page %s unreadable (%r); attachments not followed",
                           request.url, known.original.record_id, exc)
            return response
        return archived_response(answer, request, flags=[NOT_MODIFIED_FLAG])

    def _state(self, url: str) -> UrlState | None:
        state = self.recent.get(url)
        if state is None and self.db is not None:
            state = url_state(self.db, url)
        return state

    def _remember(self, url: str, state: UrlState) -> None:
        self.recent[url] = state
        self.recent.move_to_end(url)
        if len(self.recent) > RECENT_URLS:
            self.recent.popitem(last=False)

    def _validators(self, url: str) -> Validators | None:
        if not self.send_validators or self.db is None:
            return None
        return url_validators(self.db, url)
