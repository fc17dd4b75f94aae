"""`nianbao nightly` beyond one process: `--redis URL --workers N` on one machine, `--shard K/N`
across machines.

Two small sites of the sample web (an edited report on night 1), each sequence of nights
served by a fresh ``SampleWeb`` on one port, so URLs, payloads and one-shot faults are the same
from sequence to sequence. Every run is a real `nianbao nightly` process (its workers real
processes on a real redis-server); catalogs are compared by what they say, not by record ids
or dates.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from test_distributed import redis, redis_url, web_port  # noqa: F401  (fixtures)
from test_nightly import (
    FaultsHeldWeb,
    assert_rebuild_equals_live,
    comparable,
    nightly_command,
    query,
    response_payload_digests,
    warcio_check,
)

from archive.diskfull import DISK_FULL, STOP_REASON
from archive.merge import merge_data_dirs
from crawler.distributed.pool import PoolOutcome
from crawler.distributed.worker import EXIT_DISK_FULL, EXIT_FINISHED, EXIT_UNFINISHED, exit_code
from sampleweb.server import SampleWeb
from settings.registry import load_registry, shard_of

SITES = ("luan-sjj", "huizhou-sthjj")
COUNTS = ("finish_reason", "new_reports", "new_documents", "changed", "gone", "defaced", "cleaned", "failed_hosts",
          "errors", "captures", "revisits")
TIMEOUT = 300


def write_registry(web: SampleWeb, path: Path) -> Path:
    entries = [entry for entry in web.registry() if entry["name"] in SITES]
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def nightly(registry: Path, data: Path, *options: str) -> dict:
    """Run `nianbao nightly --json` with ``options`` to the end; its report."""
    done = subprocess.run(nightly_command(registry, data) + list(options), capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def counts(report: dict) -> dict:
    return {key: report[key] for key in COUNTS}


def record_types(data: Path, run_id: str) -> Counter:
    """(URL, status, record type) of a run's captures: which were revisits."""
    return Counter(query(data, "select url, status, record_type from captures where run_id = ?", (run_id,)))


def nights(root: Path, port: int, *options: str) -> dict:
    """Nights 0 and 1 into ``root/data`` with ``options``; the reports, and a copy after night 0."""
    data, reports = root / "data", []
    with SampleWeb(night=0, port=port) as web:
        registry = write_registry(web, root / "registry.yaml")
        for night in (0, 1):
            web.set_night(night)
            reports.append(nightly(registry, data, *options))
            if night == 0:
                shutil.copytree(data, root / "after-night-0")
    return {"data": data, "after0": root / "after-night-0", "reports": reports, "registry": registry}


@pytest.fixture(scope="module")
def embedded(web_port, tmp_path_factory) -> dict:  # noqa: F811
    return nights(tmp_path_factory.mktemp("embedded"), web_port)


@pytest.fixture(scope="module")
def distributed(web_port, redis_url, tmp_path_factory) -> dict:  # noqa: F811
    return nights(tmp_path_factory.mktemp("distributed"), web_port, "--redis", redis_url, "--workers", "2")


def test_two_workers_give_the_embedded_nightly_night_after_night(embedded, distributed, tmp_path):
    for one, two in zip(embedded["reports"], distributed["reports"], strict=True):
        assert counts(two) == counts(one)
        assert record_types(distributed["data"], two["run_id"]) == record_types(embedded["data"], one["run_id"])
    assert comparable(distributed["data"]) == comparable(embedded["data"])
    # Both nights' captures carry their run's id and are in the workers' own files ("nianbao":
    # the run reports). Each night has 2 workers; one that found no work wrote no file.
    runs = [report["run_id"] for report in distributed["reports"]]
    assert query(distributed["data"], "select distinct run_id from captures order by run_id") == [(r,) for r in runs]
    capture_files = {f for (f,) in query(distributed["data"], "select distinct warc_file from captures")}
    writers = {name.rsplit("-", 3)[0] for name in capture_files}
    assert 2 <= len(writers) <= 4 and "nianbao" not in writers, writers
    # Reports kept, digests committed, nothing left under way.
    assert query(distributed["data"], "select run_id, finish_reason from runs order by started") == [
        (run, "finished") for run in runs]
    assert not (distributed["data"] / "state" / "run.json").exists()
    digests = [{d for (d,) in sqlite3.connect(d / "state" / "digests.db").execute("select digest from digests")}
               for d in (embedded["data"], distributed["data"])]
    assert digests[0] == digests[1] and digests[0]
    warcio_check(distributed["data"])
    assert_rebuild_equals_live(distributed["data"], tmp_path / "rebuilt.db")


