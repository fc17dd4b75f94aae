"""Crawl-side benchmarks: throughput against wget, CPU per page, snapshot rebuild.

The sample web runs in its own process (``bench.web``) and every crawler in another
(``bench.crawlproc`` for Scrapy, ``wget`` itself), so each one's CPU is its own. The site is
the TRS one (``fuzhou-czj``), served several times on one address: one host to every
crawler's per-host politeness, and enough pages for start-up not to dominate.

- ``throughput``: latency-bound (every response 150 ms late, as real government servers
  are). ``nianbao crawl`` with its default settings against ``wget --recursive --level=inf
  --no-parent --warc-file`` from each column, and again given every list page nianbao found
  (the TRS pager is written by a script, ``createPageHTML``, which wget cannot run). Pages per
  second and coverage (the manifest's live document pages captured with status 200).
- ``cpu``: no latency, no AutoThrottle. CPU milliseconds per page of the ``reports`` spider
  with capture on and with capture off (both without item pipelines: extraction is measured
  by ``extraction``), of a bare Scrapy spider and of wget given the same list pages and
  following the same links, and (full run) of nianbao with everything on.
- ``rebuild``: WARC records per second rebuilding the catalog from the WARC files of a crawl
  of the whole sample web (``archive.rebuild.rebuild_catalog``).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.measure import ChildRun, coverage, list_pages, log_tail, responses, run_child, warc_paths
from bench.results import BenchError, Result, ratio
from bench.web import WebProcess

TRS_SITE = "fuzhou-czj"
LATENCY = 0.15  # seconds added to every response in the throughput benchmark
WGET_OPTIONS = ("--recursive", "--level=inf", "--no-parent", "--no-verbose")
WGET_OK = (0, 8)  # 8: some answer was an error status (a 404), which is part of the site
# The reports spider measured without item pipelines: extraction has its own benchmark.
CAPTURE_OFF = {"NIANBAO_CAPTURE_ENABLED": False, "ITEM_PIPELINES": {}}
CAPTURE_ON = {"ITEM_PIPELINES": {}}
# CPU is measured without AutoThrottle, for every Scrapy peer alike: its delays only stretch
# the wall time (each 1.5 s page holds the host back for seconds), not the work per page.
UNTHROTTLED = {"AUTOTHROTTLE_ENABLED": False}
# (quick, full): copies of the site served, rounds of the CPU measurement (the lowest counts),
# copies crawled with every pipeline on (extraction costs ~20 times the crawl; full run only).
SIZES = {"throughput": (1, 4), "cpu": (6, 24), "cpu_rounds": (1, 2), "cpu_default": (0, 4), "rebuild": (1, 3)}
# The full throughput run also shows where the time goes: the crawl without extraction (the
# item pipelines share the crawl's process and its GIL), and that with AutoThrottle aiming
# at the per-host limit instead of half of it.
THROUGHPUT_VARIANTS = {
    "nianbao, extraction off": CAPTURE_ON,
    "nianbao, extraction off, AutoThrottle target 4": CAPTURE_ON | {"AUTOTHROTTLE_TARGET_CONCURRENCY": 4},
}


@dataclass(frozen=True)
class Crawl:
    """One measured crawl. ``wall_s``/``cpu_s`` are the crawl's (Scrapy: engine start to stop;
    wget: its whole process), ``process_*`` the whole process's, start-up included."""

    system: str
    pages: int
    wall_s: float
    cpu_s: float
    process_wall_s: float
    process_cpu_s: float
    coverage: float | None = None
    errors: int = 0

    @property
    def pages_per_s(self) -> float:
        return ratio(self.pages, self.wall_s)

    @property
    def cpu_ms_per_page(self) -> float:
        return ratio(1000 * self.cpu_s, self.pages)


def size(name: str, quick: bool) -> int:
    return SIZES[name][0 if quick else 1]


def run_wget(system: str, urls: list[str], workdir: Path, wanted: set[str] | None = None) -> Crawl:
    workdir.mkdir(parents=True)
    url_file = workdir / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    command = ["wget", *WGET_OPTIONS, f"--warc-file={workdir / 'wget'}", f"--directory-prefix={workdir / 'files'}",
               f"--input-file={url_file}"]
    run = run_child(command, workdir / "wget.log")
    if run.returncode not in WGET_OK:
        raise BenchError(f"{system}: wget exited with {run.returncode}:\n{log_tail(workdir / 'wget.log')}")
    captured = responses(warc_paths(workdir))
    return Crawl(system, len(captured), run.wall_s, run.cpu_s, run.wall_s, run.cpu_s,
                 coverage(captured, wanted) if wanted is not None else None)


