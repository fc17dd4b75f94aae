"""The shared frontier: scrapy-redis's scheduler, queue and duplicate filter, with leases.

scrapy-redis pops a request off the shared queue and forgets it: a worker that dies with
requests in flight loses them. Here a pop moves the request, in one Lua script, from the
queue to the worker's in-flight set (``LeasedQueue``), and the scheduler keeps a lease on it
until its outcome is durable:

- its follow-up (redirect, retry) is in the shared queue (the follow-up inherits the lease
  in ``request.meta``; ``enqueue_request`` takes it off before pushing), or
- its callback's or errback's output has been scheduled (``request_handled``, sent by
  crawler/distributed/leases.py),

and, in both cases, once the WARC capture of every answer it got is on disk
(``capture_written``). Only then is it removed from the in-flight set. The in-flight sets of
dead workers go back to the queue (crawler/distributed/heartbeat.py).

Deduplication and push are one script too, so no request is marked seen without being
queued, and so is the spider's claim on a column (``CLAIM_META``, crawler/distributed/
spider.py), so no column is claimed without being queued. Fingerprints are Scrapy's own
(``crawler.request_fingerprinter``): the shared crawl drops exactly what the embedded crawl
drops.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import count
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from archive.signals import capture_written
from crawler.distributed.keys import CrawlKeys, connect_from, crawl_keys, worker_of
from crawler.distributed.signals import request_handled

if TYPE_CHECKING:
    import redis
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive.records import Capture

logger = logging.getLogger(__name__)

LEASE_META = "nianbao_lease"  # request.meta key: the scheduler's lease token (never pushed)
CLAIM_META = "nianbao_claim"  # request.meta key: the column URL the request claims (never pushed)

# KEYS: dupefilter, queue, columns. ARGV: fingerprint ("" = dont_filter), score, request,
# column claimed ("" = none).
PUSH_NEW = """
if ARGV[4] ~= '' and redis.call('SADD', KEYS[3], ARGV[4]) == 0 then return 0 end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# KEYS: queue, inflight, worker, workers. ARGV: worker ttl (ms), worker id. Returns {request,
# score} or nil. The worker is busy and a member (again, if it had been taken for dead).
POP_LEASED = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('ZADD', KEYS[2], top[2], top[1])
redis.call('SET', KEYS[3], 'busy', 'PX', ARGV[1])
redis.call('SADD', KEYS[4], ARGV[2])
return top
"""
# KEYS: inflight, queue. ARGV: score, request, score, request, ...
REQUEUE = """
local moved = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZREM', KEYS[1], ARGV[i + 1]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
    moved = moved + 1
  end
