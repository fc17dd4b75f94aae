"""The shared frontier: per-host queues in Redis, handed out as hosts may start, with leases.

The frontier is host-aware, as Scrapy's ``DownloaderAwarePriorityQueue`` is in one process
(and Heritrix's or Frontera's frontiers are across machines): each host has its own queue of
requests by priority (``host:<host>:queue``), and ``hosts`` lists the hosts with requests
queued, scored by when the frontier may hand out their next one. A pop (``POP``, one Lua
script) takes the first host whose time has come, whose gate is open, that has a lease free
and no request handed out and not yet started (crawler/distributed/politeness.py), and hands
out that host's best request. A request waiting for its host's delay would hold one of the
worker's ``CONCURRENT_REQUESTS`` download places; so the frontier hands out only requests
that can start now, and a worker's places spread over as many hosts. When no host is ready,
the pop says how soon one will be, and the scheduler asks the engine to look again then. (The
engine asks only while it has a download place free, so a worker never holds more than it can
start.)

scrapy-redis pops a request off the shared queue and forgets it: a worker that dies with
requests in flight loses them. Here a pop moves the request, in the same script, from its
host's queue to the worker's in-flight set (``HostFrontier``), and the scheduler keeps a lease
on it until its outcome is durable:

- its follow-up (redirect, retry) is in the shared queue (the follow-up inherits the lease
  in ``request.meta``; ``enqueue_request`` takes it off before pushing), or
- its callback's or errback's output has been scheduled (``request_handled``, sent by
  crawler/distributed/leases.py),

and, in both cases, once the WARC capture of every answer it got is on disk
(``capture_written``). Only then is it removed from the in-flight set. The in-flight sets of
dead workers go back to their hosts' queues (crawler/distributed/heartbeat.py).

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
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from archive.signals import capture_written
from crawler.distributed.keys import CrawlKeys, connect_from, crawl_keys, worker_of
from crawler.distributed.politeness import CLOCK, HANDED_META, LIVE_LEASES, host_of
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

# Lua: ``queue_again`` puts an in-flight member (``<host> <request>``) back in its host's queue.
QUEUE_AGAIN = """
local function queue_again(prefix, hosts, member, score)
  local cut = string.find(member, ' ', 1, true)
  local host = string.sub(member, 1, cut - 1)
  redis.call('ZADD', prefix .. 'host:' .. host .. ':queue', score, string.sub(member, cut + 1))
  redis.call('ZADD', hosts, 'NX', 0, host)
end
"""
# KEYS: dupefilter, hosts, columns, host queue. ARGV: fingerprint ("" = dont_filter), score,
# request, column claimed ("" = none), host.
PUSH_NEW = """
if ARGV[4] ~= '' and redis.call('SADD', KEYS[3], ARGV[4]) == 0 then return 0 end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], 'NX', 0, ARGV[5])
return 1
"""
# KEYS: hosts, inflight, worker, workers. ARGV: worker ttl ms, worker id, key prefix, per-host
# limit, handed id. Returns {member, score}, or ms until the next host may be ready (-1: no
# host has requests queued). A host not ready is rescored to when it may be, so each is looked
# at once (a host at its limit: after a worker TTL, when dead workers' leases have lapsed, or
# sooner when a lease is given back, politeness.HostGate.release). The request handed out
# reserves its host until it starts (politeness.ACQUIRE), for a worker TTL at most and while
# its worker lives; the worker is busy and a member (again, if it had been taken for dead).
POP = CLOCK + LIVE_LEASES + """
while true do
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
  if #first == 0 then break end
  local host = first[1]
  local base = ARGV[3] .. 'host:' .. host .. ':'
  local gate = tonumber(redis.call('GET', base .. 'gate') or '0')
  local handed = redis.call('GET', base .. 'handed')
  local holder = handed and string.match(handed, '^(.*):%d+$')
  local top = redis.call('ZRANGE', base .. 'queue', 0, 0, 'WITHSCORES')
  if #top == 0 then
    redis.call('ZREM', KEYS[1], host)
  elseif gate > now then
    redis.call('ZADD', KEYS[1], gate, host)
  elseif holder and redis.call('EXISTS', ARGV[3] .. 'worker:' .. holder) == 1 then
    redis.call('ZADD', KEYS[1], now + redis.call('PTTL', base .. 'handed'), host)
  elseif live_leases(base .. 'leases', now, ARGV[3] .. 'worker:') >= tonumber(ARGV[4]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), host)
  else
    redis.call('ZREM', base .. 'queue', top[1])
    if redis.call('EXISTS', base .. 'queue') == 0 then
      redis.call('ZREM', KEYS[1], host)
    else
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), host)
    end
    redis.call('SET', base .. 'handed', ARGV[5], 'PX', ARGV[1])
    local member = host .. ' ' .. top[1]
    redis.call('ZADD', KEYS[2], top[2], member)
    redis.call('SET', KEYS[3], 'busy', 'PX', ARGV[1])
    redis.call('SADD', KEYS[4], ARGV[2])
    return {member, top[2]}
  end
