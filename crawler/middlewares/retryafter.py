"""Honour ``Retry-After`` on 429 and 503: pause the whole host, not just the one request.

Scrapy 2.19's ``RetryMiddleware`` retries 429/503 but ignores ``Retry-After``, and its delays
are per request. A server that says "come back in 60 s" means every request to it, so this
extension holds the host's download slot: nothing more is sent to that host until the time
the server named (capped by ``NIANBAO_RETRY_AFTER_MAX`` seconds); then the slot's queue,
including the retry that ``RetryMiddleware`` schedules, resumes.

It listens to ``response_downloaded`` like ``AutoThrottle`` does, not to a middleware hook:
the downloader sends the slot's next request as soon as a response is in, before any
downloader middleware sees it, and that signal is the one moment in between.

Stats: ``retry_after/held`` (times a host was paused) and ``retry_after/max_seconds``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import call_later

if TYPE_CHECKING:
    from scrapy.core.downloader import Downloader, Slot
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfter:
    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        self.crawler = crawler
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfter:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off: nothing is retried, so nothing waits")
        extension = cls(crawler, crawler.settings.getfloat("NIANBAO_RETRY_AFTER_MAX", 300.0))
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        return extension

    def response_downloaded(self, response: Response, request: Request, spider: object = None) -> None:
        if response.status in RETRY_AFTER_STATUSES:
            seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
            if seconds:
                self.hold(request, min(seconds, self.max_wait))

    def hold(self, request: Request, seconds: float) -> None:
        """Send nothing more to ``request``'s download slot for ``seconds``."""
        downloader: Downloader = self.crawler.engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, self._release, downloader, slot)
        stats = self.crawler.stats
        stats.inc_value("retry_after/held")
        stats.max_value("retry_after/max_seconds", seconds)
        logger.info("Holding %s for %.1f s (Retry-After on %s %s)", key, seconds, request.method, request.url)

    @staticmethod
    def _release(downloader: Downloader, slot: Slot) -> None:
        slot.latercall = None
        # The downloader's own latercall does exactly this; there is no public "resume" call.
        downloader._process_queue(slot)
