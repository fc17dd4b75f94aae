"""What a benchmark returns: figures (some of them ratios held to a goal), details, notes.

Every benchmark is a function ``(quick: bool, workdir: Path) -> Result``; ``bench.runner``
prints the figures of all of them as one table and writes them as JSON.
"""

from __future__ import annotations

import operator
from dataclasses import asdict, dataclass, field
from typing import Any

GOAL_OPERATORS = {">=": operator.ge, "<=": operator.le}
GOAL_SIGNS = {">=": "≥", "<=": "≤"}


class BenchError(RuntimeError):
    """A benchmark could not be run: an unknown name, or a measured crawl that failed."""


@dataclass(frozen=True)
class Figure:
    """One measured number; ``goal`` is ``(">=" or "<=", target)`` when the figure has one."""

    name: str
    value: float
    unit: str = ""
    goal: tuple[str, float] | None = None

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        op, target = self.goal
        return GOAL_OPERATORS[op](self.value, target)

    @property
    def goal_text(self) -> str:
        return "" if self.goal is None else f"{GOAL_SIGNS[self.goal[0]]} {self.goal[1]:g}"


@dataclass
class Result:
    """A benchmark's figures, the raw measurements behind them, and what to know reading them."""

    benchmark: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str = "", goal: tuple[str, float] | None = None) -> Figure:
        figure = Figure(name, value, unit, goal)
        self.figures.append(figure)
        return figure

    def to_json(self) -> dict[str, Any]:
        figures = [{**asdict(f), "goal": f.goal_text or None, "met": f.met} for f in self.figures]
        return {"benchmark": self.benchmark, "figures": figures, "details": self.details, "notes": self.notes}


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def format_value(value: float) -> str:
    if value != value:  # NaN: a peer measured nothing
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def format_table(results: list[Result]) -> str:
    """One table: benchmark, figure, value, unit, goal and whether it is met."""
    rows = [("benchmark", "figure", "value", "unit", "goal", "")]
    for result in results:
        for f in result.figures:
            status = {True: "met", False: "MISSED", None: ""}[f.met]
            rows.append((result.benchmark, f.name, format_value(f.value), f.unit, f.goal_text, status))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