end
local soonest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #soonest == 0 then return -1 end
return tonumber(soonest[2]) - now
"""
# KEYS: inflight, hosts. ARGV: key prefix, score, member, score, member, ...
REQUEUE = QUEUE_AGAIN + """
local moved = 0
for i = 2, #ARGV, 2 do
  if redis.call('ZREM', KEYS[1], ARGV[i + 1]) == 1 then
    queue_again(ARGV[1], KEYS[2], ARGV[i + 1], ARGV[i])
    moved = moved + 1
  end
end
return moved
"""
# KEYS: hosts. ARGV: key prefix. Requests queued, over every host.
QUEUED = """
local queued = 0
for _, host in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  queued = queued + redis.call('ZCARD', ARGV[1] .. 'host:' .. host .. ':queue')
end
return queued
"""


class FingerprintDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter keyed by Scrapy's request fingerprints."""

    def __init__(self, server: redis.Redis, key: str, crawler: Crawler) -> None:
        super().__init__(server, key, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.fingerprinter = crawler.request_fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()


@dataclass(frozen=True)
class Popped:
    """A request handed out: its in-flight member (``<host> <request>``) and score."""

    request: Request
    member: bytes
    score: float


class HostFrontier(Base):
    """Per-host queues of serialised requests (scrapy-redis's format); pops are leases on the
    worker's in-flight set, of requests whose host may start now."""

    def __init__(self, server: redis.Redis, spider: Spider, keys: CrawlKeys, worker_id: str, limit: int) -> None:
        # scrapy-redis formats the key with the spider name; a crawl name is used as it is.
        super().__init__(server, spider, keys.hosts.replace("%", "%%"))
        self.keys = keys
        self.worker_id = worker_id
        self.limit = limit
        self.inflight_key = keys.inflight(worker_id)
        self._push_new = server.register_script(PUSH_NEW)
        self._pop = server.register_script(POP)
        self._requeue = server.register_script(REQUEUE)
        self._queued = server.register_script(QUEUED)

    def __len__(self) -> int:
        return int(self._queued(keys=[self.key], args=[self.keys.prefix]))

    def has_hosts(self) -> bool:
        return bool(self.server.zcard(self.key))

    def push_new(self, request: Request, fingerprint: str | None, claim: str | None = None) -> bool:
        """Queue ``request`` unless its fingerprint was seen or the column ``claim`` was
        claimed; False when either was."""
        host = host_of(request)
        data = self._encode_request(request)
        keys = [self.keys.dupefilter, self.key, self.keys.columns, self.keys.host_queue(host)]
        return bool(self._push_new(keys=keys, args=[fingerprint or "", -request.priority, data, claim or "", host]))

    def pop_leased(self, ttl_ms: int, handed: str) -> Popped | float | None:
        """The best request of a host that may start now, handed out as ``handed`` (it stays
        in the in-flight set until acked); else seconds until a host may be ready, or None when
        nothing is queued."""
        keys = [self.key, self.inflight_key, self.keys.worker(self.worker_id), self.keys.workers]
        answer = self._pop(keys=keys, args=[ttl_ms, self.worker_id, self.keys.prefix, self.limit, handed])
        if not isinstance(answer, list):
            return None if answer < 0 else answer / 1000
        member, score = answer
        data = member.split(b" ", 1)[1]
        return Popped(self._decode_request(data), member, float(score))

    def ack(self, member: bytes) -> None:
        self.server.zrem(self.inflight_key, member)

    def requeue(self, leased: list[tuple[bytes, float]]) -> int:
        """Put leased requests back in their hosts' queues; returns how many were still leased here."""
        args: list[Any] = [self.keys.prefix]
        for member, score in leased:
            args += [score, member]
        return int(self._requeue(keys=[self.inflight_key, self.key], args=args)) if leased else 0


@dataclass
class Lease:
    token: int
    member: bytes
    score: float
    unwritten: set[str] = field(default_factory=set)  # record ids of its captures not yet on disk
    handled_at: float | None = None  # monotonic time of request_handled (or its equivalent)


class RedisScheduler(Scheduler):
    """scrapy-redis's ``Scheduler`` on ``HostFrontier`` and ``FingerprintDupeFilter``.

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
        self._wake: CallLaterResult | None = None

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
        limit = self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.queue = HostFrontier(self.server, spider, self.keys, self.worker_id, limit)
        if waiting := len(self.queue):
            logger.info("Joining crawl %s: %d requests queued", self.keys.crawl, waiting)

    def close(self, reason: str) -> None:
        """Nothing to flush: the queue belongs to the crawl, not to this worker."""

    def enqueue_request(self, request: Request) -> bool:
        parent = request.meta.pop(LEASE_META, None)  # a redirect or retry of a leased request
        claim = request.meta.pop(CLAIM_META, None)
        request.meta.pop(HANDED_META, None)  # a follow-up's copy of its parent's reservation
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        added = self.queue.push_new(request, fingerprint, claim)
        if added:
            self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
        if parent is not None:
            self._handle(parent)
        return added

    def has_pending_requests(self) -> bool:
        return self.queue.has_hosts()

    def next_request(self) -> Request | None:
        token = next(self._tokens)
        popped = self.queue.pop_leased(self.ttl_ms, f"{self.worker_id}:{token}")
        if not isinstance(popped, Popped):
            if popped is not None:
                self._wake_engine_in(popped)
            return None
        request = popped.request
        self.leases[token] = Lease(token, popped.member, popped.score)
        request.meta[LEASE_META] = token
        request.meta[HANDED_META] = f"{self.worker_id}:{token}"
        # A follow-up carries its parent's record id in its copied meta; this request has none yet.
        request.meta.pop("warc_record_id", None)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _wake_engine_in(self, seconds: float) -> None:
        """Have the engine ask again when the next host may be ready: it asks on its own only
        when a download ends, or every few seconds. The latest answer is the one to keep."""
        if self._wake is not None:
            self._wake.cancel()
        self._wake = call_later(seconds, wake_engine, self.crawler)

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
        if self._wake is not None:
            self._wake.cancel()
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
        self.queue.ack(lease.member)
        self.stats.inc_value("distributed/leases/acked")

    def _requeue(self, leases: list[Lease]) -> None:
        for lease in leases:
            self._forget(lease)
        moved = self.queue.requeue([(lease.member, lease.score) for lease in leases])
        self.stats.inc_value("distributed/leases/requeued", moved)
        logger.info("Returned %d unfinished requests to the shared queue", moved)

    def _forget(self, lease: Lease) -> None:
        self.leases.pop(lease.token, None)
        for record_id in lease.unwritten:
            self._captures.pop(record_id, None)


def wake_engine(crawler: Crawler) -> None:
    """Have the engine ask the scheduler for requests now. There is no public call for it."""
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()