end
return moved
"""


class FingerprintDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter keyed by Scrapy's request fingerprints."""

    def __init__(self, server: redis.Redis, key: str, crawler: Crawler) -> None:
        super().__init__(server, key, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.fingerprinter = crawler.request_fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pops are leases on the worker's in-flight set."""

    def __init__(self, server: redis.Redis, spider: Spider, keys: CrawlKeys, worker_id: str) -> None:
        # scrapy-redis formats the key with the spider name; a crawl name is used as it is.
        super().__init__(server, spider, keys.requests.replace("%", "%%"))
        self.dupefilter_key = keys.dupefilter
        self.columns_key = keys.columns
        self.worker_id = worker_id
        self.inflight_key = keys.inflight(worker_id)
        self.worker_key = keys.worker(worker_id)
        self.workers_key = keys.workers
        self._push_new = server.register_script(PUSH_NEW)
        self._pop = server.register_script(POP_LEASED)
        self._requeue = server.register_script(REQUEUE)

    def push_new(self, request: Request, fingerprint: str | None, claim: str | None = None) -> bool:
        """Queue ``request`` unless its fingerprint was seen or the column ``claim`` was
        claimed; False when either was."""
        data = self._encode_request(request)
        keys = [self.dupefilter_key, self.key, self.columns_key]
        return bool(self._push_new(keys=keys, args=[fingerprint or "", -request.priority, data, claim or ""]))

    def pop_leased(self, ttl_ms: int) -> tuple[Request, bytes, float] | None:
        """The next request, its queue member and score; it stays in the in-flight set until acked."""
        keys = [self.key, self.inflight_key, self.worker_key, self.workers_key]
        top = self._pop(keys=keys, args=[ttl_ms, self.worker_id])
        if not top:
            return None
        data, score = top
        return self._decode_request(data), data, float(score)

    def ack(self, data: bytes) -> None:
        self.server.zrem(self.inflight_key, data)

    def requeue(self, leased: list[tuple[bytes, float]]) -> int:
        """Put leased requests back in the queue; returns how many were still leased here."""
        args: list[Any] = []
        for data, score in leased:
            args += [score, data]
        return int(self._requeue(keys=[self.inflight_key, self.key], args=args)) if args else 0


@dataclass
class Lease:
    token: int
    data: bytes
    score: float
    unwritten: set[str] = field(default_factory=set)  # record ids of its captures not yet on disk
    handled_at: float | None = None  # monotonic time of request_handled (or its equivalent)


class RedisScheduler(Scheduler):
    """scrapy-redis's ``Scheduler`` on ``LeasedQueue`` and ``FingerprintDupeFilter``.

    The queue persists when workers close (a crawl ends when all of them are idle, see
    crawler/distributed/heartbeat.py). Stats: ``scheduler/enqueued/redis``,
    ``scheduler/dequeued/redis``, ``distributed/leases/acked``, ``distributed/leases/swept``
    (finished without a ``request_handled``: found at idle) and ``distributed/leases/requeued``.
    """

    def __init__(self, crawler: Crawler, server: redis.Redis, keys: CrawlKeys, worker_id: str, ttl_ms: int) -> None:
        super().__init__(server, persist=True, dupefilter=FingerprintDupeFilter(server, keys.dupefilter, crawler))
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = keys
        self.worker_id = worker_id
        self.ttl_ms = ttl_ms
        self.leases: dict[int, Lease] = {}
        self._tokens = count(1)
        self._captures: dict[str, int] = {}  # record id of a capture being written → lease token

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        scheduler = cls(
            crawler,
            connect_from(settings),
            crawl_keys(settings),
            worker_of(settings),
            int(settings.getfloat("NIANBAO_REDIS_WORKER_TTL") * 1000),
        )
        # Connected after the capture extension (extensions are built before the engine), so
        # response_downloaded finds the record id it has just put in request.meta.
        crawler.signals.connect(scheduler.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(scheduler.request_handled, signal=request_handled)
        crawler.signals.connect(scheduler.capture_written, signal=capture_written)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(scheduler.engine_stopped, signal=signals.engine_stopped)
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.keys, self.worker_id)
        if waiting := len(self.queue):
            logger.info("Joining crawl %s: %d requests queued", self.keys.crawl, waiting)

    def close(self, reason: str) -> None:
        """Nothing to flush: the queue belongs to the crawl, not to this worker."""

    def enqueue_request(self, request: Request) -> bool:
        parent = request.meta.pop(LEASE_META, None)  # a redirect or retry of a leased request
        claim = request.meta.pop(CLAIM_META, None)
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        added = self.queue.push_new(request, fingerprint, claim)
        if added:
            self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
        if parent is not None:
            self._handle(parent)
        return added

    def next_request(self) -> Request | None:
        popped = self.queue.pop_leased(self.ttl_ms)
        if popped is None:
            return None
        request, data, score = popped
        token = next(self._tokens)
        self.leases[token] = Lease(token, data, score)
        request.meta[LEASE_META] = token
        # A follow-up carries its parent's record id in its copied meta; this request has none yet.
        request.meta.pop("warc_record_id", None)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- lease bookkeeping (signal handlers) -------------------------------------------------

    def response_downloaded(self, response: Response, request: Request) -> None:
        lease = self.leases.get(request.meta.get(LEASE_META))
        record_id = request.meta.get("warc_record_id")
        if lease is not None and record_id is not None:
            lease.unwritten.add(record_id)
            self._captures[record_id] = request.meta[LEASE_META]

    def request_handled(self, request: Request) -> None:
        self._handle(request.meta.get(LEASE_META))

    def capture_written(self, capture: Capture) -> None:
        lease = self.leases.get(self._captures.pop(capture.record_id, None))
        if lease is None:
            return
        lease.unwritten.discard(capture.record_id)
        if lease.handled_at is not None and not lease.unwritten:
            self._ack(lease)

    def spider_idle(self) -> None:
        """Nothing of this worker is downloading or being scraped: settle every lease."""
        for lease in list(self.leases.values()):
            if lease.handled_at is None:
                # A path that sends no request_handled (a callback that raised at once).
                self.stats.inc_value("distributed/leases/swept")
                self._handle_lease(lease)
            elif lease.unwritten and monotonic() - lease.handled_at > self.ttl_ms / 1000:
                # Its capture never reached disk (a write error): let the crawl fetch it again.
                self._requeue([lease])

    def engine_stopped(self) -> None:
        """Whatever is still leased (a shutdown, a capture that never reached disk) goes back."""
        if self.leases:
            self._requeue(list(self.leases.values()))

    def _handle(self, token: int | None) -> None:
        lease = self.leases.get(token)
        if lease is not None and lease.handled_at is None:
            self._handle_lease(lease)

    def _handle_lease(self, lease: Lease) -> None:
        lease.handled_at = monotonic()
        if not lease.unwritten:
            self._ack(lease)

    def _ack(self, lease: Lease) -> None:
        self._forget(lease)
        self.queue.ack(lease.data)
        self.stats.inc_value("distributed/leases/acked")

    def _requeue(self, leases: list[Lease]) -> None:
        for lease in leases:
            self._forget(lease)
        moved = self.queue.requeue([(lease.data, lease.score) for lease in leases])
        self.stats.inc_value("distributed/leases/requeued", moved)
        logger.info("Returned %d unfinished requests to the shared queue", moved)

    def _forget(self, lease: Lease) -> None:
        self.leases.pop(lease.token, None)
        for record_id in lease.unwritten:
            self._captures.pop(record_id, None)
