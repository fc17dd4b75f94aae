"""A full disk ends the crawl cleanly, with reason ``disk_full``.

The WARC writer cuts a file back to its last whole exchange when a write fails, and SQLite
rolls back a transaction it cannot write, so what is on disk stays whole; stopping at the
first such error keeps the crawl from fetching what it can no longer keep.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

DISK_FULL = "disk_full"
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
SQLITE_FULL = 13  # sqlite3.Error.sqlite_errorcode of "database or disk is full"
STOP_REASON = "nianbao/stop_reason"


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says there is no room left to write."""
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS


def stop_crawl(crawler: Crawler, reason: str) -> None:
    """Close the spider with ``reason``.

    The first reason is kept in the stats as ``nianbao/stop_reason`` even when the spider is
    closing already (a write that fails while the last records are drained): the crawl did
    not end the way its finish reason says.
    """
    if crawler.stats.get_value(STOP_REASON) is None:
        logger.error("stopping the crawl: %s", reason)
        crawler.stats.set_value(STOP_REASON, reason)
    engine = crawler.engine
    if engine is not None and engine.spider is not None and engine.running:
        deferred_from_coro(engine.close_spider_async(reason=reason))
