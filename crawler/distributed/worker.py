"""One worker of a shared crawl: the ``reports`` spider on the Redis frontier, in this process.

Its WARC files are its own (``warc/<NIANBAO_WARC_PREFIX>-<worker id>-….warc.gz``); the
catalog is the data directory's ``catalog.db``, which the workers on one machine write
together (SQLite lets one write at a time; the others wait for the lock) and read as the
archive's state, as the embedded crawl does.

Run as ``python -m crawler.distributed.worker SPEC`` (SPEC: a JSON object with the arguments
of ``run_worker``); it exits with ``EXIT_FINISHED`` when the shared crawl is finished,
``EXIT_DISK_FULL`` when it stopped because its data directory was full
(``archive.diskfull``), and ``EXIT_UNFINISHED`` when it stopped before for another reason (a
shutdown: its requests went back to the queue).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from archive.diskfull import DISK_FULL, STOP_REASON
from crawler.distributed.keys import worker_id as make_worker_id
from crawler.run import project_settings

EXIT_FINISHED = 0
EXIT_UNFINISHED = 3
EXIT_DISK_FULL = 4
SCHEDULER = "crawler.distributed.scheduler.RedisScheduler"
# Merged over the project's component dicts (settings/__init__.py).
COMPONENTS: dict[str, dict[str, int | None]] = {
    "DOWNLOADER_MIDDLEWARES": {
        # Lowest: its process_exception runs last, when no middleware retried the request.
        "crawler.distributed.leases.LeaseDownloaderMiddleware": 10,
        "crawler.middlewares.robots.WaitingRobotsTxtMiddleware": None,
        "crawler.distributed.robots.SharedRobotsTxt": 100,
        # Highest: the host lease is taken right before the download and given back first.
        "crawler.distributed.politeness.SharedHostSlots": 990,
    },
    # Lowest: the outermost wrapper of the spider's output, so it sees the end of it last.
    "SPIDER_MIDDLEWARES": {"crawler.distributed.leases.LeaseSpiderMiddleware": 10},
    "EXTENSIONS": {
        "crawler.distributed.heartbeat.Heartbeat": 500,
        # Before the heartbeat (its spider_idle runs first): the recheck waits for the shared crawl.
        "crawler.recheck.RecheckKnown": None,
        "crawler.distributed.recheck.SharedRecheckKnown": 300,
    },
}


def worker_settings(
    data_dir: str | Path, redis_url: str, crawl: str, worker_id: str, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """The project's settings for worker ``worker_id`` of crawl ``crawl`` (``overrides`` on top)."""
    settings = project_settings(data_dir, overrides)
    for name, components in COMPONENTS.items():
        merged = dict(settings.getdict(name))
        merged.update(components)
        settings.set(name, merged, priority="cmdline")
    settings.set("SCHEDULER", SCHEDULER, priority="cmdline")
    settings.set("NIANBAO_REDIS_URL", redis_url, priority="cmdline")
    settings.set("NIANBAO_REDIS_CRAWL", crawl, priority="cmdline")
    settings.set("NIANBAO_WORKER_ID", worker_id, priority="cmdline")
    settings.set("NIANBAO_WARC_PREFIX", warc_prefix(settings, worker_id), priority="cmdline")
    settings.set("NIANBAO_DERIVE_HISTORY", False, priority="cmdline")
    return settings


def warc_prefix(settings: Settings, worker_id: str) -> str:
    return f"{settings.get('NIANBAO_WARC_PREFIX')}-{worker_id}"


def run_worker(
    sources: str,
    data_dir: str,
    redis_url: str,
    crawl: str,
    source: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl as worker ``<hostname>-<pid>`` until the shared crawl is finished; Scrapy's stats."""
    from scrapy.crawler import CrawlerProcess

    from crawler.distributed.spider import DistributedReportsSpider

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    settings = worker_settings(data_dir, redis_url, crawl, make_worker_id(os.getpid()), overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DistributedReportsSpider)
    process.crawl(crawler, sources=sources, **({"source": source} if source else {}))
    process.start()
    return dict(crawler.stats.get_stats())


def exit_code(stats: Mapping[str, Any]) -> int:
    """How a worker's crawl ended, as its exit code."""
    if stats.get(STOP_REASON) == DISK_FULL:
        return EXIT_DISK_FULL
    return EXIT_FINISHED if stats.get("finish_reason") == "finished" else EXIT_UNFINISHED


def main(spec: str) -> int:
    return exit_code(run_worker(**json.loads(spec)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
