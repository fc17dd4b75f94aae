"""The distributed crawl on a real redis-server: several workers crawl what one crawls.

Every crawl of the sample web here is served by a fresh ``SampleWeb`` on one shared port, so
URLs and payloads are the same from crawl to crawl (and each crawl meets the one-shot faults
once). Catalogs are compared by what they say (URL, status, payload digest), not by record
ids or dates; WARC files are read back by the rebuild.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import pytest
import yaml
from redisserver import free_port, redis_server
from sampleweb_http import fetch
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archive.rebuild import rebuild_catalog
from crawler.distributed.heartbeat import SURVEY, join
from crawler.distributed.keys import CrawlKeys, connect
from crawler.distributed.pool import Pool, PoolOutcome, finish_workers, start_workers
from crawler.distributed.politeness import HANDED_META, HostGate, host_of
from crawler.distributed.scheduler import HostFrontier, Popped, RedisScheduler
from crawler.distributed.spider import DistributedReportsSpider
from crawler.spiders.reports import ReportsSpider
from sampleweb.server import SampleWeb

KILL_AFTER_BYTES = 100_000  # the victim has archived something before it dies
CRAWL_TIMEOUT = 300


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis(redis_url):
    client = connect(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(scope="module")
def web_port() -> int:
    """A port free on every sample site's address."""
    for _ in range(20):
        port = free_port()
        web = SampleWeb(night=0, port=port)
        try:
            web.start()
        except OSError:
            continue
        web.stop()
        return port
    pytest.fail("no port free on every sample web address")


def write_registry(web: SampleWeb, path: Path) -> Path:
    path.write_text(yaml.safe_dump({"sources": web.registry()}, allow_unicode=True), encoding="utf-8")
    return path


