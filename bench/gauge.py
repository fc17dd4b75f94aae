"""Extension ``MemoryGauge``: where a crawl's memory goes, as stats, written beside its data.

Every ``INTERVAL`` seconds it samples the frontier (``len(scheduler)``: requests waiting, in
memory, on disk or in Redis) and the scraper's slot (responses held until their callbacks and
item pipelines are done, and Scrapy's count of their bytes, which ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``
bounds), and keeps the largest of each, and reads the peak RSS (``VmHWM``) of the extraction
processes (``multiprocessing`` children). At the very end it adds the process's own peak RSS,
also ``VmHWM``: ``ru_maxrss`` will not do, as a process started by ``vfork`` (``subprocess``)
inherits its parent's peak — the benchmark runner's, hundreds of MB after the other benchmarks
— and a reaped child's is lost. Then it writes every stat as JSON to
``<NIANBAO_DATA_DIR>/gauge-<pid>.json``: a distributed worker's stats are otherwise lost with
its process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

GAUGE = "bench.gauge.MemoryGauge"
INTERVAL = 0.5  # seconds between samples
FILE_PATTERN = "gauge-*.json"
FRONTIER_STAT = "bench/frontier_max"
SCRAPER_RESPONSES_STAT = "bench/scraper_responses_max"
SCRAPER_BYTES_STAT = "bench/scraper_active_bytes_max"
RSS_STAT = "bench/peak_rss_mb"
CHILDREN_RSS_STAT = "bench/children_peak_rss_mb"  # the sum of the children's peaks
CHILDREN_STAT = "bench/children"


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """The peak resident set size in MB (``VmHWM``) of a live process, or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(kib) / 1024 if kib is not None else None


class MemoryGauge:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = Path(crawler.settings.get("NIANBAO_DATA_DIR")) / f"gauge-{os.getpid()}.json"
        self._loop = create_looping_call(self.sample)
        self._children: dict[int, float] = {}  # pid → peak RSS (MB) of every child seen

    @classmethod
    def from_crawler(cls, crawler) -> MemoryGauge:
        gauge = cls(crawler)
        crawler.signals.connect(gauge.engine_started, signal=signals.engine_started)
        return gauge

    def engine_started(self) -> None:
        # Connected now, after every component's handler: the catalog pipeline derives the
        # history on engine_stopped, and that belongs to the crawl's peak.
        self.crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        self._loop.start(INTERVAL, now=False)

    def sample(self) -> None:
        engine = self.crawler.engine
        if engine.scheduler is not None:
            self.stats.max_value(FRONTIER_STAT, len(engine.scheduler))
        slot = engine.scraper.slot
        if slot is not None:
            self.stats.max_value(SCRAPER_RESPONSES_STAT, len(slot.queue) + len(slot.active))
            self.stats.max_value(SCRAPER_BYTES_STAT, slot.active_size)
        for child in multiprocessing.active_children():
            peak = peak_rss_mb(child.pid)
            if peak is not None:
                self._children[child.pid] = peak

    def engine_stopped(self) -> None:
        if self._loop.running:
            self._loop.stop()
        self.stats.set_value(RSS_STAT, peak_rss_mb())
        self.stats.set_value(CHILDREN_RSS_STAT, sum(self._children.values()))
        self.stats.set_value(CHILDREN_STAT, len(self._children))
        self.path.write_text(json.dumps(self.stats.get_stats(), default=str, indent=1), encoding="utf-8")


def read_gauges(data_dir: Path) -> list[dict]:
    """The stats each gauged process of a crawl in ``data_dir`` wrote."""
    return [json.loads(path.read_text("utf-8")) for path in sorted(data_dir.glob(FILE_PATTERN))]
