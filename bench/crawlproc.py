"""One measured Scrapy crawl in its own process: ``python -m bench.crawlproc``.

Either the ``reports`` spider over a registry (``crawler.run.run_crawl``, what ``nianbao
crawl`` runs) or ``bench.barespider.BareSpider`` from start URLs, with nianbao's settings and
``--set KEY=JSON`` overrides. ``CpuClock`` adds the CPU time (all threads) and wall time from
engine start to engine stop to the stats, which are written as JSON to ``--stats``: start-up
(imports, opening files) is measured apart from the crawl.

With ``--redis URL --workers N`` the registry is crawled by N workers of the distributed
engine instead (``crawler.distributed.pool.run_workers``, what ``nianbao crawl --redis``
runs); they are this process's children, so its CPU time as its parent reaps it includes
theirs. The stats file then says how each worker ended.

    python -m bench.crawlproc --data DIR --stats FILE --sources REGISTRY [--set KEY=JSON ...]
    python -m bench.crawlproc --data DIR --stats FILE --sources REGISTRY --redis URL --workers N [--set ...]
    python -m bench.crawlproc --data DIR --stats FILE --follow FILE --bare URL [URL ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

from scrapy import signals

CPU_STAT = "bench/cpu_s"
WALL_STAT = "bench/wall_s"
CLOCK = "bench.crawlproc.CpuClock"
# What the bare spider runs without: every component of ours (its only extension is the clock).
BARE_OVERRIDES = {"DOWNLOADER_MIDDLEWARES": {}, "ITEM_PIPELINES": {}}


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuClock:
    """Extension: process CPU and wall seconds between ``engine_started`` and ``engine_stopped``."""

    def __init__(self, stats) -> None:
        self.stats = stats
        self.cpu = self.wall = 0.0

    @classmethod
    def from_crawler(cls, crawler) -> CpuClock:
        clock = cls(crawler.stats)
        crawler.signals.connect(clock.engine_started, signal=signals.engine_started)
        crawler.signals.connect(clock.engine_stopped, signal=signals.engine_stopped)
        return clock

    def engine_started(self) -> None:
        self.cpu, self.wall = process_cpu(), time.monotonic()

    def engine_stopped(self) -> None:
        self.stats.set_value(CPU_STAT, process_cpu() - self.cpu)
        self.stats.set_value(WALL_STAT, time.monotonic() - self.wall)


def crawl_registry(sources: str, data_dir: str, overrides: dict[str, Any]) -> dict[str, Any]:
    from crawler.run import project_settings, run_crawl

    extensions = {**project_settings(data_dir, overrides).getdict("EXTENSIONS"), CLOCK: 0}
    return run_crawl(sources, data_dir, overrides={**overrides, "EXTENSIONS": extensions})


def crawl_distributed(sources: str, data_dir: str, redis_url: str, workers: int,
                      overrides: dict[str, Any]) -> dict[str, Any]:
    from crawler.distributed.pool import run_workers

    outcome = run_workers(sources, data_dir, redis_url, workers, overrides=overrides)
    return {"workers/exits": outcome.exits, "workers/finished": outcome.finished, "workers/indexed": outcome.indexed}


def crawl_bare(start_urls: list[str], follow: list[str], data_dir: str, overrides: dict[str, Any]) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    from bench.barespider import BareSpider
    from crawler.run import project_settings

    settings = project_settings(data_dir, {**BARE_OVERRIDES, **overrides, "EXTENSIONS": {CLOCK: 0}})
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_urls=start_urls, follow=follow)
    process.start()
    return dict(crawler.stats.get_stats())


def parse_setting(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"--set {text!r}: expected KEY=JSON")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value  # a bare string


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One measured crawl (bench).")
    parser.add_argument("--data", required=True)
    parser.add_argument("--stats", required=True, type=Path)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--sources", help="registry for the reports spider")
    what.add_argument("--bare", nargs="+", metavar="URL", help="start URLs for the bare spider")
    parser.add_argument("--follow", type=Path, help="the bare spider's links to follow, one URL a line")
    parser.add_argument("--redis", help="with --sources: crawl on the distributed engine, this Redis server")
    parser.add_argument("--workers", type=int, default=1, help="with --redis: worker processes")
    parser.add_argument("--set", dest="settings", action="append", type=parse_setting, default=[])
    args = parser.parse_args(argv)
    overrides = dict(args.settings)
    if args.sources and args.redis:
        stats = crawl_distributed(args.sources, args.data, args.redis, args.workers, overrides)
    elif args.sources:
        stats = crawl_registry(args.sources, args.data, overrides)
    elif args.follow is None:
        parser.error("--bare needs --follow")
    else:
        follow = args.follow.read_text("utf-8").split()
        stats = crawl_bare(args.bare, follow, args.data, overrides)
    args.stats.write_text(json.dumps(stats, default=str, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
