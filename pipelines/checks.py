"""The arithmetic of a report (勾稽关系, report-format.md rules 1–6): checked, never fixed.

Public API:
    run_checks(stats, text="", template=None) -> list[dict]
        one entry per applicable rule: {"rule", "status", "detail", "numbers"}; rules 1–4
        and 6 for template reports, rule 6 for free-form reports, nothing otherwise.
    check_carry_over(this_year_stats, last_year_stats) -> dict
        rule 5 between two reports of the same agency in consecutive years.

``status`` is "pass", "fail" or "uncertain". A null cell ("/", blank, 无) or a missing one
is unknown, never zero: an equation over an unknown is "uncertain", and a rule fails only
when one of its equations is fully known and does not hold. ``numbers`` maps each equation
(a column, a row or a quoted phrase) to its two sides — and, for equations that do not
pass, the cells involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import statlabels as L
from .stats import detect_template, narrative_counts, parse_value, sentences

PASS, FAIL, UNCERTAIN = "pass", "fail", "uncertain"
APPLICATION_COLUMNS = L.APPLICANT_COLUMNS + ("total",)
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")

Key = tuple[str, str, str]
Number = int | float
# (name, left side: cells to add up or a number quoted in the text, right side: cells)
Equation = tuple[str, "list[Key] | Number", list[Key]]


class _Cells:
    """Cell values by (table, row, column); absent and null both read as unknown."""

    def __init__(self, values: dict[Key, Number | None]):
        self.values = values
        self.tables = {table for table, _, _ in values}

    @classmethod
    def of(cls, stats: Iterable[dict]) -> _Cells:
        return cls({(s["table"], s["row"], s["column"]): s.get("value") for s in stats})

    def total(self, keys: list[Key]) -> tuple[Number | None, dict[str, object]]:
        """The sum of the cells, None if any is unknown; and the cells by "row.column"."""
        cells = {f"{row}.{column}": self.values.get((table, row, column)) for table, row, column in keys}
        known = list(cells.values())
        return (None if any(v is None for v in known) else sum(known)), cells


def _equal(a: Number, b: Number) -> bool:
    return round(a - b, 6) == 0


def _rule(rule: int, equations: list[Equation], cells: _Cells, label: str) -> dict:
    """Evaluate ``left == right`` equations into one rule entry."""
    numbers: dict[str, dict] = {}
    failed, unknown = [], []
    for name, left_side, right_keys in equations:
        if isinstance(left_side, (int, float)):
            left, left_cells = left_side, {}
        else:
            left, left_cells = cells.total(left_side)
        right, right_cells = cells.total(right_keys)
        entry: dict[str, object] = {"left": left, "right": right}
        numbers[name] = entry
        if left is None or right is None:
            unknown.append(name)
        elif not _equal(left, right):
            failed.append(f"{name}: {left} ≠ {right}")
        else:
            continue
        entry["cells"] = {**left_cells, **right_cells}
    if failed:
        status, detail = FAIL, f"{label} does not hold for " + "; ".join(failed)
    elif unknown:
        status, detail = UNCERTAIN, f"{label}: unknown cells in " + ", ".join(unknown)
    else:
        status, detail = PASS, f"{label} holds ({len(equations)} equations)"
    return {"rule": rule, "status": status, "detail": detail, "numbers": numbers}


def _uncertain(rule: int, detail: str) -> dict:
    return {"rule": rule, "status": UNCERTAIN, "detail": detail, "numbers": {}}


def _applications_rules(cells: _Cells, template: str) -> list[dict]:
    if "applications" not in cells.tables:
        return [_uncertain(rule, "table applications not found") for rule in (1, 2, 3)]

    def key(row: str, column: str) -> Key:
        return ("applications", row, column)

    outcomes = L.OUTCOME_ROWS[template]
    rule1 = [(c, [key("new_received", c), key("carried_over", c)],
              [key("total_processed", c), key("carried_forward", c)]) for c in APPLICATION_COLUMNS]
    rule2 = [(c, [key("total_processed", c)], [key(r, c) for r in outcomes]) for c in APPLICATION_COLUMNS]
    rule3 = [(r, [key(r, "total")], [key(r, c) for c in L.APPLICANT_COLUMNS])
             for r in L.APPLICATION_ROW_ORDER[template]]
    return [
        _rule(1, rule1, cells, "一 + 二 = 三（七）总计 + 四"),
        _rule(2, rule2, cells, "（七）总计 = Σ 办理结果"),
        _rule(3, rule3, cells, "总计 = Σ 申请人"),
    ]


def _review_rule(cells: _Cells) -> dict:
    if "review_litigation" not in cells.tables:
        return _uncertain(4, "table review_litigation not found")
    equations = [(group, [("review_litigation", group, "total")],
                  [("review_litigation", group, part) for part in REVIEW_PARTS])
                 for group in L.REVIEW_ROW_ORDER]
    return _rule(4, equations, cells, "维持 + 纠正 + 其他 + 尚未审结 = 总计")


def _quoted(text: str, template: str, stats: list[dict]) -> list[Equation]:
    """Numbers the text quotes, each against the sum of the table cells it names."""
    if template == "free":
        quoted = narrative_counts(text)
        sentences_read = {cell["raw"] for cell in quoted}
        # cells read from the narrative itself are no evidence for it
        table_keys = {(s["table"], s["row"], s["column"]) for s in stats if s["raw"] not in sentences_read}
        keys = [("legacy", cell["row"], cell["column"]) for cell in quoted]
        return [(f"{cell['row']}: {cell['raw']}", cell["value"], [key])
                for cell, key in zip(quoted, keys) if key in table_keys]
    printed = set(L.APPLICATION_ROW_ORDER[template]) | set(L.REVIEW_ROW_ORDER)
    equations: list[Equation] = []
    for sentence in sentences(L.simplified(text)):
        for pattern, table, rows, column in L.NARRATIVE_CLAIMS:
            for hit in pattern.finditer(sentence):
                if _comparable(sentence, hit):
                    quoted_value = parse_value(hit.group(1))[0]
                    equations.append((hit.group(0), quoted_value,
                                      [(table, r, column) for r in rows if r in printed]))
        for pattern, table, rows, column in L.NARRATIVE_ZERO_CLAIMS:
            for hit in pattern.finditer(sentence):
                if _comparable(sentence, hit):
                    equations.append((hit.group(0), 0, [(table, r, column) for r in rows]))
    return equations


def _comparable(sentence: str, hit: re.Match) -> bool:
    """A quoted number speaks of this report's table: not of another period, not "(含…)"."""
    clause_start = max((m.end() for m in L.CLAUSE_START.finditer(sentence, 0, hit.start())), default=0)
    return not (L.CLAIM_OTHER_PERIOD.search(sentence, clause_start, hit.start())
                or L.CLAIM_QUALIFIED.match(sentence, hit.end()))


