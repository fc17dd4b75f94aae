"""Start a machine's workers of a shared crawl, wait for them, and settle the catalog.

``start_workers`` spawns worker processes (crawler/distributed/worker.py) and counts them as
members of the crawl at once, so the crawl cannot be found finished while one is still
starting. ``finish_workers`` waits for them. A worker that exited (the crawl finished, or it
was stopped) closed its WARC files and wrote its catalog rows; the catalog's history
(``archive.history``) is then derived once (the workers leave it, ``NIANBAO_DERIVE_HISTORY``:
concurrent derivations would collide). A worker that died (killed, crashed) may have left an
unfinished WARC file and rows it never wrote; its in-flight requests were taken back by the
others (crawler/distributed/heartbeat.py). Its unfinished file is repaired
(``archive.warc.repair``, cut after its last whole record) and the rows of all the files this
machine's workers wrote are made again from the records (``archive.rebuild.index_files``).

A nightly run (crawler/nightly.py) passes its run id, so the history is derived for what the
run captured, and its lock, which the workers inherit: while one of them lives, no other
nightly run starts on the data directory. So when a resumed run rejoins its crawl, every
member left in it is dead, and ``release_members`` gives their requests back at once instead
of after the heartbeat TTL.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.catalogpipeline import catalog_path
from archive.history import derive
from archive.rebuild import index_files
from archive.warc import NAME_TAIL, OPEN_SUFFIX, file_order, repair
from archive.diskfull import DISK_FULL
from crawler.distributed.heartbeat import SURVEY, join
from crawler.distributed.keys import CrawlKeys, connect, crawl_name, worker_id
from crawler.distributed.worker import EXIT_DISK_FULL, EXIT_FINISHED, EXIT_UNFINISHED, warc_prefix
from crawler.run import project_settings
from settings.registry import crawl_entries

logger = logging.getLogger(__name__)

CLOSED_EXITS = (EXIT_FINISHED, EXIT_UNFINISHED, EXIT_DISK_FULL)
FINISHED = "finished"


@dataclass
class Worker:
    id: str
    process: subprocess.Popen
    warc_prefix: str


@dataclass
class Pool:
    """A machine's workers of the crawl ``crawl``, writing into ``warc_dir`` and ``catalog``."""

    crawl: str
    workers: list[Worker]
    warc_dir: Path
    catalog: Path


@dataclass
class PoolOutcome:
    """What a machine's workers did: ``finished`` if the shared crawl ran to its end."""

    crawl: str
    exits: dict[str, int]
    indexed: list[str] = field(default_factory=list)  # dead workers indexed from their WARC files

    @property
    def finished(self) -> bool:
        return EXIT_FINISHED in self.exits.values()

    @property
    def reason(self) -> str:
        """The crawl's finish reason on this machine: ``finished``; ``disk_full`` when a worker
        stopped for a full disk; ``shutdown`` when they were stopped; ``killed`` when all died."""
        codes = set(self.exits.values())
        if self.finished:
            return FINISHED
        if EXIT_DISK_FULL in codes:
            return DISK_FULL
        return "shutdown" if EXIT_UNFINISHED in codes else "killed"


def start_workers(
    sources: str | Path,
    data_dir: str | Path,
    redis_url: str,
    workers: int,
    source: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    inherit_fds: Sequence[int] = (),
) -> Pool:
    """Spawn ``workers`` worker processes on the crawl of ``sources`` (of the shard
    ``NIANBAO_SHARD`` when set: each shard is a crawl of its own).

    The registry is validated here first, so a malformed entry fails before anything starts.
    The workers inherit the open files ``inherit_fds`` (a nightly run's lock).
    """
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    settings = project_settings(data_dir, overrides)
    entries = crawl_entries(sources, source, settings.get("NIANBAO_SHARD"))
    crawl = settings.get("NIANBAO_REDIS_CRAWL") or crawl_name(entries)
    client = connect(redis_url)
    keys = CrawlKeys(crawl)
    ttl_ms = int(settings.getfloat("NIANBAO_REDIS_WORKER_TTL") * 1000)
    catalog = catalog_path(settings)
    Catalog(catalog).close()  # its tables exist before the workers race to create them
    spec = {"sources": str(sources), "data_dir": str(data_dir), "redis_url": redis_url, "crawl": crawl,
            "source": source, "overrides": dict(overrides or {})}
    started = []
    for _ in range(workers):
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.distributed.worker", json.dumps(spec)], stdout=subprocess.DEVNULL,
            pass_fds=tuple(inherit_fds),
        )
        wid = worker_id(process.pid)
        join(client, keys, wid, ttl_ms)
        started.append(Worker(wid, process, warc_prefix(settings, wid)))
    client.close()
    return Pool(crawl, started, Path(data_dir) / "warc", catalog)


