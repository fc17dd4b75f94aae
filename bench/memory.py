"""Peak memory of a crawl as its site grows (issue 7): the frontier belongs on disk or in Redis.

The site is ``bench.bigsite``'s generated 年报 column, served by its own process and crawled
by each engine below at one or two sizes; each crawl runs in a process of its own with
``bench.gauge.MemoryGauge`` (peak RSS, largest frontier, scraper backlog). Figures: peak RSS
per size, its growth per 1,000 URLs (what a site ten times larger would add), the largest
frontier, and for the distributed engine Redis's ``used_memory_peak``.

- ``embedded, disk frontier``: the ``reports`` spider as ``nianbao crawl`` runs it, with a
  ``JOBDIR``: Scrapy keeps the frontier in pickle LIFO queues on disk. A request that cannot be
  pickled would silently stay in memory; ``scheduler/enqueued/memory`` counts those.
- ``embedded, memory frontier``: ``nianbao crawl`` as it is, its frontier in memory.
- ``distributed worker``: one worker of the distributed engine (``crawler.distributed``), its
  frontier and duplicate filter in a throwaway ``redis-server`` of its own.

These crawl with capture and catalog but without extraction, which would make a 100,000-page
crawl take an hour. ``extraction on`` is one crawl with every pipeline: responses waiting for
extraction are held by Scrapy's scraper slot until their items are done, which
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bounds by body size (the engine stops taking requests above
it). Its figures are the backlog and the peak RSS of the extraction processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from operator import attrgetter
from pathlib import Path

import redis

from bench.bigsite import PER_PAGE, BigSite, SiteProcess
from bench.crawl import run_crawlproc
from bench.crawlproc import CLOCK, CPU_STAT, WALL_STAT
from bench.gauge import (
    CHILDREN_RSS_STAT,
    FRONTIER_STAT,
    GAUGE,
    RSS_STAT,
    SCRAPER_BYTES_STAT,
    SCRAPER_RESPONSES_STAT,
    read_gauges,
)
from bench.results import BenchError, Result, ratio
from crawler.distributed.localredis import RedisUnavailable, local_redis
from crawler.middlewares.conditional import RECENT_URLS

# Engine → its label in the table.
ENGINES = {"disk": "embedded, disk frontier", "memory": "embedded, memory frontier", "redis": "distributed worker",
           "extraction": "extraction on"}
# URLs of the generated site (list and report pages), (quick, full), smaller size first. A page
# costs 5-10 ms of crawl CPU, the distributed worker's the most (Redis round trips): the full
# run crawls 100,000 URLs with the disk frontier, the figure, and less with the others.
# The full run's smaller sizes are RECENT_URLS: the version rule remembers that many URLs judged.
SIZES = {
    "disk": ((500, 1_500), (10_000, 100_000)),
    "memory": ((), (10_000,)),
    "redis": ((1_000,), (10_000, 30_000)),
    "extraction": ((300,), (3_000,)),
}
CAPTURE_AND_CATALOG = {"ITEM_PIPELINES": {"archive.catalogpipeline.CatalogPipeline": 900}}
JOBDIR = "job"  # in the crawl's data directory
# Peak RSS growth per 1,000 URLs. With the frontier off the heap, what grows with the URLs is
# Scrapy's duplicate filter (40-character hex fingerprints in a set: 0.13 MB per 1,000 URLs,
# tracemalloc) in the embedded crawl, nothing in a worker's Python heap; the rest is caches
# filling up (SQLite's pages, the allocator's arenas).
GROWTH_GOAL_MB = {"disk": 0.25, "redis": 0.1}
PEAK_GOAL_MB, PEAK_GOAL_URLS = 200, 100_000  # the disk frontier's peak RSS at the site size


@dataclass(frozen=True)
class Measured:
    """One crawl of the generated site: its size, what it fetched and what it held."""

    engine: str
    urls: int
    pages: int
    peak_rss_mb: float
    children_peak_rss_mb: float
    frontier_max: int
    scraper_responses_max: int
    scraper_bytes_max: int
    enqueued: dict[str, int]
    cpu_s: float
    wall_s: float
    redis_peak_mb: float | None = None


def gauged(settings: dict) -> dict:
    """``settings`` with the project's extensions plus the gauge and the CPU clock."""
    from crawler.run import project_settings

    extensions = {**project_settings(".", settings).getdict("EXTENSIONS"), GAUGE: 0, CLOCK: 0}
    return {**settings, "EXTENSIONS": extensions}


def measured(engine: str, site: BigSite, data_dir: Path, redis_peak_mb: float | None = None) -> Measured:
    gauges = read_gauges(data_dir)
    if len(gauges) != 1:
        raise BenchError(f"{engine}: expected one gauged crawl process in {data_dir}, found {len(gauges)}")
    stats = gauges[0]
    enqueued = {kind: stats.get(f"scheduler/enqueued/{kind}", 0) for kind in ("disk", "memory", "redis")}
    return Measured(engine, site.urls, stats.get("downloader/response_count", 0), stats[RSS_STAT],
                    stats[CHILDREN_RSS_STAT], stats.get(FRONTIER_STAT, 0), stats.get(SCRAPER_RESPONSES_STAT, 0),
                    stats.get(SCRAPER_BYTES_STAT, 0), enqueued, stats[CPU_STAT], stats[WALL_STAT],
                    redis_peak_mb)


