"""The ``reports`` spider for a shared crawl: its column set lives in Redis.

Every worker runs the spider's ``start()`` in full: root requests meet the shared duplicate
filter, and column requests (which bypass it) this shared set, so each is queued once
whichever worker gets there first, and a worker that joins late or restarts re-seeds nothing.

A column is claimed in the same step as its request is queued (crawler/distributed/
scheduler.py), not when the spider names it: a worker killed between the two would leave a
column claimed and never queued, and the worker that parses the page again after it would
find the claim and skip the column for good.
"""

from __future__ import annotations

from scrapy import Request

from crawler.distributed.scheduler import CLAIM_META
from crawler.spiders.reports import ReportsSpider


class DistributedReportsSpider(ReportsSpider):
    name = "reports"

    def claim_column(self, request: Request) -> Request | None:
        request.meta[CLAIM_META] = request.url
        return request