def test_the_second_distributed_night_is_incremental(distributed):
    data, (first, second) = distributed["data"], distributed["reports"]
    captured = list(record_types(data, second["run_id"]).elements())
    assert captured and Counter(status for _, status, _ in captured)[304] > 50  # conditional GET answered
    responses = [(url, status) for url, status, record_type in captured if record_type == "response"]
    assert len(responses) == 1  # the edited report; everything else a revisit
    assert second["revisits"] == second["captures"] - 1 and second["changed"] == 1
    assert second["bytes"] < first["bytes"] / 2
    (url,) = [url for url, _ in responses]
    assert query(data, "select version from documents where url = ? order by version", (url,)) == [(1,), (2,)]


def test_a_killed_distributed_nightly_resumes_its_run_and_loses_nothing(embedded, web_port, redis, redis_url,  # noqa: F811
                                                                        tmp_path):
    data = tmp_path / "data"
    with FaultsHeldWeb(night=0, port=web_port, latency=0.03) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        command = nightly_command(registry, data) + ["--redis", redis_url, "--workers", "2"]
        web.kill_run(command, data, written=150_000, timeout=TIMEOUT)
        state = json.loads((data / "state" / "run.json").read_text())
        assert redis.keys(f"nianbao:*{state['run_id']}:*"), "the killed run's crawl stays in Redis"
        report = nightly(registry, data, "--redis", redis_url, "--workers", "2")
    assert (report["run_id"], report["attempts"], report["finish_reason"]) == (state["run_id"], 2, "finished")
    assert redis.keys("nianbao:*") == []  # its crawl finished and removed itself
    reference = embedded["after0"]
    assert comparable(data) == comparable(reference)
    assert set(response_payload_digests(data)) == set(response_payload_digests(reference))
    assert max(response_payload_digests(data).values()) == 1  # no payload stored twice
    warcio_check(data)
    assert_rebuild_equals_live(data, tmp_path / "rebuilt.db")


def test_shards_merged_give_the_unsharded_nightly(embedded, web_port, redis_url, tmp_path):  # noqa: F811
    entries = load_registry(embedded["registry"])
    # The sites' hosts are on the fixture's port: take the fewest shards that split them.
    n = next(n for n in range(2, 20) if all(len(shard_of(entries, k, n)) < len(entries) for k in range(1, n + 1)))
    shards = [k for k in range(1, n + 1) if shard_of(entries, k, n)]
    assert len(shards) == len(entries) == 2
    dirs = []
    with SampleWeb(night=0, port=web_port) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        for k, options in zip(shards, ([], ["--redis", redis_url, "--workers", "2"]), strict=True):
            data = tmp_path / f"shard{k}"
            report = nightly(registry, data, "--shard", f"{k}/{n}", *options)
            assert report["finish_reason"] == "finished"
            crawled = {source for (source,) in query(data, "select distinct source from captures where source is not null")}
            assert crawled == {entry.name for entry in shard_of(entries, k, n)}
            dirs.append(data)
    merged = tmp_path / "merged"
    (merged / "warc").mkdir(parents=True)
    for data in dirs:
        for path in (data / "warc").iterdir():
            shutil.copy2(path, merged / "warc" / path.name)
    merge_data_dirs(dirs, merged)
    assert comparable(merged) == comparable(embedded["after0"])
    warcio_check(merged)


