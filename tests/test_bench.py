"""bench/: every benchmark runs in its tiniest configuration and returns well-formed results.

No timing is asserted: a benchmark measures, it does not judge. What is checked is that the
measurements are complete and mean what they say (the same pages for the CPU peers, coverage
telling a crawler that runs the TRS pager from one that cannot).
"""

from __future__ import annotations

import json
import math
from itertools import islice

import pytest
from click.testing import CliRunner

from bench import crawl, manyhost, memory, runner
from bench.results import Figure, Result, format_table
from nianbao.cli import main

TINY_DOCUMENTS = 6
# Generated-site sizes (URLs) of the memory benchmark: each engine once or twice, and the memory
# frontier too, to tell its requests from the disk frontier's.
TINY_SITES = {"disk": (40, 120), "memory": (40,), "redis": (40,), "extraction": (40,)}


@pytest.fixture
def tiny(monkeypatch):
    """One copy of the sample web, little latency, a few documents for the document benchmarks."""
    import bench.extraction
    import bench.stats

    monkeypatch.setattr(crawl, "SIZES", {name: (1, 1) for name in crawl.SIZES})
    monkeypatch.setattr(crawl, "LATENCY", 0.01)
    monkeypatch.setattr(memory, "SIZES", {engine: (sizes, ()) for engine, sizes in TINY_SITES.items()})
    monkeypatch.setattr(manyhost, "WINDOW", {True: 2, False: 2})
    monkeypatch.setattr(manyhost, "LATENCY", 0.01)
    monkeypatch.setattr(manyhost, "DELAY", 0.2)  # the drain after the window is up to 32 delays
    documents, readings = bench.extraction.sample_web_documents, bench.stats.sample_web_readings
    monkeypatch.setattr(bench.extraction, "sample_web_documents", lambda web: documents(web)[:TINY_DOCUMENTS])
    monkeypatch.setattr(bench.stats, "sample_web_readings", lambda web: islice(readings(web), TINY_DOCUMENTS))


def crawls(result: Result) -> dict[str, dict]:
    return {c["system"]: c for c in result.details["crawls"]}


def check_throughput(result: Result) -> None:
    measured = crawls(result)
    assert measured["nianbao crawl"]["coverage"] == 1.0
    # The TRS pager is a script: wget from the column alone misses the later list pages.
    assert 0 < measured["wget"]["coverage"] < measured["wget given the list pages"]["coverage"]


def check_cpu(result: Result) -> None:
    measured = crawls(result)
    assert {"wget", "bare Scrapy", "nianbao capture off", "nianbao capture on"} <= set(measured)
    # The bare spider follows exactly the links the reports spider fetched.
    assert measured["bare Scrapy"]["pages"] == measured["nianbao capture on"]["pages"] == \
        measured["nianbao capture off"]["pages"]


def check_many_hosts(result: Result) -> None:
    hosts = result.details["hosts"]
    assert hosts >= manyhost.MIN_HOSTS  # the copies are distinct hosts, not distinct ports of one
    measured = crawls(result)
    assert set(measured) == set(manyhost.SYSTEMS)
    assert measured["nianbao crawl"]["hosts"] == hosts  # the embedded crawl starts on every host at once
    for crawled in measured.values():
        assert crawled["window_pages"] > 0
        assert 1 <= crawled["max_in_flight"] <= 4, crawled  # CONCURRENT_REQUESTS_PER_DOMAIN, across workers
    assert [measured[system]["workers"] for system in ("1 worker", "2 workers")] == [1, 2]  # both had work


def check_rebuild(result: Result) -> None:
    assert result.details["records"] > result.details["captures"] > result.details["documents"] > 0


def check_extraction(result: Result) -> None:
    assert result.details["documents"] >= TINY_DOCUMENTS


def check_stats(result: Result) -> None:
    assert result.details["sample_web"]["cells"]["truth"] > 0


