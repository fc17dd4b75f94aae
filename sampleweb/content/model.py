"""The truth the sample web is built from: reports as data, before any rendering."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatCell:
    """One statistic in canonical ids (shared/notes/stats-schema.md); value None for "/", blank, 无."""

    table: str
    row: str
    column: str
    value: int | float | None
    raw: str


@dataclass(frozen=True)
class Table:
    """A table as the page shows it: rows of cells; a cell is (text, rowspan, colspan)."""

    caption: str
    rows: tuple[tuple[tuple[str, int, int], ...], ...]


@dataclass(frozen=True)
class Report:
    """A document published in a 年报 column: an annual report or a non-report item.

    ``blocks`` are paragraphs (str) and tables (Table) in reading order.
    ``body_year`` is the reporting year the body itself states (differs from
    ``report_year`` when the title conflicts with the text, as in seed 002).
    """

    title: str
    agency: str
    region_code: str
    report_year: int | None
    template: str | None  # "free" | "2019" | "2021" | None for non-reports
    doc_type: str  # "annual_report" | "other"
    blocks: tuple[str | Table, ...]
    stats: tuple[StatCell, ...] = ()
    violations: tuple[int, ...] = ()
    body_year: int | None = None
    script: str = "simplified"  # "simplified" | "traditional"
    spam: tuple[str, ...] = field(default=())