def run_crawlproc(system: str, what: list[str], workdir: Path, settings: dict | None = None) -> tuple[ChildRun, dict]:
    """``bench.crawlproc`` with ``what`` (``--sources REGISTRY [--redis URL --workers N]`` or
    ``--bare URL...``) in ``workdir``, its log in ``crawl.log``: the measured run and its stats."""
    workdir.mkdir(parents=True)
    stats_file = workdir / "stats.json"
    command = [sys.executable, "-m", "bench.crawlproc", "--data", str(workdir), "--stats", str(stats_file), *what]
    for key, value in (settings or {}).items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    run = run_child(command, workdir / "crawl.log")
    if run.returncode or not stats_file.is_file():
        raise BenchError(f"{system}: crawl exited with {run.returncode}:\n{log_tail(workdir / 'crawl.log')}")
    return run, json.loads(stats_file.read_text("utf-8"))


def run_scrapy(system: str, what: list[str], workdir: Path, settings: dict | None = None,
               wanted: set[str] | None = None) -> Crawl:
    """``bench.crawlproc`` with ``what`` (``--sources REGISTRY`` or ``--bare URL...``)."""
    run, stats = run_crawlproc(system, what, workdir, settings)
    warcs = warc_paths(workdir / "warc")
    share = coverage(responses(warcs), wanted) if wanted is not None and warcs else None
    return Crawl(system, stats.get("downloader/response_count", 0), stats["bench/wall_s"], stats["bench/cpu_s"],
                 run.wall_s, run.cpu_s, share, stats.get("log_count/ERROR", 0))


def run_nianbao(system: str, registry: Path, workdir: Path, settings: dict | None = None,
                wanted: set[str] | None = None) -> Crawl:
    return run_scrapy(system, ["--sources", str(registry)], workdir, settings, wanted)


def _noted_errors(result: Result, crawls: list[Crawl]) -> None:
    for crawl in crawls:
        if crawl.errors:
            result.notes.append(f"{crawl.system}: {crawl.errors} errors logged during the crawl")


def throughput(quick: bool, workdir: Path) -> Result:
    """Latency-bound pages per second and coverage: nianbao with default politeness vs wget."""
    result = Result("throughput")
    copies = size("throughput", quick)
    with WebProcess(copies=copies, latency=LATENCY) as web:
        wanted = web.live_urls(TRS_SITE)
        columns = [copy.site(TRS_SITE)["columns"][0] for copy in web.copies]
        registry = web.write_registry(workdir / "registry.yaml", TRS_SITE)
        ours = run_nianbao("nianbao crawl", registry, workdir / "nianbao", wanted=wanted)
        wget = run_wget("wget", columns, workdir / "wget", wanted)
        seeded = run_wget("wget given the list pages", list_pages(warc_paths(workdir / "nianbao")),
                          workdir / "wget-list-pages", wanted)
        crawls = [wget, seeded, ours]
        variants = {} if quick else THROUGHPUT_VARIANTS
        for n, (system, settings) in enumerate(variants.items()):
            crawls.append(run_nianbao(system, registry, workdir / f"variant-{n}", settings, wanted))
    result.details = {"latency_s": LATENCY, "site": TRS_SITE, "copies": copies, "live_documents": len(wanted),
                      "crawls": [asdict(c) for c in crawls]}
    for crawl in crawls:
        result.add(f"{crawl.system}: pages/s ({crawl.pages} pages)", crawl.pages_per_s, "pages/s")
        result.add(f"{crawl.system}: coverage", 100 * crawl.coverage, "%")
    result.add("nianbao crawl: pages/s with start-up", ratio(ours.pages, ours.process_wall_s), "pages/s")
    for peer in (wget, seeded):
        result.add(f"nianbao / {peer.system}, pages/s", ratio(ours.pages_per_s, peer.pages_per_s), "×", (">=", 3))
        result.add(f"coverage, nianbao − {peer.system}", 100 * (ours.coverage - peer.coverage), "points", (">=", 0))
    for variant in crawls[3:]:
        result.add(f"{variant.system} / wget given the list pages, pages/s",
                   ratio(variant.pages_per_s, seeded.pages_per_s), "×")
    result.add("nianbao crawl: CPU per page", ours.cpu_ms_per_page, "ms")
    result.notes.append(f"{copies} copies of {TRS_SITE} on one address, {LATENCY * 1000:.0f} ms per response; "
                        "nianbao pages/s over the crawl (engine start to stop), wget over its process")
    _noted_errors(result, crawls[2:])
    return result


