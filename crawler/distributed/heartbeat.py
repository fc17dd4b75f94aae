"""Membership of a shared crawl: who is alive, when the crawl is over, and what the dead leave.

Each worker keeps a key ``worker:<id>`` (``busy`` or ``idle``) that expires after
``NIANBAO_REDIS_WORKER_TTL`` seconds unless refreshed. The ``Heartbeat`` extension refreshes
it, and regularly runs ``SURVEY``: a worker whose key has expired is dead, and its in-flight
requests go back to their hosts' queues for the others.

A worker whose own crawl is idle is not done: others may still add requests. It raises
``DontCloseSpider`` until ``SURVEY`` finds the crawl finished (every host's queue empty,
every live worker idle with nothing in flight), then deletes the crawl's keys and closes with
``finished``. Idle workers poll the queue every ``POLL_SECONDS``.

Stats: ``distributed/reclaimed`` (requests taken back from dead workers).
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call

from crawler.distributed.keys import CrawlKeys, connect_from, crawl_keys, worker_of
from crawler.distributed.scheduler import QUEUE_AGAIN, wake_engine

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
# KEYS: hosts, workers. ARGV: key prefix. Returns {finished (0/1), requests reclaimed}.
SURVEY = QUEUE_AGAIN + """
local finished = redis.call('ZCARD', KEYS[1]) == 0
local reclaimed = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local state = redis.call('GET', ARGV[1] .. 'worker:' .. id)
  local inflight = ARGV[1] .. 'inflight:' .. id
  if not state then
    local leased = redis.call('ZRANGE', inflight, 0, -1, 'WITHSCORES')
    for i = 1, #leased, 2 do
      queue_again(ARGV[1], KEYS[1], leased[i], leased[i + 1])
    end
    reclaimed = reclaimed + #leased / 2
    redis.call('DEL', inflight)
    redis.call('SREM', KEYS[2], id)
  elseif state ~= 'idle' or redis.call('ZCARD', inflight) > 0 then
    finished = false
  end
end
if reclaimed > 0 then finished = false end
return {finished and 1 or 0, reclaimed}
"""


def join(client: redis.Redis, keys: CrawlKeys, worker_id: str, ttl_ms: int) -> None:
    """Count ``worker_id`` as a busy member of the crawl (its launcher calls this before the
    worker is up, so the crawl cannot be found finished while a worker is still starting)."""
    client.set(keys.worker(worker_id), "busy", px=ttl_ms)
    client.sadd(keys.workers, worker_id)


class Heartbeat:
    """Scrapy extension: joins the crawl, beats, reclaims the dead, and decides when to close."""

    def __init__(self, crawler: Crawler, client: redis.Redis, keys: CrawlKeys, worker_id: str, ttl: float) -> None:
        self.crawler = crawler
        self.client = client
        self.keys = keys
        self.worker_id = worker_id
        self.ttl_ms = int(ttl * 1000)
        self.refresh_every = ttl / 3
        self._survey = client.register_script(SURVEY)
        self._loop = create_looping_call(self.beat)
        self._refreshed = 0.0
        self._finished = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Heartbeat:
        settings = crawler.settings
        extension = cls(
            crawler,
            connect_from(settings),
            crawl_keys(settings),
            worker_of(settings),
            settings.getfloat("NIANBAO_REDIS_WORKER_TTL"),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self) -> None:
        join(self.client, self.keys, self.worker_id, self.ttl_ms)
        self._refreshed = monotonic()
        self._loop.start(POLL_SECONDS, now=False)
        logger.info("Worker %s joined crawl %s", self.worker_id, self.keys.crawl)

    def beat(self) -> None:
        if self._finished:
            return
        try:
            if monotonic() - self._refreshed >= self.refresh_every:
                self._refreshed = monotonic()
                self._refresh()
                self.survey()
        except redis.RedisError as exc:
            logger.error("Heartbeat of worker %s failed: %s", self.worker_id, exc)
        # Scrapy's engine looks at the scheduler on its own events and every 5 s; an idle
        # worker looks sooner for what the others queued.
        wake_engine(self.crawler)

    def _refresh(self) -> None:
        if self.client.pexpire(self.keys.worker(self.worker_id), self.ttl_ms):
            return
        if self.client.exists(self.keys.workers):
            # Stalled past the TTL: the others have taken this worker's leases back.
            logger.warning("Worker %s was taken for dead (no beat for %d ms); rejoining", self.worker_id, self.ttl_ms)
            join(self.client, self.keys, self.worker_id, self.ttl_ms)
        # else another worker found the crawl finished and removed it: spider_idle will close.

    def survey(self) -> bool:
        """Reclaim dead workers' requests; whether the crawl is finished."""
        finished, reclaimed = self._survey(keys=[self.keys.hosts, self.keys.workers], args=[self.keys.prefix])
        if reclaimed:
            self.crawler.stats.inc_value("distributed/reclaimed", int(reclaimed))
            logger.warning("Took back %d requests from workers that stopped beating", reclaimed)
        return bool(finished)

    def spider_idle(self) -> None:
        self.client.set(self.keys.worker(self.worker_id), "idle", px=self.ttl_ms)
        if not self.survey():
            raise DontCloseSpider
        self._finished = True
        logger.info("Crawl %s is finished; removing its keys", self.keys.crawl)
        # The prefix is used literally: glob characters in a crawl name are escaped.
        pattern = "".join(f"[{c}]" if c in "*?[]\\" else c for c in self.keys.prefix) + "*"
        for key in self.client.scan_iter(match=pattern, count=1000):
            self.client.delete(key)

    def engine_stopped(self) -> None:
        if self._loop.running:
            self._loop.stop()
        self.client.delete(self.keys.worker(self.worker_id))
        # Requests still in flight here (a shutdown) go back to the queue: the scheduler returns
        # them now, or a survey finds this worker gone and does; until then it stays listed.
        if not self.client.zcard(self.keys.inflight(self.worker_id)):
            self.client.srem(self.keys.workers, self.worker_id)