def check_memory(result: Result) -> None:
    engines = {label: runs for label, runs in result.details["engines"].items()}
    crawled = [m for runs in engines.values() for m in runs]
    assert len(crawled) == sum(map(len, TINY_SITES.values()))
    # Every generated URL fetched (and robots.txt), by every engine; every crawl process gauged.
    assert all(m["pages"] == m["urls"] + 1 and m["peak_rss_mb"] > 0 for m in crawled)
    # Each frontier is where it is said to be: every request of the site queued there.
    where = {"embedded, disk frontier": "disk", "embedded, memory frontier": "memory", "distributed worker": "redis",
             "extraction on": "disk"}
    for label, runs in engines.items():
        for m in runs:
            assert m["enqueued"] == {kind: m["urls"] if kind == where[label] else 0 for kind in m["enqueued"]}, label
    assert all(m["redis_peak_mb"] > 0 for m in engines["distributed worker"])
    (extraction,) = engines["extraction on"]
    assert extraction["children_peak_rss_mb"] > 0 and extraction["scraper_responses_max"] > 0


CHECKS = {"throughput": check_throughput, "cpu": check_cpu, "many_hosts": check_many_hosts, "rebuild": check_rebuild,
          "extraction": check_extraction, "stats": check_stats, "memory": check_memory}


def test_every_benchmark_has_its_checks():
    assert set(runner.discover()) == set(CHECKS)


@pytest.mark.parametrize("name", list(CHECKS))
def test_benchmark_runs_and_returns_well_formed_results(name, tiny, tmp_path):
    (result,) = runner.run(quick=True, only=name, workdir=tmp_path, echo=lambda line: None)
    assert result.benchmark == name and result.figures
    for figure in result.figures:
        assert isinstance(figure.value, (int, float)) and math.isfinite(figure.value) and figure.value >= 0, figure
        assert figure.met in ((None,) if figure.goal is None else (True, False))
    for crawled in result.details.get("crawls", []):
        assert crawled["pages"] > 0 and crawled["cpu_s"] > 0 and crawled["wall_s"] > 0, crawled
    json.dumps(result.to_json())  # plain JSON, nothing left for a default= to paper over
    CHECKS[name](result)


def test_nianbao_bench_prints_the_table_and_writes_json(tiny, tmp_path):
    out = tmp_path / "bench.json"
    answer = CliRunner().invoke(main, ["bench", "--quick", "--only", "stats", "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    assert "statistics and checks: docs/s" in answer.output
    written = json.loads(out.read_text("utf-8"))
    assert written["quick"] is True
    assert [r["benchmark"] for r in written["results"]] == ["stats"]
    assert all({"name", "value", "unit", "goal", "met"} <= set(f) for f in written["results"][0]["figures"])


def test_nianbao_bench_names_the_benchmarks_when_one_is_unknown():
    answer = CliRunner().invoke(main, ["bench", "--only", "nonesuch"])
    assert answer.exit_code == 1
    assert "nonesuch" in answer.output and "throughput" in answer.output


@pytest.mark.parametrize("goal, value, met", [((">=", 3), 3.0, True), ((">=", 3), 2.99, False),
                                              (("<=", 1.1), 1.1, True), (("<=", 1.1), 1.2, False)])
def test_a_figure_meets_its_goal_or_not(goal, value, met):
    assert Figure("ratio", value, "×", goal).met is met


def test_the_table_shows_goals_and_misses():
    result = Result("demo")
    result.add("pages/s", 12.345, "pages/s")
    result.add("ours / theirs", 1.5, "×", (">=", 3))
    table = format_table([result]).splitlines()
    assert len(table) == 4
    assert "12.3" in table[2] and "pages/s" in table[2] and "MISSED" not in table[2]
    assert "≥ 3" in table[3] and table[3].endswith("MISSED")


def test_the_help_names_every_benchmark():
    answer = CliRunner().invoke(main, ["bench", "--help"])
    assert all(name in answer.output for name in runner.discover()), answer.output
