"""The distributed recheck of known documents on a real redis-server: asked once, when the
whole shared crawl is quiet, and only for documents no worker requested.

``QUIET_CLAIM`` is run as ``SharedRecheckKnown`` runs it, on keys laid out as the scheduler
and the heartbeat lay them out; the crawl's end is judged by the heartbeat's own ``SURVEY``.
The filtering is driven through ``spider_idle`` of a real Crawler built from the worker's
settings (its real extensions, spider, fingerprinter and Redis scheduler, a real SQLite
catalog); only the engine is a stand-in, whose ``crawl`` queues into that scheduler as
``ExecutionEngine.crawl`` does.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.test import get_crawler, get_reactor_settings
from test_distributed import redis, redis_url  # noqa: F401  (fixtures)

from archive.catalog import Catalog
from crawler.distributed.heartbeat import SURVEY, Heartbeat, join
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.politeness import host_of
from crawler.distributed.recheck import QUIET_CLAIM, RECHECK_KEY, SharedRecheckKnown
from crawler.distributed.scheduler import RedisScheduler
from crawler.distributed.spider import DistributedReportsSpider
from crawler.distributed.worker import worker_settings
from sampleweb.server import SampleWeb

TTL_MS = 60_000
SOURCE = "fuzhou-czj"


class Crawl:
    """A shared crawl's keys in Redis, and the two scripts that read them."""

    def __init__(self, client, name: str = "recheck-test") -> None:
        self.client = client
        self.keys = CrawlKeys(name)
        self._claim = client.register_script(QUIET_CLAIM)
        self._survey = client.register_script(SURVEY)

    def join(self, *workers: str) -> None:
        for worker in workers:
            join(self.client, self.keys, worker, TTL_MS)

    def claim(self, worker: str) -> int:
        """What ``SharedRecheckKnown.spider_idle`` of ``worker`` gets."""
        keys = self.keys
        return self._claim(keys=[keys.hosts, keys.workers, keys.prefix + RECHECK_KEY, keys.worker(worker)],
                           args=[keys.prefix, worker, TTL_MS])

    def finished(self) -> bool:
        """Whether a heartbeat's survey finds the crawl finished."""
        finished, _ = self._survey(keys=[self.keys.hosts, self.keys.workers], args=[self.keys.prefix])
        return bool(finished)

    def state(self, worker: str) -> str | None:
        value = self.client.get(self.keys.worker(worker))
        return value.decode() if value is not None else None

    def claimer(self) -> str | None:
        value = self.client.get(self.keys.prefix + RECHECK_KEY)
        return value.decode() if value is not None else None


@pytest.fixture
def crawl(redis) -> Crawl:  # noqa: F811
    return Crawl(redis)


def test_not_quiet_while_a_host_is_queued(crawl):
    crawl.join("a", "b")
    assert crawl.claim("a") == 0  # "b" is busy
    crawl.client.zadd(crawl.keys.hosts, {"127.0.0.12:8800": 0})
    assert crawl.claim("b") == 0  # both idle, but a host has requests queued
    assert (crawl.state("a"), crawl.state("b")) == ("idle", "idle")
    assert crawl.claimer() is None and not crawl.finished()
    crawl.client.delete(crawl.keys.hosts)
    assert crawl.claim("b") == 1


def test_not_quiet_while_another_worker_is_busy_or_has_a_request_in_flight(crawl):
    crawl.join("a", "b")
    assert crawl.claim("a") == 0  # "b" is busy
    assert crawl.state("a") == "idle"  # the claim marked "a" idle on the way
    crawl.client.set(crawl.keys.worker("b"), "idle", px=TTL_MS)
    crawl.client.zadd(crawl.keys.inflight("b"), {"127.0.0.12:8800 request": 0})
    assert crawl.claim("a") == 0  # "b" idle, but with a request in flight
    assert crawl.claimer() is None and not crawl.finished()
    crawl.client.delete(crawl.keys.inflight("b"))
    assert crawl.claim("a") == 1


def test_the_last_worker_to_go_idle_claims_and_stays_busy_until_its_requests_are_queued(crawl):
    crawl.join("a", "b", "c")
    assert crawl.claim("a") == 0
    assert crawl.claim("b") == 0
    assert crawl.finished() is False  # "c" still busy
    assert crawl.claim("c") == 1
    assert crawl.claimer() == "c" and crawl.state("c") == "busy"
    # Until "c" has queued its requests and gone idle again, no survey finds the crawl over.
    assert crawl.finished() is False
    # Every other worker, idle or busy again, now gets -1 and never asks.
    assert [crawl.claim(worker) for worker in ("a", "b", "c")] == [-1, -1, -1]
    crawl.client.set(crawl.keys.worker("a"), "busy", px=TTL_MS)
    assert crawl.claim("a") == -1
    assert crawl.claimer() == "c"
    crawl.client.set(crawl.keys.worker("a"), "idle", px=TTL_MS)
    crawl.client.set(crawl.keys.worker("c"), "idle", px=TTL_MS)  # its heartbeat, after queueing nothing
    assert crawl.finished() is True


def test_a_worker_not_in_the_crawl_gets_minus_one_and_leaves_no_key(crawl):
    crawl.join("a")
    assert crawl.claim("stranger") == -1
    # The crawl finished: a worker removed its keys. A late idle neither asks nor revives it.
    crawl.client.delete(*crawl.client.keys(crawl.keys.prefix + "*"))
    assert crawl.claim("a") == -1
    assert crawl.client.keys(crawl.keys.prefix + "*") == []