def finish_workers(pool: Pool, run_id: str | None = None) -> PoolOutcome:
    """Wait for every worker; then bring the catalog level with the WARC files and derive the
    history (of what the run ``run_id`` captured, when given)."""
    outcome = PoolOutcome(pool.crawl, {worker.id: _wait(worker) for worker in pool.workers})
    for worker in pool.workers:
        if outcome.exits[worker.id] not in CLOSED_EXITS:
            logger.warning("worker %s ended with %s: indexing the crawl's WARC files again", worker.id,
                           outcome.exits[worker.id])
            outcome.indexed.append(worker.id)
    if outcome.indexed:
        _index_again(pool)
    else:
        with Catalog(pool.catalog) as catalog:
            derive(catalog.db, run_id)
    return outcome


def release_members(redis_url: str, crawl: str) -> int:
    """Count every member of ``crawl`` dead now and give their requests back to the queue;
    how many. Only for a crawl no live worker belongs to (a nightly run's, under its lock):
    their heartbeats, host reservations, leases and robots.txt claims are deleted instead of
    left to expire."""
    client = connect(redis_url)
    keys = CrawlKeys(crawl)
    try:
        members = [member.decode() for member in client.smembers(keys.workers)]
        stale = [keys.worker(member) for member in members]
        for pattern in (keys.host_handed("*"), keys.host_leases("*"), keys.robots_claim("*")):
            stale.extend(client.scan_iter(match=_literal(keys.prefix) + pattern[len(keys.prefix):], count=1000))
        if stale:
            client.delete(*stale)
        _, reclaimed = client.register_script(SURVEY)(keys=[keys.hosts, keys.workers], args=[keys.prefix])
        return int(reclaimed)
    finally:
        client.close()


def _literal(text: str) -> str:
    """``text`` as a Redis glob matching itself only."""
    return "".join(f"[{c}]" if c in "*?[]\\" else c for c in text)


def _index_again(pool: Pool) -> None:
    """Replace the rows of every WARC file this machine's workers wrote with what a rebuild
    makes of them, oldest file first: a dead worker's rows were partly never written, and which
    of two captures of a URL (the dead worker's and its successor's) is its document depends on
    their order."""
    files = sorted((path for worker in pool.workers for path in worker_warc_files(pool.warc_dir, worker.warc_prefix)),
                   key=file_order)
    with Catalog(pool.catalog) as catalog:
        catalog.delete_files(path.name for path in files)
    index_files(pool.warc_dir, pool.catalog, files)


def run_workers(
    sources: str | Path,
    data_dir: str | Path,
    redis_url: str,
    workers: int = 1,
    source: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> PoolOutcome:
    """Run ``workers`` workers of the shared crawl of ``sources`` to the end, then merge."""
    return finish_workers(start_workers(sources, data_dir, redis_url, workers, source, overrides))


def _wait(worker: Worker) -> int:
    while True:
        try:
            return worker.process.wait()
        except KeyboardInterrupt:
            # Ctrl-C in a terminal reaches the workers too: they stop gracefully (their requests
            # go back to the queue); what they leave is indexed once they have.
            logger.warning("interrupted: waiting for worker %s to stop", worker.id)


def worker_warc_files(warc_dir: Path, prefix: str) -> list[Path]:
    """A worker's WARC files, oldest first; an unfinished one is repaired (cut after its last
    whole record) first."""
    files = []
    for path in sorted(warc_dir.glob(f"{prefix}-*"), key=file_order):
        tail = NAME_TAIL.search(path.name)
        if tail is None or path.name[: tail.start()] != prefix:
            continue
        if path.name.endswith(OPEN_SUFFIX):
            repaired = repair(path)
            if repaired is None:
                continue
            path = repaired
        files.append(path)
    return files