def _narrative_rule(stats: list[dict], cells: _Cells, text: str, template: str) -> dict:
    equations = _quoted(text, template, stats)
    if not equations:
        return _uncertain(6, "no numbers quoted in the text")
    return _rule(6, equations, cells, "numbers quoted in the text = the table")


def run_checks(stats: list[dict], text: str = "", template: str | None = None) -> list[dict]:
    """Rules 1–4 and 6 of one document (rule 5 needs last year: ``check_carry_over``)."""
    template = template or detect_template(stats, text)
    cells = _Cells.of(stats)
    if template in L.OUTCOME_ROWS:
        return [*_applications_rules(cells, template), _review_rule(cells),
                _narrative_rule(stats, cells, text, template)]
    if template == "free" and "legacy" in cells.tables:
        return [_narrative_rule(stats, cells, text, template)]
    return []


def check_carry_over(this_year_stats: list[dict], last_year_stats: list[dict]) -> dict:
    """Rule 5: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, per column."""
    values: dict[Key, Number | None] = {}
    for year, stats in (("this", this_year_stats), ("last", last_year_stats)):
        values |= {(year, s["row"], s["column"]): s.get("value") for s in stats if s["table"] == "applications"}
    cells = _Cells(values)
    if cells.tables != {"this", "last"}:
        return _uncertain(5, "an applications table is missing in one of the two years")
    equations = [(c, [("this", "carried_over", c)], [("last", "carried_forward", c)])
                 for c in APPLICATION_COLUMNS]
    return _rule(5, equations, cells, "本年 二、上年结转 = 上年 四、结转下年度继续办理")
