"""Known documents no list named, asked for again when the shared crawl has run out of requests.

The embedded crawl's ``RecheckKnown`` (crawler/recheck.py) asks when its crawl is idle. A
worker is idle whenever the frontier has nothing ready for it while the others still work:
asking then would fetch documents before their lists name them (with an older provenance),
or ask for some a list is about to name. ``SharedRecheckKnown`` asks only when the shared
crawl is quiet — no host queued, every other worker idle (or dead) with nothing in flight —
and only one worker asks. ``QUIET_CLAIM`` does it in one step: it marks the worker idle, and
if the crawl is quiet claims the recheck (key ``recheck``) and marks the worker busy again,
so no survey finds the crawl finished before its requests are queued. Each worker looks
before its heartbeat does (its ``spider_idle`` runs first), so of two workers going idle the
later one finds the other idle and claims. The claimer reads the known documents then, from
the catalog, and queues those not in the shared duplicate filter: no worker requested them.
"""

from __future__ import annotations

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.distributed.keys import CrawlKeys, connect_from, crawl_keys, worker_of
from crawler.recheck import RecheckKnown

RECHECK_KEY = "recheck"
# KEYS: hosts, workers, recheck claim, own worker key. ARGV: key prefix, own id, TTL (ms).
# Returns 1 (claimed: ask), 0 (not quiet yet), -1 (another worker asked, or the crawl is over:
# a worker found it finished and removed its keys). Quiet as SURVEY counts finished: a member
# whose key expired (dead) holds nothing up unless it left requests in flight — the survey right
# after this worker's claim would remove it and find the crawl finished, the recheck never asked.
QUIET_CLAIM = """
if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return -1 end
redis.call('SET', KEYS[4], 'idle', 'PX', ARGV[3])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if id ~= ARGV[2] then
    local state = redis.call('GET', ARGV[1] .. 'worker:' .. id)
    if (state and state ~= 'idle') or redis.call('ZCARD', ARGV[1] .. 'inflight:' .. id) > 0 then return 0 end
  end
end
redis.call('SET', KEYS[3], ARGV[2])
redis.call('SET', KEYS[4], 'busy', 'PX', ARGV[3])
return 1
"""


class SharedRecheckKnown(RecheckKnown):
    def __init__(self, crawler: Crawler, keys: CrawlKeys, worker_id: str, ttl_ms: int) -> None:
        super().__init__(crawler)
        self.client = connect_from(crawler.settings)
        self.keys = keys
        self.worker_id = worker_id
        self.ttl_ms = ttl_ms
        self._claim = self.client.register_script(QUIET_CLAIM)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRecheckKnown:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_RECHECK_KNOWN"):
            raise NotConfigured("NIANBAO_RECHECK_KNOWN is off")
        ttl_ms = int(settings.getfloat("NIANBAO_REDIS_WORKER_TTL") * 1000)
        extension = cls(crawler, crawl_keys(settings), worker_of(settings), ttl_ms)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    def spider_idle(self, spider: Spider) -> None:
        if self.done:
            return
        keys = self.keys
        claimed = self._claim(keys=[keys.hosts, keys.workers, keys.prefix + RECHECK_KEY, keys.worker(self.worker_id)],
                              args=[keys.prefix, self.worker_id, self.ttl_ms])
        if claimed == 0:
            return  # asked again on the next idle
        self.done = True
        if claimed < 0:
            return
        self.spider_opened()  # the catalog's documents now
        known, self.known = self.known, []
        fingerprint = self.crawler.request_fingerprinter.fingerprint
        self.ask(spider, known, lambda request: not self.client.sismember(keys.dupefilter, fingerprint(request).hex()))