def nianbao(*args: str) -> tuple[int, str, str]:
    """Run the command; (exit code, stdout, stderr). Its workers go with it on a timeout."""
    process = subprocess.Popen([sys.executable, "-m", "nianbao", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=CRAWL_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return process.returncode, out, err


@contextmanager
def stopped_on_failure(pool: Pool) -> Iterator[Pool]:
    """The pool's workers, killed if the test fails before they are finished with."""
    try:
        yield pool
    except BaseException:
        for worker in pool.workers:
            worker.process.kill()
            worker.process.wait()
        raise


def finish(pool: Pool) -> PoolOutcome:
    """``finish_workers``, failing the test (and killing the workers) past ``CRAWL_TIMEOUT``."""
    done: list[PoolOutcome] = []
    waiter = threading.Thread(target=lambda: done.append(finish_workers(pool)), daemon=True)
    waiter.start()
    waiter.join(CRAWL_TIMEOUT)
    if waiter.is_alive():
        for worker in pool.workers:
            worker.process.kill()
        waiter.join()
        pytest.fail("the shared crawl did not finish")
    return done[0]


@pytest.fixture(scope="module")
def single(web_port, tmp_path_factory) -> Path:
    """The data directory of one embedded (single-process) crawl of the whole sample web."""
    root = tmp_path_factory.mktemp("single")
    with SampleWeb(night=0, port=web_port) as web:
        registry = write_registry(web, root / "registry.yaml")
        code, _, err = nianbao("crawl", "--sources", str(registry), "--data", str(root / "data"))
    assert code == 0, err[-3000:]
    return root / "data"


def query(data: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(data / "catalog.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def captures(data: Path) -> Counter:
    """(method, URL, status, payload digest) of every capture, counted."""
    return Counter(query(data, "select method, url, status, payload_digest from captures"))


def documents(data: Path) -> Counter:
    """(URL, payload digest) of every document, counted."""
    return Counter(query(data, "select d.url, c.payload_digest from documents d join captures c on c.record_id = d.id"))


def assert_catalog_is_its_warc_files(data: Path, tmp_path: Path) -> None:
    """The catalog holds exactly what a rebuild from the WARC files alone writes."""
    rebuilt = tmp_path / "rebuilt.db"
    rebuild_catalog(data / "warc", rebuilt)
    live, again = sqlite3.connect(data / "catalog.db"), sqlite3.connect(rebuilt)
    tables = [name for (name,) in live.execute("select name from sqlite_master where type = 'table'")
              if name != "_nianbao_schema" and not name.startswith("sqlite_")]
    assert {"captures", "documents"} <= set(tables)
    for table in tables:
        rows = f"select * from {table}"
        assert sorted(live.execute(rows), key=repr) == sorted(again.execute(rows), key=repr), table


def worker_of(warc_file: str, prefixes: dict[str, str]) -> str:
    (worker,) = [worker for worker, prefix in prefixes.items() if warc_file.startswith(prefix + "-")]
    return worker


# -- the whole crawl -----------------------------------------------------------------------------


def test_two_workers_crawl_what_one_worker_crawls(single, web_port, redis, redis_url, tmp_path):
    with SampleWeb(night=0, port=web_port) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        code, out, err = nianbao("crawl", "--sources", str(registry), "--data", str(tmp_path / "data"),
                                 "--redis", redis_url, "--workers", "2")
    assert code == 0, err[-3000:]
    data = tmp_path / "data"
    exits = [line for line in err.splitlines() if line.startswith("worker ")]
    assert len(exits) == 2 and all(line.endswith(": exit 0") for line in exits), exits
    assert "finish reason: finished" in out

    assert documents(data) == documents(single)
    # The same exchanges; a request captured twice only where one worker alone did so too (a retry).
    assert captures(data) == captures(single)
    robots = [url for (_, url, _, _) in captures(data).elements() if url.endswith("/robots.txt")]
    assert robots and len(robots) == len(set(robots))  # one fetch per host, for all workers

    # Each worker wrote WARC files of its own; the catalog is exactly what they hold.
    files = sorted((data / "warc").iterdir())
    assert files and all(path.name.endswith(".warc.gz") for path in files)
    writers = {path.name.rsplit("-", 3)[0] for path in files}
    assert len(writers) == 2, writers
    assert_catalog_is_its_warc_files(data, tmp_path)
    assert redis.keys("nianbao:*") == []  # the finished crawl removed itself


def test_a_killed_worker_loses_nothing(single, web_port, redis, redis_url, tmp_path):
    data = tmp_path / "data"
    with SampleWeb(night=0, port=web_port) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        with stopped_on_failure(start_workers(registry, data, redis_url, 2, overrides={"NIANBAO_REDIS_WORKER_TTL": 3})) as pool:
            victim, survivor = pool.workers
            inflight_key = CrawlKeys(pool.crawl).inflight(victim.id)
            deadline = time.monotonic() + CRAWL_TIMEOUT
            while time.monotonic() < deadline and victim.process.poll() is None:
                unfinished = list(data.glob(f"warc/{victim.warc_prefix}-*.open"))
                if unfinished and unfinished[0].stat().st_size > KILL_AFTER_BYTES and redis.zcard(inflight_key):
                    break
                time.sleep(0.02)
            assert victim.process.poll() is None, "the crawl ended before a worker could be killed"
            os.kill(victim.process.pid, signal.SIGKILL)
            # What it had taken from the queue and not finished: the others must do it.
            lost = {pickle.loads(member.split(b" ", 1)[1])["url"] for member in redis.zrange(inflight_key, 0, -1)}
            outcome = finish(pool)
    assert lost
    assert outcome.exits == {victim.id: -signal.SIGKILL, survivor.id: 0}
    assert outcome.indexed == [victim.id] and outcome.finished
    assert not list((data / "warc").glob("*.open"))  # its unfinished file was repaired

    # Nothing is lost: the same documents, every exchange of the single crawl.
    assert documents(data) == documents(single)
    assert set(captures(data)) == set(captures(single))
    # Captured twice only where the victim had answered a request it never finished.
    extra = captures(data) - captures(single)
    assert {url for (_, url, _, _) in extra} <= lost
    prefixes = {victim.id: victim.warc_prefix, survivor.id: survivor.warc_prefix}
    rows = query(data, "select url, warc_file from captures")
    by_survivor = {url for url, warc_file in rows if worker_of(warc_file, prefixes) == survivor.id}
    by_victim = {url for url, warc_file in rows if worker_of(warc_file, prefixes) == victim.id}
    assert by_victim, "the victim's WARC records are in the catalog"
    single_urls = {url for (_, url, _, _) in captures(single)}
    assert lost & single_urls <= by_survivor  # its unfinished requests were taken over
    assert_catalog_is_its_warc_files(data, tmp_path)


def test_a_worker_killed_while_queueing_a_pages_requests_leaves_none_of_them_out(redis, redis_url, tmp_path):
    """The legacy column page names its year folders, which the spider claims as columns. Its
    worker dies after queueing two of the page's requests: the page, still leased, goes back
    to the queue, and the worker that parses it again queues every other one (a folder
    claimed and never queued would be lost for good: its claim hides it from that parse)."""
    source, keys = "tongling-jiaoqu", CrawlKeys("claims")
    with SampleWeb(night=0, port=0) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        (column,) = next(entry for entry in web.registry() if entry["name"] == source)["columns"]
        status, headers, body = fetch(column)
    assert status == 200

    def worker(name: str) -> tuple[ReportsSpider, RedisScheduler]:
        """A worker's spider and scheduler, without its engine."""
        crawler = get_crawler(DistributedReportsSpider, {
            "NIANBAO_REDIS_URL": redis_url, "NIANBAO_REDIS_CRAWL": keys.crawl, "NIANBAO_WORKER_ID": name,
            "NIANBAO_REDIS_WORKER_TTL": 60,
        })
        spider = DistributedReportsSpider.from_crawler(crawler, sources=str(registry), source=source)
        scheduler = RedisScheduler.from_crawler(crawler)
        scheduler.open(spider)
        return spider, scheduler

    def parse(spider: ReportsSpider, request: Request):
        response = HtmlResponse(request.url, status=status, headers=dict(headers), body=body, request=request)
        return spider.parse_list(response)

    async def start(spider: ReportsSpider) -> list[Request]:
        return [request async for request in spider.start()]

    (victim_spider, victim), (survivor_spider, survivor) = worker("a"), worker("b")
    for request in asyncio.run(start(victim_spider)):
        victim.enqueue_request(request)
    page = victim.next_request()
    assert page.url == column
    for request in islice(parse(victim_spider, page), 2):
        victim.enqueue_request(request)
    # "a" is killed there: it stops beating, and the page goes back to the queue.
    redis.delete(keys.worker("a"))
    survey = redis.register_script(SURVEY)
    assert list(survey(keys=[keys.hosts, keys.workers], args=[keys.prefix])) == [0, 1]
    # "b" takes over: it parses the page again, queueing what it names, and drains the queue
    # (each request starts at once: the frontier hands out a host's next one after that).
    gate, taken = HostGate(redis, keys, limit=1, lease_seconds=60), set()
    while (request := survivor.next_request()) is not None:
        start_download(gate, request, request.meta[HANDED_META])
        taken.add(request.url)
        if request.url == column:
            for named in parse(survivor_spider, request):
                survivor.enqueue_request(named)
    whole = {request.url for request in parse(ReportsSpider(sources=str(registry), source=source), page)}
    assert len([url for url in whole if re.search(r"ClassID=2\d\d$", url)]) > 10  # the year folders
    assert taken == whole | {column}


def start_download(gate: HostGate, request: Request, handed: str) -> None:
    """What ``SharedHostSlots`` does around a download the frontier handed out as ``handed``
    (no delay)."""
    host, lease = host_of(request), f"{handed}-lease"
    assert gate.try_acquire(host, lease, 0, handed) is None
    gate.release(host, lease)


# -- politeness across workers ------------------------------------------------------------------


class CountingWeb(SampleWeb):
    """The sample web, counting requests in flight per site and noting every Retry-After."""

    def __init__(self, hold: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hold = hold
        self.active: Counter = Counter()
        self.peak: Counter = Counter()
        self.arrivals: list[tuple[str, float]] = []
        self.refusals: list[tuple[str, float, float]] = []  # site, when, seconds
        self.lock = threading.Lock()

    def handle(self, site, request):
        with self.lock:
            self.active[site] += 1
            self.peak[site] = max(self.peak[site], self.active[site])
            self.arrivals.append((site, time.monotonic()))
        try:
            time.sleep(self.hold)  # the server at work: the request is in flight meanwhile
            response = super().handle(site, request)
        finally:
            with self.lock:
                self.active[site] -= 1
        retry_after = dict(response.headers).get("Retry-After") if response.status in (429, 503) else None
        if retry_after:
            with self.lock:
                self.refusals.append((site, time.monotonic(), float(retry_after)))
        return response


def test_per_host_limits_hold_across_workers(redis, redis_url, tmp_path):
    limit = 2
    with CountingWeb(hold=0.1, night=0, port=0) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        outcome = finish(start_workers(registry, tmp_path / "data", redis_url, 2, overrides={
            "CONCURRENT_REQUESTS_PER_DOMAIN": limit, "AUTOTHROTTLE_ENABLED": False,
        }))
    assert outcome.finished
    # Each worker alone may send `limit` requests to a host; together they still send `limit`.
    assert max(web.peak.values()) == limit, web.peak
    # A Retry-After pauses the host for every worker: within the pause, only the requests that
    # held the host's other leases when the refusal came back arrive (however late a loaded
    # machine delivers them), none started after it.
    assert web.refusals
    margin = 0.3
    for site, when, seconds in web.refusals:
        early = [at - when for name, at in web.arrivals if name == site and when < at < when + seconds - margin]
        assert len(early) <= limit - 1, (site, early)


def test_host_gate_leases_pauses_and_dead_holders(redis):
    keys = CrawlKeys("gate-test")
    gate = HostGate(redis, keys, limit=2, lease_seconds=60)
    join(redis, keys, "a", ttl_ms=60_000)
    join(redis, keys, "b", ttl_ms=60_000)
    assert gate.try_acquire("h", "a:1") is None
    assert gate.try_acquire("h", "b:1") is None
    assert gate.try_acquire("h", "b:2") is not None  # at the limit
    assert gate.try_acquire("other", "b:3") is None  # hosts are counted apart
    gate.release("h", "a:1")
    assert gate.try_acquire("h", "b:2") is None
    redis.delete(keys.worker("b"))  # b stopped beating: its leases are void
    assert gate.try_acquire("h", "a:2") is None and gate.holders("h") == 1
    gate.pause("h", 30)
    wait = gate.try_acquire("h", "a:3")
    assert wait is not None and 25 < wait <= 30
    gate.release("h", "a:2")
    assert gate.try_acquire("h", "a:4", interval=0) is not None  # paused even with places free


def frontier(redis, keys: CrawlKeys, worker: str, limit: int = 1) -> HostFrontier:
    join(redis, keys, worker, ttl_ms=60_000)
    return HostFrontier(redis, Spider(name="reports"), keys, worker, limit)


def pop(queue: HostFrontier, handed: str) -> Popped | float | None:
    return queue.pop_leased(ttl_ms=60_000, handed=handed)


def test_a_popped_request_stays_leased_until_acked_or_reclaimed(redis):
    keys = CrawlKeys("queue-test")
    survey = redis.register_script(SURVEY)
    queue = frontier(redis, keys, "a")
    assert queue.push_new(Request("http://example.org/1"), "fp1")
    assert not queue.push_new(Request("http://example.org/1"), "fp1")  # seen
    assert queue.push_new(Request("http://example.org/2", priority=5), "fp2")
    popped = pop(queue, "a:1")
    assert popped.request.url == "http://example.org/2" and popped.score == -5  # highest priority first
    assert len(queue) == 1 and redis.zcard(keys.inflight("a")) == 1
    queue.ack(popped.member)
    assert redis.zcard(keys.inflight("a")) == 0
    start_download(HostGate(redis, keys, limit=1, lease_seconds=60), popped.request, "a:1")
    assert pop(queue, "a:2").request.url == "http://example.org/1"
    assert list(survey(keys=[keys.hosts, keys.workers], args=[keys.prefix])) == [0, 0]  # "a" is busy
    redis.delete(keys.worker("a"))  # "a" died with a request in flight: it goes back to its host
    assert list(survey(keys=[keys.hosts, keys.workers], args=[keys.prefix])) == [0, 1]
    assert len(queue) == 1 and not redis.exists(keys.inflight("a"))
    assert redis.zrange(keys.hosts, 0, -1) == [b"example.org"] and redis.zcard(keys.host_queue("example.org")) == 1
    # "b" takes it over (the dead worker's reservation of the host is void), "a" has nothing to
    # do: the crawl is over once "b" has finished it.
    other = frontier(redis, keys, "b")
    popped = pop(other, "b:1")
    assert popped.request.url == "http://example.org/1" and redis.sismember(keys.workers, "b")
    join(redis, keys, "a", ttl_ms=60_000)
    redis.set(keys.worker("a"), "idle")
    assert list(survey(keys=[keys.hosts, keys.workers], args=[keys.prefix])) == [0, 0]
    assert other.requeue([(b"example.org never leased", 0.0)]) == 0
    other.ack(popped.member)
    redis.set(keys.worker("b"), "idle")
    assert list(survey(keys=[keys.hosts, keys.workers], args=[keys.prefix])) == [1, 0]


def test_the_frontier_hands_out_one_request_per_host_that_may_start(redis):
    keys = CrawlKeys("hosts-test")
    queue = frontier(redis, keys, "a")
    hosts = [f"h{n:02}.example" for n in range(20)]
    for host in hosts:  # URL order: every request of a host before the next host's
        for page in range(5):
            assert queue.push_new(Request(f"http://{host}/{page}", priority=page == 3), f"{host}/{page}")
    popped = [pop(queue, f"a:{n}") for n in range(len(hosts))]
    assert {host_of(one.request) for one in popped} == set(hosts)
    assert all(one.request.url.endswith("/3") for one in popped)  # a host's best request first
    # Every host has a request handed out and not started: nothing more until one starts.
    wait = pop(queue, "a:99")
    assert isinstance(wait, float) and 50 < wait <= 60
    gate = HostGate(redis, keys, limit=1, lease_seconds=60)
    assert gate.try_acquire("h05.example", "a:lease", 1.0, "a:5") is None  # starts, with a 1 s delay
    wait = pop(queue, "a:100")
    assert 0.5 < wait <= 1  # h05 is next, when its gate opens
    # A request that never starts (robots.txt forbade it) gives its host back at once.
    gate.unhand("h07.example", "a:7")
    assert host_of(pop(queue, "a:101").request) == "h07.example"
    assert len(queue) == 20 * 5 - 21


def test_the_frontier_skips_hosts_paused_or_at_their_limit(redis):
    keys = CrawlKeys("skip-test")
    queue = frontier(redis, keys, "a", limit=2)
    gate = HostGate(redis, keys, limit=2, lease_seconds=60)
    for host in ("closed.example", "full.example", "open.example"):
        for page in range(2):
            assert queue.push_new(Request(f"http://{host}/{page}"), f"{host}/{page}")
    gate.pause("closed.example", 30)  # a Retry-After, for every worker
    join(redis, keys, "b", ttl_ms=60_000)
    for lease in ("b:1", "b:2"):
        assert gate.try_acquire("full.example", lease) is None  # another worker's downloads
    first = pop(queue, "a:1")
    assert host_of(first.request) == "open.example"
    wait = pop(queue, "a:2")
    assert isinstance(wait, float) and 25 < wait <= 30
    gate.release("full.example", "b:1")  # it is looked at again at once
    assert host_of(pop(queue, "a:3").request) == "full.example"
    # With a place free and nothing handed out, a host at one lease of two is handed out again.
    start_download(gate, first.request, "a:1")
    assert host_of(pop(queue, "a:4").request) == "open.example"
    wait = pop(queue, "a:5")
    assert isinstance(wait, float) and 25 < wait <= 30  # only closed.example is left, paused


def test_the_embedded_crawl_needs_no_redis():
    code = ("import sys, nianbao.cli, crawler.run, crawler.spiders.reports, settings; "
            "assert not {'redis', 'scrapy_redis'} & set(sys.modules), sorted(sys.modules); "
            "assert not settings.NIANBAO_REDIS_URL and 'SCHEDULER' not in vars(settings)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