def test_a_run_resumes_only_with_its_own_shard(embedded, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "state").mkdir()
    (data / "state" / "run.json").write_text(json.dumps(
        {"run_id": "20260101T000000Z-abcd", "started": "2026-01-01T00:00:00.000000Z",
         "sources": str(embedded["registry"]), "attempts": 1, "shard": "1/2"}))
    done = subprocess.run(nightly_command(embedded["registry"], data), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "under way with shard 1/2: resume it with --shard 1/2" in done.stderr
    bad = subprocess.run(nightly_command(embedded["registry"], data) + ["--shard", "3/2"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "K must be between 1 and N" in bad.stderr
    assert json.loads((data / "state" / "run.json").read_text())["attempts"] == 1  # nothing was started


@pytest.mark.parametrize(("exits", "reason"), [
    ({"a": EXIT_FINISHED, "b": -signal.SIGKILL}, "finished"),
    ({"a": EXIT_DISK_FULL, "b": EXIT_UNFINISHED}, "disk_full"),
    ({"a": EXIT_UNFINISHED, "b": -signal.SIGKILL}, "shutdown"),
    ({"a": -signal.SIGKILL, "b": -signal.SIGKILL}, "killed"),
])
def test_the_workers_exits_make_the_runs_finish_reason(exits, reason):
    assert PoolOutcome("crawl", exits).reason == reason


def test_a_worker_stopped_by_a_full_disk_says_so_by_its_exit_code():
    assert exit_code({"finish_reason": "disk_full", STOP_REASON: DISK_FULL}) == EXIT_DISK_FULL
    assert exit_code({"finish_reason": "finished", STOP_REASON: DISK_FULL}) == EXIT_DISK_FULL  # stopped while closing
    assert exit_code({"finish_reason": "finished"}) == EXIT_FINISHED
    assert exit_code({"finish_reason": "shutdown"}) == EXIT_UNFINISHED


# -- the recheck of known documents no list named ----------------------------------------------

RECHECK_SITE = "fuzhou-czj"  # night 2 takes one of its reports off its list, and its URL answers 404
RECHECKED = "'nianbao/rechecked':"  # a line of the stats each crawl process dumps as it closes
STATS_DUMP = "Dumping Scrapy stats"


def rechecked(log: str) -> list[int]:
    """The ``nianbao/rechecked`` stat of each crawl process that dumped one in ``log``."""
    return [int(line.split(RECHECKED)[1].strip(" ,}")) for line in log.splitlines() if RECHECKED in line]


def deleting_nights(root: Path, port: int, *options: str) -> list[dict]:
    """Nights 0 and 2 of ``RECHECK_SITE`` into ``root/data`` with ``options``; per night the
    run's report, what each crawl process (the embedded one, or each worker) asked for again,
    and the night's deleted reports."""
    data, runs = root / "data", []
    root.mkdir()
    with SampleWeb(night=0, port=port) as web:
        registry = root / "registry.yaml"
        entries = [entry for entry in web.registry() if entry["name"] == RECHECK_SITE]
        registry.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
        for night in (0, 2):
            web.set_night(night)
            done = subprocess.run(nightly_command(registry, data) + list(options), capture_output=True, text=True,
                                  timeout=TIMEOUT)
            assert done.returncode == 0, done.stderr[-4000:]
            runs.append({"report": json.loads(done.stdout), "dumps": done.stderr.count(STATS_DUMP),
                         "rechecked": rechecked(done.stderr),
                         "deleted": web.manifest()["changes"]["deleted"], "data": data})
    return runs


def test_one_worker_asks_again_for_the_report_taken_down_as_the_embedded_nightly_does(
        web_port, redis, redis_url, tmp_path):  # noqa: F811
    embedded = deleting_nights(tmp_path / "embedded", web_port)
    distributed = deleting_nights(tmp_path / "distributed", web_port, "--redis", redis_url, "--workers", "2")
    for one, two in zip(embedded, distributed, strict=True):
        assert counts(two["report"]) == counts(one["report"])
        assert record_types(two["data"], two["report"]["run_id"]) == record_types(one["data"], one["report"]["run_id"])
    assert comparable(distributed[-1]["data"]) == comparable(embedded[-1]["data"])  # pages rows, gone reasons too
    # Night 0 has nothing to ask again for; night 2 one report, asked for by one of the two workers.
    assert [run["rechecked"] for run in embedded] == [[], [1]]
    assert [(run["dumps"], run["rechecked"]) for run in distributed] == [(2, []), (2, [1])]
    night2 = distributed[-1]
    (url,) = night2["deleted"]
    assert night2["report"]["gone"] == 1
    assert query(night2["data"], "select status from captures where url = ? and run_id = ?",
                 (url, night2["report"]["run_id"])) == [(404,)]  # asked once, answered 404
    assert query(night2["data"], "select gone_reason, status from pages where url = ?", (url,)) == [("deleted", 404)]
    assert redis.keys("nianbao:*") == []  # the crawl removed its keys, the recheck's claim with them


def test_an_unreachable_redis_starts_no_run(tmp_path):
    from crawler.distributed.localredis import free_port

    data = tmp_path / "data"
    done = subprocess.run(nightly_command("sample", data) + ["--redis", f"redis://127.0.0.1:{free_port()}/0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "cannot reach Redis" in done.stderr, done.stderr
    assert not (data / "state" / "run.json").exists()