def cpu(quick: bool, workdir: Path) -> Result:
    """CPU milliseconds per page at zero latency; the lowest of the rounds counts."""
    result = Result("cpu")
    copies, rounds, default_copies = size("cpu", quick), size("cpu_rounds", quick), size("cpu_default", quick)
    best: dict[str, Crawl] = {}
    measured: list[list[dict]] = []
    with WebProcess(copies=copies) as web:
        registry = web.write_registry(workdir / "registry.yaml", TRS_SITE)
        default_registry = web.write_registry(workdir / "registry-default.yaml", TRS_SITE, default_copies)
        for n in range(rounds):
            where = workdir / f"round-{n}"
            crawls = [run_nianbao("nianbao capture on", registry, where / "capture-on", CAPTURE_ON | UNTHROTTLED)]
            captured = warc_paths(where / "capture-on")
            seeds, follow = list_pages(captured), where / "follow.txt"
            follow.write_text("\n".join(url for url, _ in responses(captured)), "utf-8")
            crawls += [run_nianbao("nianbao capture off", registry, where / "capture-off", CAPTURE_OFF | UNTHROTTLED),
                       run_scrapy("bare Scrapy", ["--follow", str(follow), "--bare", *seeds], where / "bare",
                                  UNTHROTTLED),
                       run_wget("wget", seeds, where / "wget")]
            if n == 0 and default_copies:
                crawls.append(run_nianbao("nianbao default", default_registry, where / "default", UNTHROTTLED))
            measured.append([asdict(crawl) for crawl in crawls])
            for crawl in crawls[1:3]:
                if crawl.pages != crawls[0].pages:  # the peers are compared on the same pages
                    result.notes.append(f"round {n}: {crawl.system} fetched {crawl.pages} pages, "
                                        f"capture on {crawls[0].pages}")
            for crawl in crawls:
                if crawl.system not in best or crawl.cpu_ms_per_page < best[crawl.system].cpu_ms_per_page:
                    best[crawl.system] = crawl
            shutil.rmtree(where)  # WARC and files of a round are not needed once counted
    result.details = {"site": TRS_SITE, "copies": copies, "rounds": measured,
                      "crawls": [asdict(c) for c in best.values()]}
    for crawl in best.values():
        result.add(f"{crawl.system}: CPU per page ({crawl.pages} pages)", crawl.cpu_ms_per_page, "ms")
    cost = {system: crawl.cpu_ms_per_page for system, crawl in best.items()}
    result.add("bare Scrapy / wget, CPU per page", ratio(cost["bare Scrapy"], cost["wget"]), "×")
    result.add("capture off / bare Scrapy, CPU per page", ratio(cost["nianbao capture off"], cost["bare Scrapy"]), "×",
               ("<=", 1.10))
    result.add("capture on / capture off, CPU per page",
               ratio(cost["nianbao capture on"], cost["nianbao capture off"]), "×", ("<=", 1.15))
    if "nianbao default" in cost:
        result.add("default / capture on, CPU per page", ratio(cost["nianbao default"], cost["nianbao capture on"]), "×")
    startup = ", ".join(f"{c.system} {c.process_cpu_s - c.cpu_s:.1f} s" for c in best.values() if c.process_cpu_s > c.cpu_s)
    result.notes.append("capture off/on: the reports spider without item pipelines; default adds extraction and the "
                        f"catalog (full run only). CPU counted from engine start to stop; start-up apart: {startup}")
    if quick:
        result.notes.append("quick: a few hundred pages per system, so these ratios move by 10-20% from run to run; "
                            "the full run crawls 24 copies twice")
    _noted_errors(result, list(best.values()))
    return result


def rebuild(quick: bool, workdir: Path) -> Result:
    """WARC records per second rebuilding the catalog from a crawl of the whole sample web."""
    from archive.rebuild import rebuild_catalog

    result = Result("rebuild")
    copies = size("rebuild", quick)
    with WebProcess(copies=copies) as web:
        registry = web.write_registry(workdir / "registry.yaml")
        crawl = run_nianbao("crawl of the sample web", registry, workdir / "crawl", CAPTURE_ON | UNTHROTTLED)
    warc_dir = workdir / "crawl" / "warc"
    size_mb = sum(path.stat().st_size for path in warc_paths(warc_dir)) / 1e6
    started, cpu_started = time.monotonic(), time.process_time()
    stats = rebuild_catalog(warc_dir, workdir / "catalog.db")
    wall, cpu_s = time.monotonic() - started, time.process_time() - cpu_started
    result.details = {"copies": copies, "crawl": asdict(crawl), "warc_mb": size_mb, "wall_s": wall, "cpu_s": cpu_s,
                      **asdict(stats)}
    result.add("records/s", ratio(stats.records, wall), "records/s")
    result.add("records/s of CPU time (one core)", ratio(stats.records, cpu_s), "records/s")
    result.add("documents extracted/s", ratio(stats.documents, wall), "docs/s")
    result.add("records", stats.records, "records")
    result.add("WARC size", size_mb, "MB")
    result.notes.append(f"{copies} cop{'y' if copies == 1 else 'ies'} of the sample web crawled (capture on), then "
                        f"rebuilt in {wall:.1f} s ({cpu_s:.1f} s CPU): {stats.captures} captures, "
                        f"{stats.documents} documents extracted")
    return result


BENCHMARKS = {"throughput": throughput, "cpu": cpu, "rebuild": rebuild}
