"""Many-host throughput (issue 7): aggregate pages per second over 50+ polite hosts.

The sample web is served ``COPIES`` times on distinct loopback addresses (copy k on
127.k.0.x, ``WebProcess(distinct_hosts=True)``): 9 copies of its 6 in-scope sites are 54
hosts, each with its own download slot (Scrapy keys slots on the host name) and its own
leases in Redis. Every response is 150 ms late (``bench.crawl.LATENCY``), and each host gets
one request a second at most (``DELAY``, the premise of issue 7), so no crawl of 54
hosts can pass 54 pages/s: the politeness bound.

The crawls, each in its own process (``bench.crawlproc``): ``nianbao crawl`` embedded, and
the distributed engine with 1 and with 2 workers, each on a fresh throwaway redis-server
(``crawler.distributed.localredis``); in the full run also the embedded crawl with twice the
download places (``VARIANTS``). Each crawl stops after ``WINDOW`` seconds
(``CLOSESPIDER_TIMEOUT``), long before the smallest host runs out of pages, so every host has
work throughout and the bound holds for the whole window: a crawl of the sample web to its
end would measure its largest host (91 pages, so at least 91 s) and, for the distributed
engine, take ten minutes.

Everything is measured alike for every crawl, from the server's request log: pages/s are the
requests that arrived in the ``WINDOW`` seconds from the first one, politeness per host the
least gap between two arrivals and the most requests in flight at once. Pages and live
documents captured come from the WARC files (the crawl's drain after the window included),
CPU is the crawl process's with all its children (extraction processes, workers; start-up
included), and the machine's busy cores are everyone's (``/proc/stat``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

from bench.crawl import LATENCY, run_crawlproc
from bench.measure import coverage, machine_busy_s, responses, warc_paths
from bench.results import BenchError, Result, ratio
from bench.web import Served, WebProcess
from crawler.distributed.localredis import RedisUnavailable, local_redis

COPIES = 9  # of the sample web's 6 in-scope sites: 54 hosts
MIN_HOSTS = 50  # issue 7: "50+ sample sites"
# One request a second per host (DOWNLOAD_DELAY), exactly: no jitter, which Scrapy would
# otherwise add (±50%). AutoThrottle stays on as by default; it can only raise the delay, on
# hosts slower than 4 s.
DELAY = 1.0
SHORT_GAP = 0.9  # of the delay: a shorter gap between two requests to a host at the server
WINDOW = {True: 3, False: 30}  # seconds measured per crawl (quick, full)
START_MARGIN = 1  # seconds from a crawl's spider opening to its first request, at most
SYSTEMS = {"nianbao crawl": 0, "1 worker": 1, "2 workers": 2}  # distributed workers; 0: embedded
# Full run only: the embedded crawl (whose default frontier is Scrapy's broad-crawl queue,
# DownloaderAwarePriorityQueue) with room for a request waiting on every host at once.
VARIANTS = {"nianbao crawl, 64 places": {"CONCURRENT_REQUESTS": 64}}
ERROR_MARK = "] ERROR: "  # a Scrapy log line at level ERROR


@dataclass(frozen=True)
class HostCrawl:
    """One measured crawl of many hosts (see the module's docstring for each measurement)."""

    system: str
    window_pages: int
    window_s: float
    pages: int
    documents: int
    hosts: int
    min_gap_s: float
    short_gaps: float  # share of the gaps between requests to a host under SHORT_GAP × DELAY
    max_in_flight: int
    workers: int  # processes that wrote WARC files
    wall_s: float  # the crawl process, start-up and the drain after the window included
    cpu_s: float
    server_cpu_s: float
    machine_cores_busy: float
    errors: int

    @property
    def pages_per_s(self) -> float:
        return ratio(self.window_pages, self.window_s)


def politeness(served: list[Served]) -> tuple[int, float, float, int]:
    """Hosts seen; over every host, the least gap between two arrivals, the share of gaps
    under ``SHORT_GAP`` × the delay, and the most requests in flight at once (arrival to answer)."""
    by_host: dict[str, list[Served]] = defaultdict(list)
    for request in served:
        by_host[request.host].append(request)
    gaps = [later.arrived - earlier.arrived for requests in by_host.values()
            for earlier, later in pairwise(sorted(requests, key=lambda r: r.arrived))]
    short = ratio(sum(gap < SHORT_GAP * DELAY for gap in gaps), len(gaps))
    return len(by_host), min(gaps, default=float("nan")), short, max(map(most_in_flight, by_host.values()), default=0)


def most_in_flight(requests: list[Served]) -> int:
    # An answer due at the moment the next request arrives is over: ends sort before starts.
    events = sorted([(r.arrived, 1) for r in requests] + [(r.due, -1) for r in requests])
    level = most = 0
    for _, step in events:
        level += step
        most = max(most, level)
    return most


def errors_logged(log: Path) -> int:
    with log.open(encoding="utf-8", errors="replace") as lines:
        return sum(ERROR_MARK in line for line in lines)


def run_crawl(system: str, workers: int, registry: Path, workdir: Path, web: WebProcess, window: float,
              settings: dict, wanted: set[str]) -> HostCrawl:
    """Crawl ``registry`` for ``window`` seconds: embedded (``workers`` 0) or by that many
    distributed workers; measured as the module's docstring says."""
    what = ["--sources", str(registry)]
    settings = {"DOWNLOAD_DELAY": DELAY, "DOWNLOAD_DELAY_JITTER": 0, **settings,
                "CLOSESPIDER_TIMEOUT": window + START_MARGIN}
    data = workdir / "data"
    started, server_cpu, busy = time.monotonic(), web.cpu_s(), machine_busy_s()
    if workers:
        (workdir / "redis").mkdir(parents=True)
        try:
            with local_redis(workdir / "redis") as redis_url:
                run, _ = run_crawlproc(system, [*what, "--redis", redis_url, "--workers", str(workers)], data, settings)
        except RedisUnavailable as exc:
            raise BenchError(f"{system}: {exc}") from exc
    else:
        run, _ = run_crawlproc(system, what, data, settings)
    machine_cores = (machine_busy_s() - busy) / (time.monotonic() - started)
    served = web.served(since=started)
    first = min((r.arrived for r in served), default=started)
    hosts, min_gap, short, in_flight = politeness(served)
    warcs = warc_paths(data / "warc")
    captured = responses(warcs)
    writers = {path.name.rsplit("-", 3)[0] for path in warcs}  # the prefix names the worker
    return HostCrawl(system, sum(r.arrived < first + window for r in served), window, len(captured),
                     round(coverage(captured, wanted) * len(wanted)), hosts, min_gap, short, in_flight, len(writers),
                     run.wall_s, run.cpu_s, web.cpu_s() - server_cpu, machine_cores,
                     errors_logged(data / "crawl.log"))


def many_hosts(quick: bool, workdir: Path) -> Result:
    """Aggregate pages/s over 54 hosts at 1 request/s each: embedded, 1 worker, 2 workers."""
    result = Result("many_hosts")
    window = WINDOW[quick]
    runs = [(system, workers, {}) for system, workers in SYSTEMS.items()]
    runs += [] if quick else [(system, 0, settings) for system, settings in VARIANTS.items()]
    with WebProcess(copies=COPIES, latency=LATENCY, distinct_hosts=True) as web:
        registry = web.write_registry(workdir / "registry.yaml")
        hosts, wanted = len(web.registry()), web.live_urls()
        crawls = {system: run_crawl(system, workers, registry, workdir / f"crawl-{n}", web, window, settings, wanted)
                  for n, (system, workers, settings) in enumerate(runs)}
    bound = hosts / DELAY
    result.details = {"copies": COPIES, "hosts": hosts, "latency_s": LATENCY, "delay_s": DELAY, "window_s": window,
                      "live_documents": len(wanted),
                      "crawls": [asdict(c) | {"pages_per_s": c.pages_per_s} for c in crawls.values()]}
    result.add(f"politeness bound: {hosts} hosts at {1 / DELAY:g} request/s", bound, "pages/s")
    for crawl in crawls.values():
        result.add(f"{crawl.system}: pages/s", crawl.pages_per_s, "pages/s")
        result.add(f"{crawl.system}: share of the politeness bound", 100 * ratio(crawl.pages_per_s, bound), "%")
        result.add(f"{crawl.system}: hosts seen", crawl.hosts, "hosts", (">=", MIN_HOSTS))
        result.add(f"{crawl.system}: live documents captured", crawl.documents, "docs")
        result.add(f"{crawl.system}: least gap between requests to a host", crawl.min_gap_s, "s")
        result.add(f"{crawl.system}: gaps under {SHORT_GAP * DELAY:g} s", 100 * crawl.short_gaps, "%")
        result.add(f"{crawl.system}: most requests in flight on a host", crawl.max_in_flight, "")
        result.add(f"{crawl.system}: CPU per page (with its children)", ratio(1000 * crawl.cpu_s, crawl.pages), "ms")
        result.add(f"{crawl.system}: machine busy (all processes)", crawl.machine_cores_busy, "cores")
    embedded, one, two = (crawls[system] for system in SYSTEMS)
    result.add("2 workers / 1 worker, pages/s", ratio(two.pages_per_s, one.pages_per_s), "×")
    result.add("1 worker / nianbao crawl, pages/s", ratio(one.pages_per_s, embedded.pages_per_s), "×")
    for system in VARIANTS:
        if system in crawls:
            result.add(f"{system} / nianbao crawl, pages/s", ratio(crawls[system].pages_per_s, embedded.pages_per_s), "×")
    result.notes.append(f"{COPIES} copies of the sample web on distinct addresses: {hosts} hosts, "
                        f"{LATENCY * 1000:.0f} ms per response, {DELAY:g} s between requests to a host; pages/s over "
                        f"the first {window} s of each crawl at the server. The machine's 2 cores are shared by the "
                        "sample web, the crawl, its extraction processes, Redis and whatever else runs")
    for crawl in crawls.values():
        if crawl.errors:
            result.notes.append(f"{crawl.system}: {crawl.errors} errors logged during the crawl")
    return result


BENCHMARKS = {"many_hosts": many_hosts}
