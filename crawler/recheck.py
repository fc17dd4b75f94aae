"""Look again at every document the archive holds that no list named in this crawl.

A report taken down disappears from its column's list pages before its URL starts answering
404, and a report moved off the lists may still be published: either way the list pages no
longer lead to it. With ``NIANBAO_RECHECK_KNOWN``, when the crawl runs out of requests this
extension asks once more for every detail page and attachment the catalog has a document of
and this crawl has not requested, with the provenance of its latest document; the answers
(404, a refresh to the column, a failure, or the page as before) make its ``pages`` row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlite_utils
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured

from archive.catalogpipeline import catalog_path
from archive.versions import known_documents

logger = logging.getLogger(__name__)


class RecheckKnown:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.known: list[dict] = []
        self.requested: set[str] = set()
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecheckKnown:
        if not crawler.settings.getbool("NIANBAO_RECHECK_KNOWN"):
            raise NotConfigured("NIANBAO_RECHECK_KNOWN is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    def spider_opened(self) -> None:
        path = catalog_path(self.crawler.settings)
        if path.is_file():
            db = sqlite_utils.Database(path)
            try:
                self.known = known_documents(db)
            finally:
                db.close()

    def request_scheduled(self, request: Request) -> None:
        self.requested.add(request.url)

    def spider_idle(self, spider: Spider) -> None:
        if self.done:
            return
        self.done = True
        known, self.known = self.known, []
        self.ask(spider, [doc for doc in known if doc["url"] not in self.requested])

    def ask(self, spider: Spider, documents: list[dict], wanted: Callable[[Request], bool] = lambda _: True) -> None:
        """Queue a request for each of ``documents`` that ``wanted`` keeps; the crawl stays open."""
        requests = [
            request for doc in documents
            if (request := spider.known_document_request(
                doc["source"], doc["url"], doc["role"], doc["column_url"], doc["parent_url"])) is not None
            and wanted(request)
        ]
        if not requests:
            return
        logger.info("asking again for %d documents no list named", len(requests))
        self.crawler.stats.set_value("nianbao/rechecked", len(requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider
