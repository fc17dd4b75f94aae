"""Run the benchmarks and print one table: ``nianbao bench [--quick] [--out FILE] [--only NAME]``.

Benchmarks are found in the modules of ``SUITES``: each has a ``BENCHMARKS`` mapping of names
to functions ``(quick, workdir) -> bench.results.Result``. ``--quick`` is the small version
(under three minutes on the 2-core machine); crawls, WARC files and catalogs go to a
temporary directory removed at the end.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.results import BenchError, Result, format_table

SUITES = ("bench.crawl", "bench.manyhost", "bench.documents", "bench.memory")

Benchmark = Callable[[bool, Path], Result]


def discover() -> dict[str, Benchmark]:
    """Every benchmark of every suite, in suite order."""
    found: dict[str, Benchmark] = {}
    for module_name in SUITES:
        for name, function in importlib.import_module(module_name).BENCHMARKS.items():
            if name in found:
                raise BenchError(f"benchmark {name!r} is defined twice ({module_name})")
            found[name] = function
    return found


def run(quick: bool = False, only: str | None = None, workdir: Path | None = None,
        echo: Callable[[str], None] = print) -> list[Result]:
    """Run the benchmarks (or ``only`` one) and return their results."""
    benchmarks = discover()
    if only is not None and only not in benchmarks:
        raise BenchError(f"no benchmark named {only!r}; there are: {', '.join(benchmarks)}")
    chosen = {only: benchmarks[only]} if only else benchmarks
    results = []
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        root = workdir or Path(tmp)
        for name, function in chosen.items():
            echo(f"running {name}{' (quick)' if quick else ''} ...")
            started = time.monotonic()
            where = root / name
            where.mkdir(parents=True)
            load = os.getloadavg()[0]
            result = function(quick, where)
            # A shared machine: the load around a benchmark says how far to trust its wall times.
            result.details["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
            result.details["seconds"] = round(time.monotonic() - started, 1)
            results.append(result)
    return results


def report(results: list[Result]) -> str:
    """The table, then each benchmark's notes."""
    lines = [format_table(results)]
    for result in results:
        lines += [f"{result.benchmark}: {note}" for note in result.notes]
    return "\n".join(lines)


def write_json(results: list[Result], path: Path, quick: bool) -> None:
    document = {"quick": quick, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "results": [result.to_json() for result in results]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")


def main(quick: bool = False, out: Path | None = None, only: str | None = None) -> list[Result]:
    """What ``nianbao bench`` does: run, print progress to stderr and the table to stdout."""
    results = run(quick, only, echo=lambda line: print(line, file=sys.stderr, flush=True))
    print(report(results))
    if out is not None:
        write_json(results, out, quick)
    return results

