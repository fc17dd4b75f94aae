"""Politeness per host across every worker of a shared crawl.

Scrapy enforces ``CONCURRENT_REQUESTS_PER_DOMAIN`` and the download delay per process; with
several workers a host would see several times the limit. The shared frontier hands a worker
requests only for hosts whose gate is open and that have a lease free (crawler/distributed/
scheduler.py), so a request rarely waits here; ``SharedHostSlots`` is the guarantee: each
request takes a lease on its host in Redis (``HostGate``) before it goes to the local download
slot, and gives it back when the answer or the error is in:

- at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` leases per host exist at once;
- consecutive starts on a host are at least the requesting worker's slot delay apart
  (``DOWNLOAD_DELAY``, as AutoThrottle adjusts it);
- a ``Retry-After`` on 429 or 503 closes the host's gate for every worker (capped by
  ``NIANBAO_RETRY_AFTER_MAX``), as crawler/middlewares/retryafter.py holds the local slot.

A lease names its worker: the leases of a worker that stopped beating (crawler/distributed/
heartbeat.py) are dropped, and every lease expires after the download timeout plus
``NIANBAO_REDIS_WORKER_TTL`` anyway. Times are the Redis server's clock, so the workers'
clocks need not agree. The host is Scrapy's download slot key (``host_of``: the host name).

A request the frontier handed out reserves its host (``host:<host>:handed``) until it starts
here, when the host's place in the frontier moves to the gate's new time; a request that never
starts (robots.txt forbids it, a middleware answered it) gives the reservation back.

It sits last before the download handler (after every other middleware's ``process_request``,
before every other's ``process_response`` and ``process_exception``), so a lease covers the
download and nothing else. Stats: ``politeness/waited`` (requests that waited for a lease: a
Retry-After pause, a robots.txt fetch that took the gate, a longer AutoThrottle delay).
"""

from __future__ import annotations

from itertools import count
from time import monotonic
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed.keys import CrawlKeys, connect_from, crawl_keys, worker_of
from crawler.middlewares.retryafter import RETRY_AFTER_STATUSES, retry_after_seconds

if TYPE_CHECKING:
    import redis
    from scrapy.crawler import Crawler

FULL_POLL_SECONDS = 0.05  # how soon a request for a host at its limit asks again
HANDED_META = "nianbao_handed"  # request.meta key: the frontier's reservation of its host (never pushed)
# Lua, shared by the scripts that read the clock or a host's leases: ``now`` (ms, Redis
# clock), and ``live_leases`` (a host's leases, after dropping expired ones and dead workers').
CLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
LIVE_LEASES = """
local function live_leases(leases, now, worker_prefix)
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  for _, held in ipairs(redis.call('ZRANGE', leases, 0, -1)) do
    local holder = string.match(held, '^(.*):%d+$')
    if holder and redis.call('EXISTS', worker_prefix .. holder) == 0 then
      redis.call('ZREM', leases, held)
    end
  end
  return redis.call('ZCARD', leases)
end
"""
# KEYS: leases, gate, handed, hosts. ARGV: limit, interval ms, lease id ("<worker id>:<n>"),
# lease ms, worker key prefix, handed id ("" = none), host. Returns 0 (leased), ms until the
# gate opens, or -1 (the host is at its limit). Leased: the request's reservation is spent,
# and the frontier may hand out the host's next request when the gate opens again.
ACQUIRE = CLOCK + LIVE_LEASES + """
local gate = tonumber(redis.call('GET', KEYS[2]) or '0')
if gate > now then return gate - now end
if live_leases(KEYS[1], now, ARGV[5]) >= tonumber(ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[2], now + tonumber(ARGV[2]), 'PX', ARGV[2])
end
if ARGV[6] ~= '' and redis.call('GET', KEYS[3]) == ARGV[6] then redis.call('DEL', KEYS[3]) end
redis.call('ZADD', KEYS[4], 'XX', now + tonumber(ARGV[2]), ARGV[7])
return 0
"""
# KEYS: handed, hosts. ARGV: handed id, host. A reservation given back unused: the host is
# ready again (the frontier still looks at its gate).
UNHAND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZADD', KEYS[2], 'XX', 0, ARGV[2])
end
"""
# KEYS: gate. ARGV: pause ms. Never shortens a pause already in force.
PAUSE = CLOCK + """
local gate = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ms = now + tonumber(ARGV[1])
if until_ms > gate then redis.call('SET', KEYS[1], until_ms, 'PX', ARGV[1]) end
return until_ms - now
"""


def host_of(request: Request) -> str:
    """The host a request counts against: Scrapy's download slot key (without per-IP slots)."""
    return request.meta.get("download_slot") or urlparse_cached(request).hostname or ""