def crawl(engine: str, urls: int, workdir: Path) -> Measured:
    """``engine``'s crawl of the generated site of ``urls`` URLs, in ``workdir/<engine>-<urls>``;
    the distributed worker on a Redis server of its own, so its ``used_memory_peak`` is this
    crawl's."""
    where = workdir / f"{engine}-{urls}"
    settings = {} if engine == "extraction" else dict(CAPTURE_AND_CATALOG)
    if engine in ("disk", "extraction"):
        settings["JOBDIR"] = str(where / JOBDIR)
    with SiteProcess(BigSite.of_urls(urls)) as served:
        what = ["--sources", str(served.write_registry(workdir / f"{engine}-{urls}.yaml"))]
        if engine != "redis":
            run_crawlproc(ENGINES[engine], what, where, gauged(settings))
            return measured(engine, served.site, where)
        (workdir / f"redis-{urls}-server").mkdir()
        try:
            with local_redis(workdir / f"redis-{urls}-server") as url:
                _, pool = run_crawlproc(ENGINES[engine], [*what, "--redis", url, "--workers", "1"], where,
                                        gauged(settings))
                client = redis.Redis.from_url(url)
                peak = client.info("memory")["used_memory_peak"] / 2**20
                client.close()
        except RedisUnavailable as exc:
            raise BenchError(f"{ENGINES[engine]}: {exc}") from exc
        if not pool["workers/finished"]:
            raise BenchError(f"{ENGINES[engine]}: the worker did not finish the crawl ({pool['workers/exits']})")
        return measured(engine, served.site, where, peak)


def per_1000_urls(small: Measured, large: Measured, mb: Callable[[Measured], float]) -> float:
    """How much ``mb`` grows per 1,000 URLs from the smaller crawl to the larger."""
    return ratio(mb(large) - mb(small), (large.urls - small.urls) / 1000)


def memory(quick: bool, workdir: Path) -> Result:
    """Peak RSS of each engine at two sizes of the generated site, and its growth."""
    result = Result("memory")
    runs = {engine: [crawl(engine, urls, workdir) for urls in sizes[0 if quick else 1]]
            for engine, sizes in SIZES.items()}
    result.details = {"engines": {ENGINES[engine]: [asdict(m) for m in measured] for engine, measured in runs.items()}}
    for engine, measured in runs.items():
        label = ENGINES[engine]
        for m in measured:
            goal = ("<=", PEAK_GOAL_MB) if engine == "disk" and m.urls >= PEAK_GOAL_URLS else None
            result.add(f"{label}: peak RSS at {m.urls:,} URLs", m.peak_rss_mb, "MB", goal)
            if m.pages != m.urls + 1:  # the site's pages and robots.txt
                result.notes.append(f"{label}: {m.pages:,} responses for {m.urls:,} URLs and robots.txt")
        if len(measured) == 2:
            # Quick sizes are too close together: the growth is within the noise of the peak.
            goal = ("<=", GROWTH_GOAL_MB[engine]) if engine in GROWTH_GOAL_MB and not quick else None
            growth = per_1000_urls(*measured, attrgetter("peak_rss_mb"))
            result.add(f"{label}: peak RSS growth per 1,000 URLs", growth, "MB", goal)
            if measured[0].urls < RECENT_URLS:
                result.notes.append(f"{label}: the growth includes the version rule's memory of the last "
                                    f"{RECENT_URLS:,} URLs judged (crawler/middlewares/conditional.py), "
                                    f"which the smaller crawl does not fill")
        if measured and engine != "extraction":
            result.add(f"{label}: largest frontier", measured[-1].frontier_max, "requests")
    on_disk = runs["disk"] + runs["extraction"]
    result.add(f"{ENGINES['disk']}: requests queued in memory", sum(m.enqueued["memory"] for m in on_disk),
               "requests", ("<=", 0))
    for m in runs["redis"]:
        result.add(f"Redis used_memory_peak at {m.urls:,} URLs", m.redis_peak_mb, "MB")
    if len(runs["redis"]) == 2:
        growth = per_1000_urls(*runs["redis"], attrgetter("redis_peak_mb"))
        result.add("Redis used_memory_peak growth per 1,000 URLs", growth, "MB")
    label = ENGINES["extraction"]
    for m in runs["extraction"]:
        result.add(f"{label}: extraction processes' peak RSS (sum)", m.children_peak_rss_mb, "MB")
        result.add(f"{label}: largest scraper backlog", m.scraper_responses_max, "responses")
        result.add(f"{label}: largest scraper backlog, Scrapy's count", m.scraper_bytes_max / 1e6, "MB")
    result.notes.append(f"generated TRS-like site (bench.bigsite), {PER_PAGE} reports per list page, every list "
                        "page named by the column page; capture and catalog on, extraction only in "
                        f"'{label}'; peak RSS of the crawl process (the worker's, for the distributed engine)")
    return result


BENCHMARKS = {"memory": memory}