def test_a_dead_worker_with_nothing_in_flight_does_not_keep_the_crawl_from_its_recheck(crawl):
    """A member whose key expired (killed) with nothing in flight: the survey that follows a
    worker's idle removes it and finds the crawl finished, so the claim must count it as quiet,
    or the recheck is skipped that night."""
    crawl.join("a", "dead")
    crawl.client.delete(crawl.keys.worker("dead"))
    assert crawl.claim("a") == 1
    assert crawl.finished() is False  # "a" is busy asking


def test_a_dead_worker_with_requests_in_flight_keeps_the_crawl_from_being_quiet(crawl):
    crawl.join("a", "dead")
    crawl.client.delete(crawl.keys.worker("dead"))
    crawl.client.zadd(crawl.keys.inflight("dead"), {"127.0.0.12:8800 request": 0})
    assert crawl.claim("a") == 0  # the survey gives the request back to the queue first
    assert crawl.finished() is False
    assert crawl.client.zcard(crawl.keys.hosts) == 1


# -- which documents the claimer asks for ---------------------------------------------------------


def worker_crawler(data, redis_url: str, keys: CrawlKeys, worker: str, registry):  # noqa: F811
    """A worker's real Crawler, spider and Redis scheduler; the engine a stand-in that queues
    into the scheduler and notes what it was given."""
    settings = worker_settings(data, redis_url, keys.crawl, worker,
                               {"NIANBAO_RECHECK_KNOWN": True, "NIANBAO_REDIS_WORKER_TTL": TTL_MS / 1000})
    # The reactor settings of this test process, not the worker's (which installs its own).
    crawler = get_crawler(DistributedReportsSpider, {**settings.copy_to_dict(), **get_reactor_settings()})
    spider = DistributedReportsSpider.from_crawler(crawler, sources=str(registry), source=SOURCE)
    scheduler = RedisScheduler.from_crawler(crawler)
    scheduler.open(spider)
    crawled: list[str] = []

    def crawl(request) -> None:
        crawled.append(request.url)
        scheduler.enqueue_request(request)

    crawler.engine = SimpleNamespace(crawl=crawl)
    return crawler, spider, crawled


def extension(crawler, kind: type):
    (found,) = [ext for ext in crawler.extensions.middlewares if isinstance(ext, kind)]
    return found


def idle(crawler, spider) -> bool:
    """Send ``spider_idle`` as the engine does; whether some handler kept the spider open."""
    results = crawler.signals.send_catch_log(signals.spider_idle, spider=spider, dont_log=DontCloseSpider)
    return any(getattr(result, "value", None) is not None and isinstance(result.value, DontCloseSpider)
               for _, result in results)


def test_the_claimer_asks_only_for_documents_no_worker_requested(redis, redis_url, tmp_path):  # noqa: F811
    keys, data = CrawlKeys("recheck-filter"), tmp_path / "data"
    with SampleWeb(night=0, port=0) as web:  # its registry only: nothing is fetched
        entries = web.registry()
    registry = tmp_path / "registry.yaml"
    registry.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    site = next(entry for entry in entries if entry["name"] == SOURCE)
    column = site["columns"][0]
    urls = [f"{column}2010{n:02d}/t2010{n:02d}01_8{n:04d}.htm" for n in range(1, 4)]
    # A real catalog holding the three documents, as the crawls of earlier nights left them.
    with Catalog(data / "catalog.db") as catalog:
        for n, url in enumerate(urls):
            catalog.db["captures"].insert({"record_id": f"<urn:uuid:{n}>", "url": url, "fetched_at": "2026-03-23"})
            catalog.db["documents"].insert({"id": f"<urn:uuid:{n}>", "url": url, "source": SOURCE, "role": "detail",
                                            "column_url": column, "parent_url": column})
    (a, a_spider, a_crawled), (b, b_spider, b_crawled) = (
        worker_crawler(data, redis_url, keys, worker, registry) for worker in ("a", "b"))
    assert [type(ext) for ext in b.extensions.middlewares if type(ext) in (SharedRecheckKnown, Heartbeat)] == [
        SharedRecheckKnown, Heartbeat]  # the recheck looks first
    for worker in ("a", "b"):
        join(redis, keys, worker, TTL_MS)
    # A list named the first document this crawl: its fingerprint is in the shared dupefilter.
    named = b_spider.known_document_request(SOURCE, urls[0], "detail", column, column)
    assert b.engine.crawl(named) is None and b_crawled == [urls[0]]
    b_crawled.clear()
    assert redis.sismember(keys.dupefilter, b.request_fingerprinter.fingerprint(named).hex())
    host = host_of(named)
    redis.delete(keys.hosts, keys.host_queue(host))  # ... and was fetched: the frontier is empty again

    assert idle(a, a_spider) is True  # "b" is busy: "a" waits, and does not ask
    assert a_crawled == [] and extension(a, SharedRecheckKnown).done is False
    assert idle(b, b_spider) is True  # "b" is the last to go idle: it asks, and stays open
    assert b_crawled == urls[1:]
    assert b.stats.get_value("nianbao/rechecked") == 2
    assert redis.get(keys.prefix + RECHECK_KEY) == b"b"
    assert redis.zcard(keys.host_queue(host)) == 2  # queued: the crawl is not finished
    assert idle(a, a_spider) is True and a_crawled == []  # "a" never asks
    assert extension(a, SharedRecheckKnown).done is True
    assert a.stats.get_value("nianbao/rechecked") is None
    assert idle(b, b_spider) is True and b_crawled == urls[1:]  # nor "b" again
