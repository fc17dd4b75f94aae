"""Document benchmarks for the runner: extraction (``bench/extraction.py``) and statistics
(``bench/stats.py``), through the functions those scripts are built from.

Both read the real pages and seeds (when ``../shared`` is present) and every live page of the
sample web on night 0, served in this process: the pages are fetched before anything is
timed, and their timing is CPU time of extraction alone.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from bench.results import Result, ratio

# bench/stats.py prints its speeds rather than returning them.
STATS_SPEED_RE = re.compile(r"statistics and checks (\d+) docs/s, HTML tables (\d+) docs/s")


def extraction(quick: bool, workdir: Path) -> Result:
    """nianbao's extraction against plain trafilatura + htmldate on the same pages."""
    from bench import extraction as bench_extraction
    from sampleweb.server import SampleWeb

    docs = bench_extraction.gold_documents()
    with SampleWeb(night=0, port=0) as web:
        docs += bench_extraction.sample_web_documents(web)
    ours = bench_extraction.evaluate(docs, bench_extraction.nianbao)
    theirs = bench_extraction.evaluate(docs, bench_extraction.baseline)
    result = Result("extraction")
    result.add("nianbao: docs/s (one core)", ours["docs_per_s"], "docs/s")
    result.add("trafilatura + htmldate: docs/s (one core)", theirs["docs_per_s"], "docs/s")
    result.add("nianbao / trafilatura + htmldate, docs/s", ratio(ours["docs_per_s"], theirs["docs_per_s"]), "×")
    for name, measured in (("nianbao", ours), ("trafilatura + htmldate", theirs)):
        for key in ("title", "publish_date"):
            result.add(f"{name}: {key} right", 100 * ratio(measured["right"][key], measured["counted"][key]), "%")
        scores = measured["f1"]
        result.add(f"{name}: body char F1 (mean)", ratio(sum(scores), len(scores)), "")
        result.add(f"{name}: chrome strings left", measured["chrome_left"], "strings")
    result.details = {"documents": len(docs),
                      "nianbao": _plain(ours), "trafilatura + htmldate": _plain(theirs)}
    result.notes.append(f"{len(docs)} documents; full per-field table: python bench/extraction.py")
    return result


def statistics(quick: bool, workdir: Path) -> Result:
    """Statistics cells and rules against the truth, and statistics docs/s."""
    from bench import stats as bench_stats

    timing: list = []
    corpus, web = bench_stats.Tally(), bench_stats.Tally()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        bench_stats.corpus(corpus, timing)
        bench_stats.sample_web([0], web, timing)
        corpus.report("real corpus (hand gold)")
        web.report("sample web night 0")
        bench_stats.speed(timing)
    speed = STATS_SPEED_RE.search(printed.getvalue())
    if speed is None:
        raise RuntimeError(f"bench/stats.py printed no speed line:\n{printed.getvalue()}")
    result = Result("stats")
    result.add("statistics and checks: docs/s (one core)", float(speed.group(1)), "docs/s")
    result.add("HTML tables: docs/s (one core)", float(speed.group(2)), "docs/s")
    for name, tally in (("corpus", corpus), ("sample web", web)):
        if tally.documents:
            result.add(f"{name}: cells exact", 100 * ratio(tally.cells["exact"], tally.cells["truth"]), "%")
    result.add(f"sample web: planted violations reported (of {web.rules['violations']})",
               web.rules["violations reported"], "rules")
    result.add("sample web: false rule failures", web.rules["false failures"], "rules")
    result.details = {"printed": printed.getvalue().splitlines(),
                      "corpus": {"cells": dict(corpus.cells), "rules": dict(corpus.rules)},
                      "sample_web": {"cells": dict(web.cells), "rules": dict(web.rules)}}
    return result


def _plain(measured: dict) -> dict:
    """``bench.extraction.evaluate``'s result without the per-document F1 list."""
    return {key: dict(value) if hasattr(value, "items") else value for key, value in measured.items() if key != "f1"}


BENCHMARKS = {"extraction": extraction, "stats": statistics}
