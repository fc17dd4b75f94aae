"""Statistics benchmark: cells exact, rules evaluated, documents per second.

Documents: the real 平潭 pages (../shared/corpus) against the gold transcribed by hand in
tests/data/gold/stats, and every live report of the sample web for the nights asked (truth
from its manifest), its page and its attachments. The documents are gathered by the same
code the tests assert on (tests/test_pipelines_stats.py), so the numbers printed here are
the ones the tests hold ``pipelines.stats`` and ``pipelines.checks`` to.

Printed: cells exact (value and, for table cells, the printed text) out of the truth's
cells, cells found that the truth does not have; rules reported as failing against the
violations the sample web planted (missed, false failures) and the statuses of the corpus
gold; documents per second of statistics alone (grids → stats → checks, one core), and of
HTML table reading.

    python bench/stats.py [--nights 0 1 2 3] [--no-sample-web]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "tests"))  # the tests' document readers and gold

from test_pipelines_stats import GOLD, by_key, corpus_document, gold_cells, sample_web_readings  # noqa: E402

from pipelines.checks import run_checks  # noqa: E402
from pipelines.stats import parse_stats  # noqa: E402
from pipelines.statlabels import fold  # noqa: E402
from pipelines.tables import html_grids  # noqa: E402


class Tally:
    """Cells and rules of one set of documents."""

    def __init__(self) -> None:
        self.cells = Counter()  # truth, exact, wrong, missing, extra
        self.rules = Counter()  # status counts, violations found/missed, false failures
        self.documents = 0
        self.wrong: list[str] = []

    def cells_of(self, name: str, truth: dict, got: dict, *, raw_exact: bool) -> None:
        self.documents += 1
        self.cells["truth"] += len(truth)
        self.cells["extra"] += len(set(got) - set(truth))
        for key, cell in truth.items():
            found = got.get(key)
            if found is None:
                self.cells["missing"] += 1
            elif found["value"] == cell["value"] and (not raw_exact or _raw_matches(cell, found)):
                self.cells["exact"] += 1
            else:
                self.cells["wrong"] += 1
                self.wrong.append(f"{name} {key}: {cell.get('raw')!r} read as {found['raw']!r}")

    def rules_of(self, checks: list[dict], violations: set[int]) -> None:
        failed = {c["rule"] for c in checks if c["status"] == "fail"}
        self.rules.update(c["status"] for c in checks)
        self.rules["violations"] += len(violations)
        self.rules["violations reported"] += len(violations & failed)
        self.rules["false failures"] += len(failed - violations)

    def report(self, title: str) -> None:
        c, r = self.cells, self.rules
        share = c["exact"] / c["truth"] if c["truth"] else 1.0
        print(f"{title}: {self.documents} readings, cells exact {c['exact']}/{c['truth']} ({share:.2%}), "
              f"wrong {c['wrong']}, missing {c['missing']}, extra {c['extra']}")
        print(f"  rules: pass {r['pass']}, fail {r['fail']}, uncertain {r['uncertain']}; violations reported "
              f"{r['violations reported']}/{r['violations']}, false failures {r['false failures']}")
        for line in self.wrong[:10]:
            print("   ", line)


def _raw_matches(truth: dict, found: dict) -> bool:
    if "sentence" in truth:
        return truth["sentence"] in found["raw"]
    return fold(truth["raw"]) == fold(found["raw"])


def corpus(tally: Tally, timing: list) -> None:
    corpus_dir = SHARED / "corpus"
    if not corpus_dir.is_dir():
        print("../shared/corpus not present: corpus skipped")
        return
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text("utf-8"))
        grids, text = corpus_document(corpus_dir, gold["page"])
        result = parse_stats(grids, text)
        checks = run_checks(result.stats, text, result.template)
        tally.cells_of(gold["page"], gold_cells(gold), by_key(result.stats), raw_exact=True)
        tally.rules_of(checks, set())
        statuses = {str(c["rule"]): c["status"] for c in checks}
        tally.rules["gold statuses matched"] += statuses == gold.get("checks", {})
        timing.append(((corpus_dir / gold["page"]).read_bytes(), grids, text))


def sample_web(nights: list[int], tally: Tally, timing: list) -> None:
    from sampleweb.server import SampleWeb

    for night in nights:
        with SampleWeb(night=night, port=0) as web:
            for reading in sample_web_readings(web):
                document = reading.document
                if reading.where == "scan":
                    tally.cells["scan cells invented"] += len(reading.stats)
                    continue
                truth = by_key(document["stats"])
                narrative = {k for k, s in truth.items() if s["table"] == "legacy" and not s["raw"].strip().isdigit()}
                tally.cells_of(f"{night}:{document['key']}:{reading.where}", truth, by_key(reading.stats),
                               raw_exact=False)
                tally.cells["raw differs"] += sum(
                    1 for k, s in by_key(reading.stats).items()
                    if k in truth and k not in narrative and fold(truth[k]["raw"]) != fold(s["raw"]))
                tally.rules_of(reading.checks, set(document["violations"]) - {5})
                if reading.where == "page":
                    timing.append((reading.body, reading.grids, reading.text))


def speed(timing: list, rounds: int = 3) -> None:
    """Documents per second: statistics from grids (with the checks), and grids from HTML."""
    if not timing:
        return
    start = time.perf_counter()
    for _ in range(rounds):
        for _, grids, text in timing:
            result = parse_stats(grids, text)
            run_checks(result.stats, text, result.template)
    stats_rate = rounds * len(timing) / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(rounds):
        for body, _, _ in timing:
            html_grids(body)
    grids_rate = rounds * len(timing) / (time.perf_counter() - start)
    print(f"speed over {len(timing)} pages: statistics and checks {stats_rate:.0f} docs/s, "
          f"HTML tables {grids_rate:.0f} docs/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nights", type=int, nargs="+", default=[0])
    parser.add_argument("--no-sample-web", action="store_true")
    args = parser.parse_args()
    timing: list = []
    real = Tally()
    corpus(real, timing)
    real.report("real corpus (hand gold)")
    print(f"  corpus checks as in the gold: {real.rules['gold statuses matched']}/{real.documents}")
    if not args.no_sample_web:
        web = Tally()
        sample_web(args.nights, web, timing)
        web.report(f"sample web nights {args.nights}")
        print(f"  printed text differs (value right): {web.cells['raw differs']}; "
              f"numbers invented for scans: {web.cells['scan cells invented']}")
    speed(timing)


if __name__ == "__main__":
    main()
