"""CatalogPipeline: the last item pipeline, writing captures and documents to the catalog."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals

from archive.catalog import Catalog, is_document
from archive.diskfull import DISK_FULL, is_disk_full, stop_crawl
from archive.history import derive
from archive.signals import capture_written

logger = logging.getLogger(__name__)

PROVENANCE_KEYS = ("url", "status", "source", "record_id", "role", "column", "parent_url")
CATALOG_ERROR = "catalog_error"


def catalog_path(settings) -> Path:
    """``NIANBAO_CATALOG`` if set, else ``<NIANBAO_DATA_DIR>/catalog.db``."""
    explicit = settings.get("NIANBAO_CATALOG")
    return Path(explicit) if explicit else Path(settings.get("NIANBAO_DATA_DIR")) / "catalog.db"


class CatalogPipeline:
    """Writes a ``captures`` row per ``capture_written`` signal and a document per extracted item.

    Items without an extraction record, or without a WARC record id to key them, pass through
    untouched: a document must point at the evidence it came from. ``is_document`` decides, as
    it does when the catalog is rebuilt from the WARC files; the spider yields no item for an
    answer that is no new version (``archive.versions``). When the crawl is over the history
    is derived (``archive.history``). A catalog that cannot be written stops the crawl
    (``disk_full`` when there is no room): the WARC files hold everything, and a resumed
    nightly run indexes them again.
    """

    def __init__(self, path: str | Path, crawler=None):
        self.catalog = Catalog(path)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> CatalogPipeline:
        pipeline = cls(catalog_path(crawler.settings), crawler)
        crawler.signals.connect(pipeline.capture_written, signal=capture_written)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        # engine_stopped, not close_spider: the capture extension reports its last records
        # while spider_closed handlers are still draining its queue.
        crawler.signals.connect(pipeline.engine_stopped, signal=signals.engine_stopped)
        return pipeline

    def capture_written(self, capture: Any) -> None:
        self._write(self.catalog.add_capture, dataclasses.asdict(capture))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        record = adapter.get("extracted")
        if record is not None and adapter.get("record_id") and is_document(adapter.get("role"), adapter.get("status")):
            self._write(self.catalog.add_document, {key: adapter.get(key) for key in PROVENANCE_KEYS}, record)
        return item

    def spider_idle(self) -> None:
        # Idle means no request in flight: a good moment to make the catalog durable.
        self._write(self.catalog.flush)

    def engine_stopped(self) -> None:
        # The workers of a distributed crawl share the catalog: the command that started them
        # derives once after the last has stopped (NIANBAO_DERIVE_HISTORY off in the workers).
        # A nightly run derives what it captured (NIANBAO_RUN_ID), not the whole archive.
        settings = self.crawler.settings if self.crawler is not None else None
        derive_history = settings is None or settings.getbool("NIANBAO_DERIVE_HISTORY")
        if self._write(self.catalog.flush) and derive_history:
            self._write(derive, self.catalog.db, settings.get("NIANBAO_RUN_ID") if settings else None)
        try:
            self.catalog.close()
        except sqlite3.Error as exc:
            logger.error("catalog %s: rows not written: %r", self.catalog.path, exc)

    def _write(self, action: Callable[..., object], *args: Any) -> bool:
        """Run a catalog write; a failure is logged and stops the crawl. True if it succeeded."""
        try:
            action(*args)
        except sqlite3.Error as exc:
            logger.error("catalog %s: write failed: %r", self.catalog.path, exc)
            if self.crawler is not None:
                stop_crawl(self.crawler, DISK_FULL if is_disk_full(exc) else CATALOG_ERROR)
            return False
        return True