class HostGate:
    """Shared per-host leases and pauses in Redis."""

    def __init__(self, client: redis.Redis, keys: CrawlKeys, limit: int, lease_seconds: float) -> None:
        self.client = client
        self.keys = keys
        self.limit = limit
        self.lease_ms = int(lease_seconds * 1000)
        self._acquire = client.register_script(ACQUIRE)
        self._unhand = client.register_script(UNHAND)
        self._pause = client.register_script(PAUSE)

    def try_acquire(self, host: str, lease_id: str, interval: float = 0.0, handed: str = "") -> float | None:
        """Lease a place on ``host`` (``lease_id``: ``<worker id>:<n>``) for a request the
        frontier handed out as ``handed`` (if it was): None when leased, else seconds to wait
        before asking again."""
        keys = [self.keys.host_leases(host), self.keys.host_gate(host), self.keys.host_handed(host), self.keys.hosts]
        args = [self.limit, int(interval * 1000), lease_id, self.lease_ms, self.keys.worker(""), handed, host]
        answer = int(self._acquire(keys=keys, args=args))
        if answer == 0:
            return None
        return FULL_POLL_SECONDS if answer < 0 else answer / 1000

    def release(self, host: str, lease_id: str) -> None:
        """Give a lease back; the frontier looks at the host again at once (it may have been at
        its limit)."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.zrem(self.keys.host_leases(host), lease_id)
            pipe.zadd(self.keys.hosts, {host: 0}, xx=True)
            pipe.execute()

    def unhand(self, host: str, handed: str) -> None:
        """Give back the reservation of a handed-out request that never started."""
        self._unhand(keys=[self.keys.host_handed(host), self.keys.hosts], args=[handed, host])

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
        _, slot = self.crawler.engine.downloader._get_slot(request)
        host, handed = host_of(request), request.meta.get(HANDED_META, "")
        lease_id = f"{self.worker_id}:{next(self._ids)}"
        waited = False
        # The slot starts a download no sooner than its delay after its last one (a start held
        # up by a busy reactor delays the next): a lease taken before then would time the gate
        # from a start still to come, and another worker's request could follow it too closely.
        if (local := slot.lastseen + slot.delay - monotonic()) > 0:
            waited = True
            await sleep(local)
        while (wait := self.gate.try_acquire(host, lease_id, slot.delay, handed)) is not None:
            waited = True
            await sleep(wait)
        if waited:
            self.crawler.stats.inc_value("politeness/waited")
        self._held[request] = (host, lease_id)

    def process_response(self, request: Request, response: Response) -> Response:
        # The pause before the lease goes back: a lease freed first could start another
        # worker's request to the host that has just asked for quiet.
        held = self._held.get(request)
        if held is not None and response.status in RETRY_AFTER_STATUSES:
            seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
            if seconds:
                self.gate.pause(held[0], min(seconds, self.retry_after_max))
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)

    def _release(self, request: Request) -> tuple[str, str] | None:
        held = self._held.pop(request, None)
        if held is not None:
            self.gate.release(*held)
        elif handed := request.meta.get(HANDED_META):
            self.gate.unhand(host_of(request), handed)  # it never reached process_request's lease
        return held
