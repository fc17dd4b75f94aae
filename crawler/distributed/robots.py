"""robots.txt fetched once per host for the whole shared crawl.

A robots.txt middleware fetches each host's robots.txt once per process: with several workers
every host would be asked (and archived) once per worker. ``SharedRobotsTxt`` replaces
``crawler.middlewares.robots.WaitingRobotsTxtMiddleware`` (whose waiting it keeps): the first
worker to need a host's rules claims the fetch in Redis, fetches (through the downloader, so
the exchange is archived in its WARC) and publishes the body; the others wait for the body and
parse the same bytes. A fetch that fails is published as such, and every worker then allows
everything on that host, as Scrapy does. If the claiming worker dies (its heartbeat key
expires, crawler/distributed/heartbeat.py), another worker claims the fetch.

Stats: ``robotstxt/request_count`` (fetched here), ``robotstxt/shared`` (rules read from Redis).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.distributed.keys import connect_from, crawl_keys, worker_of
from crawler.middlewares.robots import WaitingRobotsTxtMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

FETCHED = b"+"  # published value: FETCHED + body, or FAILED
FAILED = b"-"
WAIT_SECONDS = 0.1
# KEYS: claim. ARGV: worker id, claim ms, worker key prefix. A dead worker's claim is void.
CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder and redis.call('EXISTS', ARGV[3] .. holder) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


class SharedRobotsTxt(WaitingRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.client = connect_from(settings)
        self.keys = crawl_keys(settings)
        self.worker_id = worker_of(settings)
        self._claim = self.client.register_script(CLAIM)
        self.claim_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + settings.getfloat("NIANBAO_REDIS_WORKER_TTL")) * 1000)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        if url.netloc in self._parsers:  # known, or being fetched: the parent's waiting applies
            return await super().robot_parser(request)
        pending: Deferred[RobotParser | None] = Deferred()
        self._parsers[url.netloc] = pending
        body = await self._shared_body(f"{url.scheme}://{url.netloc}/robots.txt", url.netloc)
        parser = None if body is None else build_from_crawler(self._parserimpl, self.crawler, body)
        self._parsers[url.netloc] = parser
        pending.callback(parser)
        return parser

    async def _shared_body(self, robots_url: str, netloc: str) -> bytes | None:
        """The host's robots.txt body as one worker fetched it; None if that fetch failed."""
        while True:
            published = self.client.hget(self.keys.robots, netloc)
            if published is not None:
                self._stats.inc_value("robotstxt/shared")
                return published[1:] if published.startswith(FETCHED) else None
            if self._claim(keys=[self.keys.robots_claim(netloc)], args=[self.worker_id, self.claim_ms, self.keys.worker("")]):
                body = await self._fetch(robots_url)
                self.client.hset(self.keys.robots, netloc, FAILED if body is None else FETCHED + body)
                return body
            await sleep(WAIT_SECONDS)

    async def _fetch(self, robots_url: str) -> bytes | None:
        request = Request(robots_url, priority=self.DOWNLOAD_PRIORITY, meta={"dont_obey_robotstxt": True},
                          callback=NO_CALLBACK)
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest:
            return None
        except Exception as exc:  # as Scrapy's middleware: a host without rules is crawled
            logger.error("Error downloading %s: %s", robots_url, exc)
            return None
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        return response.body
