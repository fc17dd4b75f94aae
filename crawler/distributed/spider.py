"""The ``reports`` spider for a shared crawl: its column set lives in Redis.

Every worker runs the spider's ``start()`` in full: root requests meet the shared duplicate
filter, and column requests (which bypass it) this shared set, so each is queued once
whichever worker gets there first, and a worker that joins late or restarts re-seeds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.distributed.keys import connect_from, crawl_keys
from crawler.spiders.reports import ReportsSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class DistributedReportsSpider(ReportsSpider):
    name = "reports"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedReportsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.claims = connect_from(crawler.settings)
        spider.columns_key = crawl_keys(crawler.settings).columns
        return spider

    def claim_column(self, url: str) -> bool:
        return bool(self.claims.sadd(self.columns_key, url))
