"""Politeness per host across every worker of a shared crawl.

Scrapy enforces ``CONCURRENT_REQUESTS_PER_DOMAIN`` and the download delay per process; with
several workers a host would see several times the limit. ``SharedHostSlots`` makes each
request take a lease on its host in Redis (``HostGate``) before it goes to the local download
slot, and gives it back when the answer or the error is in:

- at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` leases per host exist at once;
- consecutive starts on a host are at least the requesting worker's slot delay apart
  (``DOWNLOAD_DELAY``, as AutoThrottle adjusts it);
- a ``Retry-After`` on 429 or 503 closes the host's gate for every worker (capped by
  ``NIANBAO_RETRY_AFTER_MAX``), as crawler/middlewares/retryafter.py holds the local slot.

A lease names its worker: the leases of a worker that stopped beating (crawler/distributed/
heartbeat.py) are dropped, and every lease expires after the download timeout plus
``NIANBAO_REDIS_WORKER_TTL`` anyway. Times are the Redis server's clock, so the workers'
clocks need not agree. The host is Scrapy's download slot key (the host name).

It sits last before the download handler (after every other middleware's ``process_request``,
before every other's ``process_response`` and ``process_exception``), so a lease covers the
download and nothing else. Stats: ``politeness/waited`` (requests that waited for a lease).
"""

from __future__ import annotations

from itertools import count
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from crawler.distributed.keys import CrawlKeys, connect_from, crawl_keys, worker_of
from crawler.middlewares.retryafter import RETRY_AFTER_STATUSES, retry_after_seconds

if TYPE_CHECKING:
    import redis
    from scrapy.crawler import Crawler

FULL_POLL_SECONDS = 0.05  # how soon a request for a host at its limit asks again
# KEYS: leases, gate. ARGV: limit, interval ms, lease id ("<worker id>:<n>"), lease ms, worker
# key prefix. Returns 0 (leased), ms until the gate opens, or -1 (the host is at its limit).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gate = tonumber(redis.call('GET', KEYS[2]) or '0')
if gate > now then return gate - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for _, held in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local holder = string.match(held, '^(.*):%d+$')
  if holder and redis.call('EXISTS', ARGV[5] .. holder) == 0 then
    redis.call('ZREM', KEYS[1], held)
  end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[2], now + tonumber(ARGV[2]), 'PX', ARGV[2])
end
return 0
"""
# KEYS: gate. ARGV: pause ms. Never shortens a pause already in force.
PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gate = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ms = now + tonumber(ARGV[1])
if until_ms > gate then redis.call('SET', KEYS[1], until_ms, 'PX', ARGV[1]) end
return until_ms - now
"""


class HostGate:
    """Shared per-host leases and pauses in Redis."""

    def __init__(self, client: redis.Redis, keys: CrawlKeys, limit: int, lease_seconds: float) -> None:
        self.client = client
        self.keys = keys
        self.limit = limit
        self.lease_ms = int(lease_seconds * 1000)
        self._acquire = client.register_script(ACQUIRE)
        self._pause = client.register_script(PAUSE)

    def try_acquire(self, host: str, lease_id: str, interval: float = 0.0) -> float | None:
        """Lease a place on ``host`` (``lease_id``: ``<worker id>:<n>``): None when leased, else
        seconds to wait before asking again."""
        keys = [self.keys.host_leases(host), self.keys.host_gate(host)]
        args = [self.limit, int(interval * 1000), lease_id, self.lease_ms, self.keys.worker("")]
        answer = int(self._acquire(keys=keys, args=args))
        if answer == 0:
            return None
        return FULL_POLL_SECONDS if answer < 0 else answer / 1000

    def release(self, host: str, lease_id: str) -> None:
        self.client.zrem(self.keys.host_leases(host), lease_id)

    def pause(self, host: str, seconds: float) -> None:
        """Start nothing on ``host``, from any worker, for ``seconds``."""
        self._pause(keys=[self.keys.host_gate(host)], args=[max(1, int(seconds * 1000))])

    def holders(self, host: str) -> int:
        return int(self.client.zcard(self.keys.host_leases(host)))


class SharedHostSlots:
    """Downloader middleware: a ``HostGate`` lease around every download."""

    def __init__(self, crawler: Crawler, gate: HostGate, worker_id: str, retry_after_max: float) -> None:
        self.crawler = crawler
        self.gate = gate
        self.worker_id = worker_id
        self.retry_after_max = retry_after_max
        self._ids = count(1)
        self._held: dict[Request, tuple[str, str]] = {}  # request → (host, lease id)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedHostSlots:
        settings = crawler.settings
        gate = HostGate(
            connect_from(settings),
            crawl_keys(settings),
            settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            settings.getfloat("DOWNLOAD_TIMEOUT") + settings.getfloat("NIANBAO_REDIS_WORKER_TTL"),
        )
        return cls(crawler, gate, worker_of(settings), settings.getfloat("NIANBAO_RETRY_AFTER_MAX"))

    async def process_request(self, request: Request) -> None:
        # The slot is made now if this worker has none for the host yet (the downloader would
        # make it next): the lease must close the gate for the delay this download will keep,
        # or every worker's first requests to a host would start together.
        host, slot = self.crawler.engine.downloader._get_slot(request)
        lease_id = f"{self.worker_id}:{next(self._ids)}"
        waited = False
        while (wait := self.gate.try_acquire(host, lease_id, slot.delay)) is not None:
            waited = True
            await sleep(wait)
        if waited:
            self.crawler.stats.inc_value("politeness/waited")
        self._held[request] = (host, lease_id)

    def process_response(self, request: Request, response: Response) -> Response:
        held = self._release(request)
        if held is not None and response.status in RETRY_AFTER_STATUSES:
            seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
            if seconds:
                self.gate.pause(held[0], min(seconds, self.retry_after_max))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)

    def _release(self, request: Request) -> tuple[str, str] | None:
        held = self._held.pop(request, None)
        if held is not None:
            self.gate.release(*held)
        return held
