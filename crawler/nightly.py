"""``nianbao nightly``: one incremental crawl of a registry, resumable after a crash, reported.

1. A lock (``flock`` on ``<data>/nightly.lock``) keeps two nightly runs off one data directory.
2. WARC files left ``.open`` by a killed crawl are cut to their last whole record.
3. ``<data>/state/run.json`` names the run under way. If it is there, the last run did not
   finish (killed, stopped by a full disk, interrupted): it is resumed under its own id — its
   catalog rows are indexed again from its WARC files (``archive.rebuild.reindex_run``) and
   the crawl replays its archived answers instead of fetching them again
   (``crawler.middlewares.resume``). Otherwise a new run starts.
4. The crawl: conditional GET, revisits for known payloads, documents no list names asked
   for again (``NIANBAO_RECHECK_KNOWN``), every capture stamped with the run id.
5. The report (``archive.runs``), counted from the catalog, goes into the WARC files as a
   metadata record and from there into ``runs``, and to ``<data>/runs/<run-id>.json``. Only a
   run that finished commits its payload digests to the digest index and ends the run state.

The crawl runs embedded, or with ``redis_url`` on ``workers`` local worker processes of the
distributed engine (crawler/distributed/pool.py): the run's own shared crawl, named after
the registry and the run id, so each night starts a fresh frontier and duplicate filter and
a resumed run rejoins its own (its dead workers' requests given back at once). The workers
inherit the lock and write this data directory, as the embedded crawl does; the history is
derived for what the run captured once they have stopped, and a worker stopped by a full
disk says so by its exit code. ``shard`` (``K/N``) crawls this machine's share of the
registry (``settings.registry.shard_of``); a run is resumed with the shard it started with.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.catalog import Catalog
from archive.digests import DigestIndex, run_originals
from archive.diskfull import STOP_REASON
from archive.rebuild import reindex_run
from archive.runs import new_run_id, run_report, write_run_record
from archive.warc import OPEN_SUFFIX, repair
from crawler.capture import DIGEST_INDEX
from crawler.distributed.keys import connect, crawl_name
from crawler.distributed.pool import finish_workers, release_members, start_workers
from crawler.run import project_settings, run_crawl
from settings.registry import RegistryError, crawl_entries

logger = logging.getLogger(__name__)

LOCK_FILE = "nightly.lock"
RUN_STATE = Path("state") / "run.json"
RUNS_DIR = "runs"
FINISHED = "finished"


class NightlyLocked(RuntimeError):
    """Raised by ``run_nightly`` when another nightly run holds the data directory."""


@dataclass
class RunState:
    """The run under way, as ``state/run.json`` keeps it until the run finishes."""

    run_id: str
    started: str
    sources: str
    attempts: int = 0
    shard: str = ""


@dataclass
class NightlyOutcome:
    report: dict[str, Any]
    resumed: bool
    repaired: list[str] = field(default_factory=list)
    report_file: Path | None = None
    problems: list[str] = field(default_factory=list)


def run_nightly(
    sources: str | Path,
    data_dir: str | Path,
    overrides: Mapping[str, Any] | None = None,
    redis_url: str | None = None,
    workers: int = 1,
    shard: str | None = None,
) -> NightlyOutcome:
    """Run (or resume) one nightly crawl of ``sources`` (this machine's ``shard`` of it) into
    ``data_dir``, embedded or on ``workers`` workers sharing a crawl in ``redis_url``; blocks
    until done."""
    data = Path(data_dir)
    shard = (shard or "").strip()
    entries = crawl_entries(sources, shard=shard)  # a malformed registry fails before anything is touched
    if redis_url:
        connect(redis_url).close()  # so does an unreachable Redis: no run is started without it
    data.mkdir(parents=True, exist_ok=True)
    with nightly_lock(data / LOCK_FILE) as lock:
        repaired = [path.name for path in repair_open_files(data / "warc")]
        state = read_state(data)
        resumed = state is not None
        if state is None:
            now = datetime.now(timezone.utc)
            state = RunState(new_run_id(now), _iso(now), str(sources), shard=shard)
        elif state.shard != shard:
            raise RegistryError(f"run {state.run_id} is under way with shard {state.shard or 'none'}: "
                                f"resume it with {'--shard ' + state.shard if state.shard else 'no --shard'}")
        state.attempts += 1
        write_state(data, state)
        if resumed:
            stats = reindex_run(data / "warc", data / "catalog.db", state.run_id)
            logger.info("resuming run %s: %d captures indexed again from its WARC files", state.run_id, stats.captures)
        settings = {
            "NIANBAO_RUN_ID": state.run_id,
            "NIANBAO_RESUME_RUN": state.run_id if resumed else None,
            "NIANBAO_RECHECK_KNOWN": True,
            "NIANBAO_DEDUP": True,
            "NIANBAO_CONDITIONAL_GET": True,
            "NIANBAO_SHARD": shard,
            **(overrides or {}),
        }
        if redis_url:
            settings["NIANBAO_REDIS_CRAWL"] = f"{crawl_name(entries)}-{state.run_id}"
            reason = crawl_on_workers(sources, data, redis_url, workers, settings, state, resumed, lock)
        else:
            stats = run_crawl(sources, data, overrides=settings)
            reason = stats.get(STOP_REASON) or stats.get("finish_reason") or "unknown"
        prefix = project_settings(data, settings).get("NIANBAO_WARC_PREFIX")
        outcome = finish_run(data, state, reason, prefix)
        outcome.resumed, outcome.repaired = resumed, repaired
        return outcome


def crawl_on_workers(
    sources: str | Path, data: Path, redis_url: str, workers: int, settings: dict[str, Any], state: RunState,
    resumed: bool, lock: int,
) -> str:
    """The run's crawl on ``workers`` local workers of its shared crawl; its finish reason."""
    crawl = settings["NIANBAO_REDIS_CRAWL"]
    if resumed:
        reclaimed = release_members(redis_url, crawl)
        logger.info("run %s rejoins crawl %s: %d requests of its dead workers queued again", state.run_id, crawl,
                    reclaimed)
    pool = start_workers(sources, data, redis_url, workers, overrides=settings, inherit_fds=(lock,))
    return finish_workers(pool, state.run_id).reason


def finish_run(data: Path, state: RunState, reason: str, prefix: str = "nianbao") -> NightlyOutcome:
    """Count the run, commit its digests if it finished, archive and file its report."""
    db = sqlite_utils.Database(data / "catalog.db")
    problems: list[str] = []
    try:
        report = run_report(
            db, data / "warc", state.run_id, started=state.started, finished=_iso(datetime.now(timezone.utc)),
            finish_reason=reason, sources=state.sources, attempts=state.attempts,
        )
        if reason == FINISHED:
            index = DigestIndex(data / DIGEST_INDEX)
            try:
                index.commit(run_originals(db, state.run_id))
            finally:
                index.close()
    finally:
        db.close()
    outcome = NightlyOutcome(report, resumed=False, problems=problems)
    try:
        write_run_record(data / "warc", report, prefix)
        with Catalog(data / "catalog.db") as catalog:
            catalog.add_run(report)
    except (OSError, sqlite3.Error) as exc:
        problems.append(f"run report not archived: {exc}")
    try:
        outcome.report_file = write_report_file(data, report)
    except OSError as exc:
        problems.append(f"run report not written to {data / RUNS_DIR}: {exc}")
    if reason == FINISHED:
        (data / RUN_STATE).unlink(missing_ok=True)
    return outcome


@contextmanager
def nightly_lock(path: Path) -> Iterator[int]:
    """Hold ``path`` locked (``flock``) for the block, yielding its descriptor (processes that
    inherit it hold the lock too); ``NightlyLocked`` if another process does."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise NightlyLocked(
                f"another nightly run (pid {holder}) is working on {path.parent}; not starting a second one"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def repair_open_files(warc_dir: Path) -> list[Path]:
    """Cut every ``.open`` WARC file to its last whole record and close it."""
    repaired = []
    for path in sorted(warc_dir.glob(f"*{OPEN_SUFFIX}")):
        closed = repair(path)
        logger.warning("repaired %s after an interrupted crawl", path.name)
        if closed is not None:
            repaired.append(closed)
    return repaired


def read_state(data: Path) -> RunState | None:
    path = data / RUN_STATE
    if not path.is_file():
        return None
    return RunState(**json.loads(path.read_text(encoding="utf-8")))


def write_state(data: Path, state: RunState) -> None:
    path = data / RUN_STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_suffix(".tmp")
    fresh.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(fresh, path)


def write_report_file(data: Path, report: dict[str, Any]) -> Path:
    path = data / RUNS_DIR / f"{report['run_id']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_suffix(".tmp")
    fresh.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(fresh, path)
    return path


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
